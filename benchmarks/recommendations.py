"""Measurements of the personalization workers and the home screen at benchmark scale.

`manage.py benchmark_recommendations` sequences them on the database the process is
connected to (`make bench` uses the 10-million-event one). Nothing here runs in the tests.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from strawberry.relay import to_base64

from audience import selectors, services, tasks
from audience.models import AgeBand, Recommendation, RecommendationRun
from audience.personalization import refresh as recommendations
from benchmarks.audience_workers import http_server, session_cookies
from benchmarks.memory import memory_peaks

HOME_QUERY = """
query ($profile: ID!) {
  home(profileId: $profile) {
    rows { kind title items { title { id name } } }
  }
}
"""


@dataclass(frozen=True)
class Latency:
    samples: int
    median_ms: float
    p99_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        ordered = sorted(seconds)
        return cls(
            samples=len(ordered),
            median_ms=statistics.median(ordered) * 1000,
            p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        )


@dataclass(frozen=True)
class FullRefreshFigures:
    profiles: int
    chunks: int
    workers: int
    seconds: float
    training_seconds: float
    items: int
    interactions: int
    peak_memory_mb: float  # all worker processes together, sampled
    peak_process_mb: float  # the largest single worker process
    peak_postgres_mb: float  # all of PostgreSQL's processes' private memory, together


def measure_full_refresh(*, concurrency: int = 2) -> FullRefreshFigures:
    """One full refresh on a real Celery worker (prefork, `concurrency` processes).

    Timed from sending `refresh_recommendations` to its run's last chunk; the worker's
    processes are sampled for their resident memory every 100 ms.
    """
    with (
        _celery_worker(concurrency) as worker,
        memory_peaks(lambda: [worker, *worker.children(recursive=True)]) as memory,
    ):
        started = time.perf_counter()
        report = tasks.refresh_recommendations.delay().get(timeout=3600)
        if report["skipped"]:
            raise RuntimeError(f"The refresh was skipped: {report}")
        run = _wait_for_run(report["run"])
        seconds = time.perf_counter() - started
    model = run.model
    return FullRefreshFigures(
        profiles=sum(run.chunks.values_list("profiles", flat=True)),
        chunks=report["chunks"],
        workers=concurrency,
        seconds=seconds,
        training_seconds=model.training_seconds,
        items=model.items,
        interactions=model.interactions,
        **memory.as_mb(),
    )


def _wait_for_run(run_id: int) -> RecommendationRun:
    while True:
        run = RecommendationRun.objects.select_related("model").get(pk=run_id)
        if run.finished_at is not None:
            return run
        time.sleep(0.5)


@contextmanager
def _celery_worker(concurrency: int) -> Iterator[psutil.Process]:
    if not os.environ.get("REDIS_URL"):
        raise RuntimeError("Set REDIS_URL: the refresh is measured on a real worker")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            os.environ.get("BENCHMARK_WORKER_LOGLEVEL", "WARNING"),
            "--without-gossip",
            "--without-mingle",
        ],
        env={**os.environ, "DEBUG": "false"},
    )
    try:
        time.sleep(5)  # the pool's processes start and connect to the broker
        yield psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)


def _sample_profiles(count: int, seed: int = 7) -> list[int]:
    """Profiles with viewing, spread over the id range, chosen reproducibly."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id FROM audience_profile p
            WHERE EXISTS (SELECT 1 FROM audience_viewingevent e WHERE e.profile_id = p.id)
            ORDER BY p.id
            """
        )
        ids = [row[0] for row in cursor.fetchall()]
    return random.Random(seed).sample(ids, min(count, len(ids)))


def measure_profile_refresh(*, samples: int = 200) -> Latency:
    """`refresh_profile` for one profile at a time, as the on-demand task runs it.

    In this process, after one warm-up refresh that loads the model; each sample reads
    the profile's history, scores it and replaces its stored list.
    """
    profiles = _sample_profiles(samples + 1)
    recommendations.refresh_profile(profiles[0])
    seconds = []
    for profile_id in profiles[1:]:
        started = time.perf_counter()
        recommendations.refresh_profile(profile_id)
        seconds.append(time.perf_counter() - started)
    return Latency.of(seconds)


def measure_new_profiles(*, samples: int = 50, concurrency: int = 2) -> Latency:
    """A new profile picks three titles: from `taste_titles_choose` (whose commit sends the
    refresh to a real worker) until the profile's full list is stored.

    The three titles are drawn from the profile's onboarding titles; four profiles first
    warm the worker's processes (each loads the model once). The profiles and their
    accounts are deleted afterwards.
    """
    size: int = settings.RECOMMENDATIONS_PER_PROFILE
    chooser = random.Random(11)
    accounts = []
    seconds = []
    with _celery_worker(concurrency):
        try:
            for index in range(samples + 4):
                account = get_user_model().objects.create_user(
                    username=f"benchmark-new-profile-{index}"
                )
                accounts.append(account)
                profile = services.profile_create(
                    user=account, name="New", region="US", age_band=AgeBand.ADULT
                )
                offered = selectors.onboarding_titles(profile, first=12)
                picks = [title.pk for title in chooser.sample(offered, min(3, len(offered)))]
                started = time.perf_counter()
                services.taste_titles_choose(user=account, profile_id=profile.pk, title_ids=picks)
                _wait_for_list(profile.pk, size)
                if index >= 4:
                    seconds.append(time.perf_counter() - started)
        finally:
            get_user_model().objects.filter(pk__in=[a.pk for a in accounts]).delete()
    return Latency.of(seconds)


def _wait_for_list(profile_id: int, size: int, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while Recommendation.objects.filter(profile_id=profile_id).count() < size:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"Profile {profile_id} had no full list after {timeout:.0f} s")
        time.sleep(0.01)


def measure_home(*, samples: int = 200, port: int = 8766) -> Latency:
    """The `home` query over HTTP, one request at a time, for different profiles.

    The server is uvicorn with one worker and DEBUG off; the client a staff session, so
    that any profile may be asked for. Ten requests first warm the server and are not
    counted.
    """
    staff, _ = get_user_model().objects.get_or_create(
        username="benchmark-staff", defaults={"is_staff": True}
    )
    profiles = _sample_profiles(samples + 10)
    cookies = session_cookies(staff)
    seconds = []
    with (
        http_server(port) as url,
        httpx.Client(base_url=url, cookies=cookies, timeout=60) as client,
    ):
        for index, profile_id in enumerate(profiles):
            body = {"query": HOME_QUERY, "variables": {"profile": to_base64("Profile", profile_id)}}
            started = time.perf_counter()
            response = client.post(
                "/graphql/", json=body, headers={"X-CSRFToken": cookies["csrftoken"]}
            )
            elapsed = time.perf_counter() - started
            result = response.json()
            if "errors" in result:
                raise RuntimeError(f"home failed: {result['errors']}")
            if index >= 10:
                seconds.append(elapsed)
    return Latency.of(seconds)
