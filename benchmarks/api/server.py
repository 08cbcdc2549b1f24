"""The measuring side of the API benchmark: a production-configured server and the load runs.

`api_server` starts uvicorn with production settings on the database this process uses;
`measure_level` runs `benchmarks.api.load_generator` against it in a process of its own and
reads the server's CPU and the machine's around it.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import psutil
from django.conf import settings
from django.db import connection

from benchmarks.api.scenarios import Scenario
from config.database_urls import database_url
from config.graphql.response_cache import store as response_cache
from config.local_ports import free_port


def _production_environment(*, cache: bool) -> dict[str, str]:
    return {
        **os.environ,
        # The product's settings, whatever this process runs under (the tests' turn the
        # response cache and the rate limits off).
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The Redis this process uses (the embedded one when REDIS_URL is unset).
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The database this process uses, so that the server reads the same one.
        "DATABASE_URL": database_url(connection.settings_dict),
        # One address sends all the load: the per-address limit would refuse most of it.
        "RATE_LIMIT_ENABLED": "false",
        "GRAPHQL_RESPONSE_CACHE_ENABLED": "true" if cache else "false",
    }


@dataclass(frozen=True)
class Server:
    url: str
    process: psutil.Process
    cache: bool  # whether it answers public reads from the response cache

    def workers(self) -> list[psutil.Process]:
        # With one worker, uvicorn serves from its own process; multiprocessing's resource
        # tracker is a child too, but serves no requests.
        children = [
            child
            for child in self.process.children(recursive=True)
            if not any("resource_tracker" in part for part in child.cmdline())
        ]
        return children or [self.process]


@contextmanager
def api_server(workers: int, *, cache: bool) -> Iterator[Server]:
    """uvicorn with production settings and `workers` processes, ready to answer; with or
    without the response cache."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(str(Path(sys.executable).parent / "uvicorn"), "config.asgi:application"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
            *("--log-level", "warning", "--no-access-log"),
        ],
        env=_production_environment(cache=cache),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, workers)
        yield Server(url=url, process=psutil.Process(process.pid), cache=cache)
    finally:
        process.terminate()
        process.wait(timeout=60)


def _wait_until_healthy(url: str, workers: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    healthy = 0
    while time.monotonic() < deadline:
        with suppress(OSError), urlopen(f"{url}/healthz", timeout=10) as response:
            healthy += response.status == 200
        if healthy >= workers * 4:  # every worker has most likely answered once
            return
        time.sleep(0.1)
    raise RuntimeError(f"The server at {url} did not become healthy")


@dataclass(frozen=True)
class LevelFigures:
    scenario: str
    cache: bool
    concurrency: int
    requests: int
    seconds: float
    throughput: float  # responses per second
    p50_ms: float
    p99_ms: float
    errors: int
    first_error: str
    server_cpu_ms_per_request: float  # all web workers together
    generator_cpu_share: float  # of one core
    # Of all cores, over the generator's whole run: server, generator, PostgreSQL, the rest.
    machine_busy_share: float
    hit_share: float  # of the recorded responses, served from the response cache


@dataclass(frozen=True)
class PassFigures:
    """Each of a scenario's requests sent once, one at a time."""

    scenario: str
    requests: int
    p50_ms: float
    p99_ms: float
    errors: int
    cache_statuses: dict[str, int]


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of them at or below it."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        times = process.cpu_times()
        total += times.user + times.system
    return total


def generate_load(server: Server, scenario: Scenario, arguments: list[str], timeout: float) -> Any:
    """Run the load generator process with `arguments`; its result."""
    with tempfile.TemporaryDirectory() as scratch:
        spec, out = Path(scratch) / "spec.json", Path(scratch) / "out.json"
        spec.write_text(json.dumps(scenario.requests))
        command = [
            *(
                sys.executable,
                "-m",
                "benchmarks.api.load_generator",
                "--url",
                server.url,
                "--spec",
                str(spec),
            ),
            *arguments,
            *("--out", str(out)),
        ]
        if subprocess.run(command, timeout=timeout, check=False).returncode:
            raise RuntimeError(f"The load generator failed on {scenario.name}")
        return json.loads(out.read_text())


def measure_once(server: Server, scenario: Scenario) -> PassFigures:
    """Each of the scenario's requests once, one at a time: with the cache emptied first,
    every response is a miss; right after, a hit."""
    result = generate_load(server, scenario, ["--once"], timeout=3600)
    latencies = sorted(result["latencies_ms"])
    return PassFigures(
        scenario=scenario.name,
        requests=len(latencies),
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        errors=result["errors"],
        cache_statuses=result["cache_statuses"],
    )


def measure_level(
    server: Server, scenario: Scenario, *, concurrency: int, seconds: float, warmup: float
) -> LevelFigures:
    """One run of the generator process at `concurrency` for `seconds` (after `warmup`)."""
    workers = server.workers()
    arguments = [
        *("--concurrency", str(concurrency), "--seconds", str(seconds)),
        *("--warmup", str(warmup)),
    ]
    server_cpu, machine = _cpu_seconds(workers), psutil.cpu_times()
    result = generate_load(server, scenario, arguments, timeout=seconds + warmup + 300)
    server_cpu = _cpu_seconds(workers) - server_cpu
    machine_after = psutil.cpu_times()
    idle = (machine_after.idle + machine_after.iowait) - (machine.idle + machine.iowait)
    elapsed = sum(machine_after) - sum(machine)
    latencies = sorted(result["latencies_ms"])
    count = len(latencies)
    # The server's CPU over the generator's whole run, warm-up included, per request sent.
    sent = count + result["warmup_requests"]
    hits = result["cache_statuses"].get(response_cache.HIT, 0)
    return LevelFigures(
        scenario=scenario.name,
        cache=server.cache,
        concurrency=concurrency,
        requests=count,
        seconds=result["seconds"],
        throughput=count / result["seconds"],
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        errors=result["errors"],
        first_error=result["first_error"],
        server_cpu_ms_per_request=server_cpu * 1000 / max(sent, 1),
        generator_cpu_share=result["generator_cpu_seconds"] / result["seconds"],
        machine_busy_share=1 - idle / elapsed if elapsed else 0.0,
        hit_share=hits / max(count, 1),
    )


def peak_worker_memory_mb(server: Server) -> list[float]:
    """Each web worker's peak resident memory since it started (VmHWM), in MB."""
    peaks = []
    for worker in server.workers():
        status = Path(f"/proc/{worker.pid}/status").read_text()
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return peaks
