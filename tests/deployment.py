"""Starting the service as a deployment does: in a process of its own, configured only by
environment variables."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from config.database_urls import database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
STRONG_KEY = "p8Kq2vXw-9sLm4RtZ7yBn3HdJf6GcA1eUoViWkEx0QrTsYuPaNbMhDlCgFjIzO5"
# For processes that never reach the database.
UNUSED_DATABASE = "postgres://postgres@127.0.0.1:5432/unused"


def servers_database_url(name: str = "postgres") -> str:
    """A database (`postgres` by default) of the server the tests run on."""
    return database_url(settings.DATABASES["default"], name=name)


def base_environment(**overrides: str) -> dict[str, str]:
    """The variables every start needs, with the development defaults for the rest."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": servers_database_url(),
    }
    return environment | overrides


def production_environment(**overrides: str) -> dict[str, str]:
    """Every variable a production start requires, set as a deployment sets them."""
    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "catalog.example.com,testserver",
        "REDIS_URL": settings.REDIS_URL,
    }
    return base_environment(**production) | overrides


def run_python(
    arguments: list[str], environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`python <arguments>` in the project, with exactly `environment`."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def wait_for(
    condition: Callable[[], object], message: str = "timed out", seconds: float = 60
) -> None:
    """Until `condition()` is true; fails with `message` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


@contextmanager
def uvicorn_serving(environment: dict[str, str], *options: str) -> Iterator[str]:
    """uvicorn with the project's ASGI application in `environment`, once `/healthz`
    answers; its base URL."""
    from config.local_ports import free_port
    from config.management.commands.run_service import answers

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", *options, "--port", str(port)],
        cwd=PROJECT_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(f"{url}/healthz"), "the server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
