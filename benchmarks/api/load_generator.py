"""A closed-loop HTTP load generator for the API benchmark, run as its own process.

`python -m benchmarks.api.load_generator --url URL --spec SPEC.json --concurrency C --seconds S
--out OUT.json`

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
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


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
    connection: Connection,
    requests: list[dict[str, Any]],
    start: int,
    deadline: float,
    result: LoadResult,
) -> None:
    for request in itertools.islice(itertools.cycle(requests), start, None):
        if time.perf_counter() >= deadline:
            return
        body = fresh_events(request["body"]) if request.get("fresh_events") else request["body"]
        await _send(connection, request, body, result)


async def _send(
    connection: Connection, request: dict[str, Any], body: Any, result: LoadResult
) -> None:
    encoded = request.get("encoded") if body is request["body"] else None
    payload = encoded or json.dumps(body).encode()
    started = time.perf_counter()
    status, headers, content = await connection.post(payload, request.get("headers") or {})
    elapsed = time.perf_counter() - started
    result.record(elapsed, status, content, headers.get("cache-status", ""))


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, posting to /graphql/.

    Written on asyncio's streams rather than with an HTTP client library: httpx cost the
    generator about 4 ms of CPU a request, so that at a few hundred requests a second it
    took a whole core of the two the server shares, and measured itself.
    """

    def __init__(self, url: str) -> None:
        parsed = urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [
            "POST /graphql/ HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Content-Type: application/json",
            "Accept: application/json",
            "X-Forwarded-Proto: https",  # as the TLS-terminating proxy says
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        status = int((await self.reader.readline()).split()[1])
        response_headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        content = await _body(self.reader, response_headers)
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        return status, response_headers, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    chunks = []  # chunked transfer encoding
    while size := int((await reader.readline()).strip(), 16):
        chunks.append(await reader.readexactly(size))
        await reader.readline()
    await reader.readline()
    return b"".join(chunks)


def _encoded(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests with their JSON bodies encoded once."""
    return [{**request, "encoded": json.dumps(request["body"]).encode()} for request in requests]


async def run_once(*, url: str, requests: list[dict[str, Any]]) -> LoadResult:
    """Send each request once, one at a time, in order."""
    result = LoadResult(concurrency=1, seconds=0.0)
    connection = Connection(url)
    cpu_before, started = _cpu_seconds(), time.perf_counter()
    for request in _encoded(requests):
        body = fresh_events(request["body"]) if request.get("fresh_events") else request["body"]
        await _send(connection, request, body, result)
    result.seconds = time.perf_counter() - started
    result.generator_cpu_seconds = _cpu_seconds() - cpu_before
    await connection.close()
    return result


async def run_load(
    *, url: str, requests: list[dict[str, Any]], concurrency: int, seconds: float, warmup: float
) -> LoadResult:
    """Run `concurrency` closed-loop clients over one keep-alive connection each."""
    requests = _encoded(requests)
    connections = [Connection(url) for _ in range(concurrency)]
    offsets = [index * len(requests) // concurrency for index in range(concurrency)]

    async def run_all(deadline: float, result: LoadResult) -> None:
        loops = zip(connections, offsets, strict=True)
        await asyncio.gather(*(_client_loop(c, requests, o, deadline, result) for c, o in loops))

    warm = LoadResult(concurrency=concurrency, seconds=warmup)
    await run_all(time.perf_counter() + warmup, warm)
    result = LoadResult(
        concurrency=concurrency, seconds=0.0, warmup_requests=len(warm.latencies_ms)
    )
    cpu_before, started = _cpu_seconds(), time.perf_counter()
    await run_all(started + seconds, result)
    result.seconds = time.perf_counter() - started
    result.generator_cpu_seconds = _cpu_seconds() - cpu_before
    for connection in connections:
        await connection.close()
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
