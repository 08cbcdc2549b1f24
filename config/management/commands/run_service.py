"""`manage.py run_service`: the whole system in one foreground process, as `make run` runs it.

The API and the admin (uvicorn, two workers), a Celery worker and Celery beat run as the
children of one honcho manager, which prefixes each line with its process's name. Ctrl-C
(or SIGTERM) stops them all, and so does any one of them stopping; the worker and beat
run under `config.keep_running`, which starts them again if they die. Once `/healthz`
answers, it prints where to point a browser and how long the start took, counted from
`--started-at` (`make run` passes the moment it began, so the migrations and the first
load of the sample data count too).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from subprocess import list2cmdline
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from honcho.manager import Manager

from catalog.management.commands.load_demo_data import DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME

READY_POLL_SECONDS = 0.25
# uvicorn would take X-Forwarded-For from any local peer as the client's address (its
# default trusts 127.0.0.1): a client could spoof a fresh rate-limit budget per request.
# The address is the application's to work out, from TRUSTED_PROXY_COUNT alone.
UVICORN_PROXY_OPTIONS = ("--no-proxy-headers",)
# The workers' statements (a nightly rebuild) run minutes; the API's get 10 s (config/asgi.py).
PROCESS_ENVIRONMENT = {
    "worker": {"DATABASE_STATEMENT_TIMEOUT": os.environ.get("WORKER_STATEMENT_TIMEOUT", "55min")},
}
READY_TIMEOUT_SECONDS = 120


class Command(BaseCommand):
    help = (
        "Run the API and admin (uvicorn), a Celery worker and Celery beat in the foreground; "
        "Ctrl-C stops all of them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--task-workers", type=int, default=2)
        parser.add_argument(
            "--started-at",
            type=float,
            default=None,
            help="Unix time the start began (default: now), for the start time it prints.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started_at = options["started_at"] or time.time()
        base = f"http://{options['host']}:{options['port']}"
        manager = Manager()
        for name, command in service_commands(
            host=options["host"],
            port=options["port"],
            web_workers=options["web_workers"],
            task_workers=options["task_workers"],
        ).items():
            manager.add_process(
                name,
                list2cmdline(command),
                cwd=str(settings.BASE_DIR),
                env={**os.environ, **PROCESS_ENVIRONMENT.get(name, {})},
            )
        announcer = threading.Thread(
            target=self._announce_when_ready, args=(base, started_at), daemon=True
        )
        announcer.start()
        manager.loop()
        sys.exit(manager.returncode or 0)

    def _announce_when_ready(self, base: str, started_at: float) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if answers(f"{base}/healthz"):
                self.stdout.write("\n".join(banner(base, time.time() - started_at)))
                return
            time.sleep(READY_POLL_SECONDS)
        self.stderr.write(f"{base}/healthz did not answer within {READY_TIMEOUT_SECONDS} s")


def service_commands(
    *, host: str, port: int, web_workers: int, task_workers: int
) -> dict[str, list[str]]:
    """The processes of the whole system, by name."""
    python = sys.executable
    state = Path(settings.BASE_DIR) / ".run"
    state.mkdir(exist_ok=True)
    # The workers come back if they die (config/keep_running.py); the web server's own
    # process manager restarts a web worker that dies.
    restarted = [python, "-m", "config.keep_running"]
    return {
        "web": [
            python, "-m", "uvicorn", "config.asgi:application", *UVICORN_PROXY_OPTIONS,
            "--host", host, "--port", str(port), "--workers", str(web_workers),
        ],
        "worker": [
            *restarted, python, "-m", "celery", "-A", "config", "worker",
            "--loglevel", "INFO", "--concurrency", str(task_workers),
        ],
        "beat": [
            *restarted, python, "-m", "celery", "-A", "config", "beat",
            "--loglevel", "INFO", "--schedule", str(state / "celerybeat-schedule"),
        ],
    }  # fmt: skip


def banner(base: str, start_seconds: float) -> list[str]:
    return [
        "",
        f"  GraphQL   {base}/graphql/  (POST)",
        f"  GraphiQL  {base}/graphql/  (browser)"
        if settings.GRAPHIQL_ENABLED
        else "  GraphiQL  off (DEBUG is false)",
        f"  Admin     {base}/admin/",
        f"  Health    {base}/healthz",
        f"  Workers   a Celery worker and beat, on {settings.REDIS_URL}",
        f"            (their health: {base}/healthz/workers)",
        f"  Staff login: {DEMO_STAFF_USERNAME} / {DEMO_STAFF_PASSWORD}",
        f"  Started in {start_seconds:.1f} s. Ctrl-C stops everything.",
        "",
    ]


def answers(url: str) -> bool:
    """Whether `url` answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
