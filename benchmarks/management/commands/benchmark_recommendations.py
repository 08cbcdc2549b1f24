"""`manage.py benchmark_recommendations`: the personalization workers and `home` at scale.

Run by `make bench` on the largest benchmark database (after `benchmark_audience` has
filled it and rebuilt the popularity tables). Figures go to
`.bench/recommendations-<events>.json`; `--report` writes them into docs/benchmarks.md.
"""

from __future__ import annotations

import json
import platform
from argparse import ArgumentParser
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audience.models import Profile
from benchmarks import audience_workers as benchmarks
from benchmarks import recommendations as recommendation_benchmarks
from config.docs_sections import section_replace

RESULTS = Path(settings.BASE_DIR) / ".bench"
DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
START, END = "<!-- recommendations-benchmark:start -->", "<!-- recommendations-benchmark:end -->"
TARGET_REFRESH_SECONDS = 600
TARGET_PEAK_MB = 8 * 1024
TARGET_PROFILE_MS = 100
TARGET_NEW_PROFILE_MS = 1000
NEW_PROFILES_START = "<!-- new-profiles-benchmark:start -->"
NEW_PROFILES_END = "<!-- new-profiles-benchmark:end -->"


class Command(BaseCommand):
    help = (
        "Measure a full recommendations refresh on a real Celery worker (time and peak "
        "memory), one profile's on-demand refresh and the home query over HTTP, on the "
        "database the process is connected to (REDIS_URL must be set). With --report, "
        "write docs/benchmarks.md from the results."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="Worker processes")
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--report", action="store_true", help="Only write the docs")
        parser.add_argument(
            "--new-profiles-only",
            action="store_true",
            help="Only measure new profiles picking three titles, on this database, and "
            "write the figure into docs/benchmarks.md",
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["report"]:
            self._write_report()
            return
        if options["new_profiles_only"]:
            self._new_profiles_only(options["workers"])
            return
        events = benchmarks.event_count()
        if not events:
            raise CommandError("No viewing events: run benchmark_audience first.")
        self.stdout.write(f"Full refresh of {Profile.objects.count():,} profiles...")
        refresh = recommendation_benchmarks.measure_full_refresh(concurrency=options["workers"])
        self.stdout.write(json.dumps(asdict(refresh), indent=2))
        profile = recommendation_benchmarks.measure_profile_refresh(samples=options["samples"])
        self.stdout.write(f"one profile: {profile}")
        home = recommendation_benchmarks.measure_home(samples=options["samples"])
        self.stdout.write(f"home: {home}")
        new_profile = recommendation_benchmarks.measure_new_profiles(concurrency=options["workers"])
        self.stdout.write(f"new profile: {new_profile}")
        figures = {
            "events": events,
            "full_refresh": asdict(refresh),
            "profile_refresh": asdict(profile),
            "home": asdict(home),
            "new_profile": asdict(new_profile),
            "measured_on": timezone.localdate().isoformat(),
        }
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"recommendations-{events}.json").write_text(json.dumps(figures, indent=2))

    def _new_profiles_only(self, workers: int) -> None:
        latency = recommendation_benchmarks.measure_new_profiles(concurrency=workers)
        text = (
            f"Measured on {timezone.localdate().isoformat()}, "
            f"{platform.processor() or platform.machine()}, by `manage.py "
            "benchmark_recommendations --new-profiles-only` on the imported sample "
            f"({Profile.objects.count():,} profiles), one Celery worker with {workers} "
            "processes: a new profile picks three of its onboarding titles "
            "(`taste_titles_choose`), and its full list of "
            f"{settings.RECOMMENDATIONS_PER_PROFILE} is stored "
            f"{latency.median_ms:.0f} ms later (median of {latency.samples}; p99 "
            f"{latency.p99_ms:.0f} ms; target ≤ {TARGET_NEW_PROFILE_MS} ms).\n"
        )
        self.stdout.write(text)
        section_replace(DOCS, start=NEW_PROFILES_START, end=NEW_PROFILES_END, text=text)

    def _write_report(self) -> None:
        paths = sorted(RESULTS.glob("recommendations-*.json"))
        if not paths:
            self.stderr.write("No recommendation results in .bench/: run the benchmark first.")
            return
        figures = json.loads(paths[-1].read_text())
        section_replace(DOCS, start=START, end=END, text=_report(figures))
        self.stdout.write(f"Wrote the recommendation figures into {DOCS}")


def _report(figures: dict[str, Any]) -> str:
    refresh, profile, home = figures["full_refresh"], figures["profile_refresh"], figures["home"]
    return "\n".join(
        [
            f"Measured on {figures['measured_on']}, {platform.processor() or platform.machine()}"
            ", by `make bench` (`manage.py benchmark_recommendations`), on "
            f"{figures['events']:,} viewing events and {refresh['profiles']:,} profiles.",
            "",
            "| what | target | measured |",
            "| --- | --- | --- |",
            f"| full refresh: train, then score every profile ({refresh['chunks']} chunks, "
            f"{refresh['workers']} worker processes) | ≤ {TARGET_REFRESH_SECONDS // 60} min "
            f"| {refresh['seconds']:.0f} s (training {refresh['training_seconds']:.0f} s on "
            f"{refresh['interactions']:,} profile-title pairs, {refresh['items']:,} items) |",
            f"| peak memory of the worker's processes together | < {TARGET_PEAK_MB // 1024} GB "
            f"| {refresh['peak_memory_mb'] / 1024:.1f} GB (largest process "
            f"{refresh['peak_process_mb'] / 1024:.1f} GB; PostgreSQL "
            f"{refresh['peak_postgres_mb']:,.0f} MB) |",
            f"| one profile on demand (`refresh_profile`), median / p99 of "
            f"{profile['samples']} | ≤ {TARGET_PROFILE_MS} ms "
            f"| {profile['median_ms']:.0f} ms / {profile['p99_ms']:.0f} ms |",
            f"| `home` over HTTP, one client, median / p99 of {home['samples']} | — "
            f"| {home['median_ms']:.0f} ms / {home['p99_ms']:.0f} ms |",
            *_new_profile_row(figures),
            "",
        ]
    )


def _new_profile_row(figures: dict[str, Any]) -> list[str]:
    """Results measured before the taste picker have no such figure."""
    if "new_profile" not in figures:
        return []
    latency = figures["new_profile"]
    return [
        f"| a new profile picks 3 titles: to its full list, on the worker, median / p99 of "
        f"{latency['samples']} | ≤ {TARGET_NEW_PROFILE_MS} ms "
        f"| {latency['median_ms']:.0f} ms / {latency['p99_ms']:.0f} ms |"
    ]
