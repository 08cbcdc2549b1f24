"""Measurements of the audience workers and ingestion at benchmark scale (`make bench`).

Each function measures one thing on the database the process is connected to and
returns plain figures; the `benchmark_audience` command sequences them and writes the
tables of `docs/benchmarks.md`. Nothing here runs in the tests.
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from strawberry.relay import to_base64

from audience.models import AgeBand, Profile, ViewingEvent
from audience.popularity import refresh as popularity
from catalog.models import Title, TitleKind
from catalog.visibility import public_shows

RECORD_EVENTS = """
mutation ($events: [ViewingEventInput!]!) {
  recordViewingEvents(events: $events) { accepted duplicates errors { index code } }
}
"""


def event_count() -> int:
    return ViewingEvent.objects.count()


def timed_rebuild() -> float:
    started = time.perf_counter()
    popularity.rebuild_popularity()
    return time.perf_counter() - started


def timed_refresh() -> tuple[float, int]:
    started = time.perf_counter()
    report = popularity.refresh_popularity()
    return time.perf_counter() - started, report.events


def timed_rankings() -> float:
    started = time.perf_counter()
    popularity.refresh_rankings()
    return time.perf_counter() - started


def timed_sql_floor() -> float:
    """One hand-written GROUP BY pass over every event into a scratch table: the floor.

    It computes what the daily table holds, per title, day and region (no viewer
    segments), and writes it, so it does the least work any rebuild must do. It runs with
    the aggregation's session settings, so the comparison is like for like.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        popularity.tune_for_aggregation(cursor)
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        started = time.perf_counter()
        cursor.execute(
            """
            CREATE TEMP TABLE bench_floor AS
            SELECT title_id, (started_at AT TIME ZONE 'UTC')::date AS day, region,
                   COUNT(*) AS plays, SUM(seconds_watched) AS seconds,
                   COUNT(*) FILTER (WHERE completed) AS completions,
                   COUNT(DISTINCT profile_id) AS viewers
            FROM audience_viewingevent
            GROUP BY 1, 2, 3
            """
        )
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


@dataclass(frozen=True)
class IngestFigures:
    batches: int
    batch_size: int
    events_per_second: float
    median_ms: float
    p99_ms: float


def measure_ingestion(*, batches: int, batch_size: int, port: int = 8765) -> IngestFigures:
    """Send `batches` recordViewingEvents requests one after another over HTTP.

    The server is uvicorn with one worker and DEBUG off, on this machine; the client is
    this process, with a viewer's session (the CSRF token sent as a browser would). One
    batch first warms the server up (imports, the database connection) and is not counted.
    """
    profile = _benchmark_profile()
    titles = list(
        Title.objects.filter(public_shows(), kind=TitleKind.MOVIE).values_list("pk", flat=True)[
            :batch_size
        ]
    )
    cookies = session_cookies(profile.account)
    with (
        http_server(port) as url,
        httpx.Client(base_url=url, cookies=cookies, timeout=60) as client,
    ):
        latencies = []
        for _ in range(batches + 1):
            body = {"query": RECORD_EVENTS, "variables": {"events": _batch(profile, titles)}}
            started = time.perf_counter()
            response = client.post(
                "/graphql/", json=body, headers={"X-CSRFToken": cookies["csrftoken"]}
            )
            latencies.append(time.perf_counter() - started)
            result = response.json()["data"]["recordViewingEvents"]
            if result["accepted"] != batch_size:
                raise RuntimeError(f"The server refused events: {result}")
    latencies = latencies[1:]
    total = sum(latencies)
    ordered = sorted(latencies)
    return IngestFigures(
        batches=batches,
        batch_size=batch_size,
        events_per_second=batches * batch_size / total,
        median_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    )


def _benchmark_profile() -> Profile:
    account, _ = get_user_model().objects.get_or_create(username="benchmark-viewer")
    profile, _ = Profile.objects.get_or_create(
        account=account,
        name="Benchmark",
        defaults={"region": "US", "age_band": AgeBand.ADULT},
    )
    return profile


def session_cookies(account: Any) -> dict[str, str]:
    """Cookies of a signed-in browser session of `account`, with a CSRF token."""
    session = SessionStore()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session.save()
    return {
        settings.SESSION_COOKIE_NAME: str(session.session_key),
        "csrftoken": secrets.token_hex(16),  # 32 alphanumerics, as Django expects
    }


def _batch(profile: Profile, titles: list[int]) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    profile_id = to_base64("Profile", profile.pk)
    return [
        {
            "profileId": profile_id,
            "titleId": to_base64("Title", title_id),
            "startedAt": (now - timedelta(seconds=index)).isoformat(),
            "secondsWatched": 1200,
            "completed": False,
            "device": "TV",
            "clientEventId": str(uuid.uuid4()),
        }
        for index, title_id in enumerate(titles)
    ]


@contextmanager
def http_server(port: int) -> Iterator[str]:
    environment = {**os.environ, "DEBUG": "false"}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "config.asgi:application",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        env=environment,
    )
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"The server did not start listening on port {port}")
