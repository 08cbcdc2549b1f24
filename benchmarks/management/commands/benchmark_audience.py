"""`manage.py benchmark_audience --events N`: the popularity workers and ingestion at scale.

Run by `make bench`, once per data size, each on its own database. Figures go to
`.bench/audience-<N>.json`; `--report` turns every such file into the audience tables
of `docs/benchmarks.md`.
"""

from __future__ import annotations

import json
import platform
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from benchmarks import audience_workers as benchmarks
from benchmarks.memory import memory_peaks, this_process
from benchmarks.plots import refresh_plot
from catalog.models import Title
from config.docs_sections import section_replace

T = TypeVar("T")
RESULTS = Path(settings.BASE_DIR) / ".bench"
DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
START, END = "<!-- audience-benchmark:start -->", "<!-- audience-benchmark:end -->"
SERIES_START = "<!-- refresh-series:start -->"
SERIES_END = "<!-- refresh-series:end -->"
PLOT = Path(settings.BASE_DIR) / "docs" / "images" / "refresh-time.png"
# New events per incremental refresh, for the plot of its time against their number.
REFRESH_SERIES = (1_000, 10_000, 100_000, 1_000_000)
CATALOG_TITLES = 100_000


class Command(BaseCommand):
    help = (
        "Measure the popularity rebuild, the SQL floor, an incremental refresh after new "
        "events and (with --ingest) recordViewingEvents over HTTP, on a database grown to "
        "--events viewing events. With --report, write docs/benchmarks.md from the results."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--events", type=int, default=10_000_000)
        parser.add_argument("--profiles", type=int, default=None, help="Default: events / 50")
        parser.add_argument("--increment", type=int, default=100_000)
        parser.add_argument("--ingest", action="store_true", help="Also measure ingestion")
        parser.add_argument("--report", action="store_true", help="Only write the docs")
        parser.add_argument(
            "--refresh-series",
            action="store_true",
            help="Only time the incremental refresh after batches of new events of "
            f"{', '.join(f'{n:,}' for n in REFRESH_SERIES)} (and write its plot)",
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["refresh_series"]:
            self._refresh_series()
            return
        if options["report"]:
            self._write_report()
            return
        events: int = options["events"]
        figures = self._measure(
            events=events,
            profiles=options["profiles"] or events // 50,
            increment=options["increment"],
            ingest=options["ingest"],
        )
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"audience-{events}.json").write_text(json.dumps(figures, indent=2))
        self.stdout.write(json.dumps(figures, indent=2))

    def _measure(
        self, *, events: int, profiles: int, increment: int, ingest: bool
    ) -> dict[str, Any]:
        self._ensure_catalog()
        self._ensure_events(events, profiles)
        total = benchmarks.event_count()
        self.stdout.write(f"Measuring on {total:,} events")
        memory: dict[str, dict[str, float]] = {}
        floor = _sampled(memory, "floor", benchmarks.timed_sql_floor)
        rebuild = _sampled(memory, "rebuild", benchmarks.timed_rebuild)
        self.stdout.write(f"floor {floor:.1f} s, rebuild {rebuild:.1f} s")
        call_command("generate_viewing", events=increment, profiles=0, days=1, seed=total)
        refresh, folded = _sampled(memory, "refresh", benchmarks.timed_refresh)
        rankings = _sampled(memory, "rankings", benchmarks.timed_rankings)
        self.stdout.write(f"refresh of {folded:,} new events: {refresh:.2f} s")
        self.stdout.write(f"Top 10 weeks, trending and popularity re-ranked: {rankings:.2f} s")
        figures: dict[str, Any] = {
            "events": total,
            "floor_seconds": floor,
            "rebuild_seconds": rebuild,
            "increment": folded,
            "refresh_seconds": refresh,
            "rankings_seconds": rankings,
            "memory": memory,
            "measured_on": timezone.localdate().isoformat(),
        }
        if ingest:
            result = benchmarks.measure_ingestion(batches=200, batch_size=500)
            figures["ingestion"] = result.__dict__
        return figures

    def _ensure_catalog(self) -> None:
        if Title.objects.count() < CATALOG_TITLES:
            call_command("generate_catalog", titles=CATALOG_TITLES, seed=42)

    def _ensure_events(self, events: int, profiles: int) -> None:
        missing = events - benchmarks.event_count()
        if missing > 0:
            call_command("generate_viewing", events=missing, profiles=profiles, seed=1)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE audience_viewingevent")

    def _refresh_series(self) -> None:
        """The refresh's time against the number of new events it folds in, on this
        database as it is; the figures and the plot go to the docs at once."""
        benchmarks.timed_refresh()  # fold in whatever is pending first
        total = benchmarks.event_count()
        series = []
        for new_events in REFRESH_SERIES:
            call_command("generate_viewing", events=new_events, profiles=0, days=1, seed=total)
            seconds, folded = benchmarks.timed_refresh()
            series.append({"new_events": folded, "seconds": seconds})
            self.stdout.write(f"refresh of {folded:,} new events: {seconds:.2f} s")
            total += new_events
        figures = {
            "events": total,
            "series": series,
            "measured_on": timezone.localdate().isoformat(),
        }
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "refresh-series.json").write_text(json.dumps(figures, indent=2))
        refresh_plot(series, events=total, path=PLOT)
        section_replace(DOCS, start=SERIES_START, end=SERIES_END, text=_series_report(figures))
        self.stdout.write(f"Wrote the refresh series into {DOCS} and {PLOT}")

    def _write_report(self) -> None:
        results = sorted(
            (json.loads(path.read_text()) for path in RESULTS.glob("audience-*.json")),
            key=lambda figures: figures["events"],
        )
        if not results:
            self.stderr.write("No results in .bench/: run the benchmark first.")
            return
        section_replace(DOCS, start=START, end=END, text=_report(results))
        self.stdout.write(f"Wrote the audience figures into {DOCS}")


