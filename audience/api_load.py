"""A closed-loop HTTP load generator for the API benchmark, run as its own process.

`python -m audience.api_load --url URL --spec SPEC.json --concurrency C --seconds S --out OUT.json`

C clients each send one request, wait for its response, and send the next, for S seconds
(after a warm-up that is not recorded), cycling through the spec's requests. Every
request's latency is recorded, so the percentiles are of all of them, not of a sample.
A response is an error when its status is not 200 or its body holds GraphQL `errors`.
With `--once`, one client sends each request of the spec once, in order, with no warm-up.
Responses are counted by their `Cache-Status` header (the response cache's verdict).

It imports no Django, so it stays a small process beside the server's workers; its own
CPU time is written out with the figures, because it shares the machine with them.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import resource
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


@dataclass
class LoadResult:
    concurrency: int
    seconds: float  # from the first request sent to the last response received
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    warmup_requests: int = 0
    generator_cpu_seconds: float = 0.0
    cache_statuses: dict[str, int] = field(default_factory=dict)

    def record(self, latency_seconds: float, status: int, content: bytes, cache: str) -> None:
        self.latencies_ms.append(latency_seconds * 1000)
        self.cache_statuses[cache] = self.cache_statuses.get(cache, 0) + 1
        error = _error_in(status, content)
        if error:
            self.errors += 1
            self.first_error = self.first_error or error


def fresh_events(body: dict[str, Any]) -> dict[str, Any]:
    """A recordViewingEvents body whose events are new: new client ids, started just now."""
    now = datetime.now(UTC)
    events = [
        {
            **event,
            "clientEventId": str(uuid.uuid4()),
            "startedAt": (now - timedelta(seconds=index)).isoformat(),
        }
        for index, event in enumerate(body["variables"]["events"])
    ]
    return {**body, "variables": {**body["variables"], "events": events}}


def _error_in(status: int, content: bytes) -> str:
    if status != 200:
        return f"HTTP {status}: {content[:200]!r}"
    payload = json.loads(content)
    if payload.get("errors"):
        return json.dumps(payload["errors"])[:300]
    return ""


async def _client_loop(
    client: Any,
    requests: list[dict[str, Any]],
    start: int,
    deadline: float,
    result: LoadResult,
) -> None:
    for request in itertools.islice(itertools.cycle(requests), start, None):
        if time.perf_counter() >= deadline:
            return
        body = fresh_events(request["body"]) if request.get("fresh_events") else request["body"]
        await _send(client, request, body, result)


async def _send(client: Any, request: dict[str, Any], body: Any, result: LoadResult) -> None:
    started = time.perf_counter()
    response = await client.post("/graphql/", json=body, headers=request.get("headers"))
    elapsed = time.perf_counter() - started
    cache = response.headers.get("cache-status", "")
    result.record(elapsed, response.status_code, response.content, cache)


def _client(url: str, concurrency: int) -> Any:
    import httpx  # imported here so that the module's helpers load without it

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy says
    return httpx.AsyncClient(base_url=url, limits=limits, timeout=120, headers=headers)


async def run_once(*, url: str, requests: list[dict[str, Any]]) -> LoadResult:
    """Send each request once, one at a time, in order."""
    result = LoadResult(concurrency=1, seconds=0.0)
    async with _client(url, 1) as client:
        cpu_before, started = _cpu_seconds(), time.perf_counter()
        for request in requests:
            body = fresh_events(request["body"]) if request.get("fresh_events") else request["body"]
            await _send(client, request, body, result)
        result.seconds = time.perf_counter() - started
        result.generator_cpu_seconds = _cpu_seconds() - cpu_before
    return result


async def run_load(
    *, url: str, requests: list[dict[str, Any]], concurrency: int, seconds: float, warmup: float
) -> LoadResult:
    """Run `concurrency` closed-loop clients over one keep-alive connection each."""
    async with _client(url, concurrency) as client:
        offsets = [index * len(requests) // concurrency for index in range(concurrency)]
        warm = LoadResult(concurrency=concurrency, seconds=warmup)
        deadline = time.perf_counter() + warmup
        await asyncio.gather(*(_client_loop(client, requests, o, deadline, warm) for o in offsets))
        result = LoadResult(
            concurrency=concurrency, seconds=0.0, warmup_requests=len(warm.latencies_ms)
        )
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(_client_loop(client, requests, o, deadline, result) for o in offsets)
        )
        result.seconds = time.perf_counter() - started
        result.generator_cpu_seconds = _cpu_seconds() - cpu_before
    return result


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--spec", type=Path, required=True, help="JSON list of requests")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--once", action="store_true", help="Each request once, in order")
    arguments = parser.parse_args()
    requests = json.loads(arguments.spec.read_text())
    if arguments.once:
        result = asyncio.run(run_once(url=arguments.url, requests=requests))
    else:
        result = asyncio.run(
            run_load(
                url=arguments.url,
                requests=requests,
                concurrency=arguments.concurrency,
                seconds=arguments.seconds,
                warmup=arguments.warmup,
            )
        )
    arguments.out.write_text(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
