"""`manage.py benchmark_api`: throughput and latency of the API under load, over HTTP.

Run by `make bench` on the largest benchmark database. Figures go to `.bench/api.json`;
`--report` writes them into docs/benchmarks.md with a plot in docs/images/.
"""

from __future__ import annotations

import json
import os
from argparse import ArgumentParser
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from audience.models import ViewingEvent
from benchmarks.api import scenarios as api_benchmarks
from benchmarks.api import server as api_benchmark_server
from benchmarks.api.report import report_markdown
from benchmarks.plots import latency_plot
from catalog.models import Title
from config.docs_sections import saved_figures, section_replace
from config.table_tokens import public_tables, tokens_renew

RESULTS = Path(settings.BASE_DIR) / ".bench" / "api.json"
DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
IMAGE = Path(settings.BASE_DIR) / "docs" / "images" / "api-latency.png"
START, END = "<!-- api-benchmark:start -->", "<!-- api-benchmark:end -->"
GENERATOR = (
    "`python -m benchmarks.api.load_generator`, a closed loop on asyncio streams "
    "(HTTP/1.1 keep-alive) in its own process"
)


class Command(BaseCommand):
    help = (
        "Start uvicorn with production settings and several workers on the database the "
        "process is connected to (REDIS_URL must be set), load it with a closed-loop "
        "generator in another process at fixed concurrency levels, and record throughput, "
        "p50, p99, errors, SQL queries per request and the workers' peak memory; then, "
        "with the response cache on, the public reads' misses, hits and load. With "
        "--report, write docs/benchmarks.md and the latency plot from the results."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
        parser.add_argument("--seconds", type=float, default=20, help="Per scenario and level")
        parser.add_argument("--warmup", type=float, default=2, help="Unrecorded, before each")
        parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 32])
        parser.add_argument(
            "--scenarios",
            nargs="+",
            choices=list(api_benchmarks.SCENARIOS),
            default=list(api_benchmarks.SCENARIOS),
        )
        parser.add_argument(
            "--no-costliest",
            dest="costliest",
            action="store_false",
            help="Skip the costliest anonymous requests within the limits",
        )
        parser.add_argument("--output", type=Path, default=RESULTS)
        parser.add_argument("--report", action="store_true", help="Only write the docs")

    def handle(self, *args: object, **options: Any) -> None:
        if options["report"]:
            self._write_report(options["output"])
            return
        try:
            figures = self._measure(options)
        finally:
            api_benchmarks.tokens_revoke()
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(figures, indent=2))
        self.stdout.write(f"Wrote {output}")

    def _measure(self, options: dict[str, Any]) -> dict[str, Any]:
        scenarios = [api_benchmarks.scenario_build(name) for name in options["scenarios"]]
        queries = {}
        for scenario in scenarios:
            queries[scenario.name] = api_benchmarks.queries_per_request(scenario)
            self.stdout.write(f"{scenario.name}: {queries[scenario.name]} SQL queries a request")
        with api_benchmark_server.api_server(options["workers"], cache=False) as server:
            levels = self._levels(server, scenarios, options)
            memory = api_benchmark_server.peak_worker_memory_mb(server)
            costliest = self._costliest(server) if options["costliest"] else []
        cacheable = [s for s in scenarios if s.name in api_benchmarks.CACHEABLE]
        passes, cached_memory = [], []
        if cacheable:
            with api_benchmark_server.api_server(options["workers"], cache=True) as server:
                passes = self._cache_passes(server, cacheable)
                levels += self._levels(server, cacheable, options)
                cached_memory = api_benchmark_server.peak_worker_memory_mb(server)
        return {
            "database": connection.settings_dict["NAME"],
            "titles": Title.objects.count(),
            "events": ViewingEvent.objects.count(),
            "cores": os.cpu_count(),
            "workers": options["workers"],
            "seconds": options["seconds"],
            "warmup": options["warmup"],
            "generator": GENERATOR,
            "labels": {scenario.name: scenario.label for scenario in scenarios},
            "queries": queries,
            "levels": levels,
            "cache_passes": passes,
            "peak_worker_memory_mb": memory,
            "peak_worker_memory_cached_mb": cached_memory,
            "costliest": costliest,
            "measured_on": timezone.localdate().isoformat(),
        }

    def _levels(
        self,
        server: api_benchmark_server.Server,
        scenarios: list[api_benchmarks.Scenario],
        options: dict[str, Any],
    ) -> list[dict[str, Any]]:
        levels = []
        for scenario in scenarios:
            for concurrency in options["concurrency"]:
                level = api_benchmark_server.measure_level(
                    server,
                    scenario,
                    concurrency=concurrency,
                    seconds=options["seconds"],
                    warmup=options["warmup"],
                )
                self.stdout.write(
                    f"{scenario.name} c={concurrency} cache {'on' if server.cache else 'off'}: "
                    f"{level.throughput:.1f}/s p50 {level.p50_ms:.1f} ms "
                    f"p99 {level.p99_ms:.1f} ms hits {level.hit_share:.0%} "
                    f"errors {level.errors} {level.first_error}"
                )
                levels.append(asdict(level))
        return levels

    def _costliest(self, server: api_benchmark_server.Server) -> list[dict[str, Any]]:
        """The costliest anonymous requests within the limits, each sent three times in a
        row without the cache."""
        passes = []
        for scenario in api_benchmarks.costliest_scenarios():
            figures = api_benchmark_server.measure_once(server, scenario)
            self.stdout.write(
                f"{scenario.label}: p50 {figures.p50_ms:.0f} ms, slowest {figures.p99_ms:.0f} ms, "
                f"errors {figures.errors}"
            )
            passes.append({"label": scenario.label, **asdict(figures)})
        return passes

    def _cache_passes(
        self, server: api_benchmark_server.Server, scenarios: list[api_benchmarks.Scenario]
    ) -> list[dict[str, Any]]:
        """Each scenario's requests once with every stored response stale (misses), then
        once more (hits)."""
        tokens_renew(public_tables())
        passes = []
        for scenario in scenarios:
            miss = api_benchmark_server.measure_once(server, scenario)
            hit = api_benchmark_server.measure_once(server, scenario)
            self.stdout.write(
                f"{scenario.name}: miss p50 {miss.p50_ms:.1f} ms, hit p50 {hit.p50_ms:.1f} ms "
                f"{miss.cache_statuses} {hit.cache_statuses}"
            )
            passes.append({"scenario": scenario.name, "miss": asdict(miss), "hit": asdict(hit)})
        return passes

    def _write_report(self, results: Path) -> None:
        figures = saved_figures(results)
        latency_plot(figures, IMAGE)
        image = IMAGE.relative_to(DOCS.parent).as_posix()
        section_replace(
            DOCS,
            start=START,
            end=END,
            text=report_markdown(figures, image),
            heading="## The API under load",
        )
        self.stdout.write(f"Wrote the API figures into {DOCS} and {IMAGE}")
