"""`manage.py run_service`, what `make run` ends in: the API, a worker and beat in one
foreground process, which Ctrl-C stops entirely."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import redis
from django.conf import settings

from config.local_ports import free_port
from tests.deployment import PROJECT_DIR, base_environment, servers_database_url

pytestmark = [pytest.mark.server, pytest.mark.worker, pytest.mark.subprocess]

START_TIMEOUT_SECONDS = 120
# Its own Redis database, so that its worker takes none of the other tests' tasks.
REDIS_DATABASE = 13


@dataclass
class Service:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    def read_until(self, *patterns: str) -> list[re.Match[str]]:
        """Read its output until each pattern has matched a line (in any order)."""
        found: dict[str, re.Match[str]] = {}
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        assert self.process.stdout is not None
        while len(found) < len(patterns) and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            for pattern in patterns:
                if pattern not in found and (match := re.search(pattern, line)):
                    found[pattern] = match
        missing = [pattern for pattern in patterns if pattern not in found]
        assert not missing, f"no line matched {missing}:\n{''.join(self.lines)}"
        return [found[pattern] for pattern in patterns]

    def children(self) -> dict[str, int]:
        return {
            name: int(pid)
            for name, pid in re.findall(r"(\w+) started \(pid=(\d+)\)", "".join(self.lines))
        }


@pytest.fixture
def service_environment() -> dict[str, str]:
    """Variables for the service beyond the development defaults."""
    return {}


@pytest.fixture
def service(transactional_db: None, service_environment: dict[str, str]) -> Iterator[Service]:
    port = free_port()
    redis_url = re.sub(r"/\d+$", f"/{REDIS_DATABASE}", settings.REDIS_URL)
    redis.Redis.from_url(redis_url).flushdb()  # rate-limit windows of an earlier run
    environment = base_environment(
        DATABASE_URL=servers_database_url(settings.DATABASES["default"]["NAME"]),
        REDIS_URL=redis_url,
        PYTHONUNBUFFERED="1",
        **service_environment,
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_service", "--port", str(port), "--task-workers", "1"],
        cwd=PROJECT_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    running = Service(process, port)
    try:
        yield running
    finally:
        # honcho starts each child in a session of its own: ask it to stop them, and kill
        # whatever is left only after that.
        if process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        for pid in running.children().values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_service_runs_the_api_a_worker_and_beat_and_ctrl_c_stops_them_all(
    service: Service,
) -> None:
    # Given the whole system started in the foreground
    started, _, _ = service.read_until(
        r"Started in (\d+\.\d) s", r"celery@\S+ ready", r"beat: Starting"
    )
    children = service.children()

    # When a client asks the API, and then the operator presses Ctrl-C
    request = urllib.request.Request(
        f"http://127.0.0.1:{service.port}/graphql/",
        data=json.dumps({"query": "{ genres { name } }"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    os.kill(service.process.pid, signal.SIGINT)
    service.process.wait(timeout=60)

    # Then it answered, said how long the start took, and nothing it started is left
    assert answer["data"] == {"genres": []}
    assert float(started.group(1)) > 0
    assert set(children) == {"web", "worker", "beat"}
    time.sleep(0.5)
    assert [name for name, pid in children.items() if alive(pid)] == []


def ask(port: int, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql/",
        data=json.dumps({"query": "{ __typename }"}).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


@pytest.mark.parametrize(
    "service_environment",
    [{"RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_PER_IP": "3", "TRUSTED_PROXY_COUNT": "0"}],
)
def test_a_client_cannot_spoof_its_address_past_the_rate_limit(service: Service) -> None:
    # Given the service with 3 requests a minute per address and no proxy in front
    service.read_until(r"Started in")

    # When one client sends 5 requests, each claiming another address
    statuses = [ask(service.port, {"X-Forwarded-For": f"203.0.113.{index}"}) for index in range(5)]

    # Then they all count against its real address
    assert statuses == [200, 200, 200, 429, 429]