def _sampled(memory: dict[str, dict[str, float]], task: str, run: Callable[[], T]) -> T:
    """Run a measured task with its peak memory sampled into `memory[task]`."""
    with memory_peaks(this_process) as peaks:
        result = run()
    memory[task] = peaks.as_mb()
    return result


def _series_report(figures: dict[str, Any]) -> str:
    lines = [
        f"Measured on {figures['measured_on']} by `manage.py benchmark_audience "
        f"--refresh-series` on {figures['events']:,} events: each batch of new events "
        "(all of the last 24 hours) is generated, then folded in by one "
        "`refresh_popularity`.",
        "",
        "| new events | incremental refresh (target < 2 s for 100,000) | per 1,000 events |",
        "| --- | --- | --- |",
    ]
    for run in figures["series"]:
        per_thousand = run["seconds"] / run["new_events"] * 1000 if run["new_events"] else 0
        lines.append(
            f"| {run['new_events']:,} | {run['seconds']:.2f} s | {per_thousand * 1000:.1f} ms |"
        )
    lines += ["", "![Refresh time against new events](images/refresh-time.png)"]
    return "\n".join(lines) + "\n"


def _report(results: list[dict[str, Any]]) -> str:
    lines = [
        f"Measured on {results[-1]['measured_on']}, {platform.processor() or platform.machine()}"
        ", by `make bench` (`manage.py benchmark_audience`).",
        "",
        "| events | SQL floor | rebuild | rebuild / floor (target ≤ 1.5) "
        "| new events | incremental refresh (target < 2 s) "
        "| re-ranking (Top 10 weeks, trending, popularity) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for figures in results:
        lines.append(
            f"| {figures['events']:,} | {figures['floor_seconds']:.1f} s "
            f"| {figures['rebuild_seconds']:.1f} s "
            f"| {figures['rebuild_seconds'] / figures['floor_seconds']:.2f} "
            f"| {figures['increment']:,} | {figures['refresh_seconds']:.2f} s "
            f"| {figures['rankings_seconds']:.2f} s |"
        )
    lines += [
        "",
        "Peak memory during each task, MB: the process running it (resident) / all of "
        "PostgreSQL's processes together (private: without the shared buffers)",
        "",
        "| events | SQL floor | rebuild | incremental refresh | re-ranking |",
        "| --- | --- | --- | --- | --- |",
    ]
    for figures in results:
        cells = " | ".join(
            f"{figures['memory'][task]['peak_memory_mb']:,.0f} / "
            f"{figures['memory'][task]['peak_postgres_mb']:,.0f}"
            for task in ("floor", "rebuild", "refresh", "rankings")
        )
        lines.append(f"| {figures['events']:,} | {cells} |")
    ingestion = [figures["ingestion"] for figures in results if "ingestion" in figures]
    if ingestion:
        lines += [
            "",
            "| recordViewingEvents over HTTP, one client | events/s (target ≥ 5,000) "
            "| median | p99 |",
            "| --- | --- | --- | --- |",
        ]
        for run in ingestion:
            lines.append(
                f"| {run['batches']} batches of {run['batch_size']} "
                f"| {run['events_per_second']:,.0f} | {run['median_ms']:.0f} ms "
                f"| {run['p99_ms']:.0f} ms |"
            )
    return "\n".join(lines) + "\n"
