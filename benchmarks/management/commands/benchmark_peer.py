"""`manage.py benchmark_peer`: the API beside PostGraphile on the same database, in one run.

Run by `make bench` on the largest benchmark database. Figures go to `.bench/peer.json`;
`--report` writes them into docs/benchmarks.md with a plot in docs/images/.
"""

from __future__ import annotations

import json
import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from benchmarks.api.server import api_server
from benchmarks.peer import comparison as peer_benchmarks
from benchmarks.peer.report import CONTENDERS, cpu_plot, report_markdown, targets_markdown
from catalog.models import Title
from config.docs_sections import saved_figures, section_replace
from config.graphql.response_cache import store as response_cache

BENCH = Path(settings.BASE_DIR) / ".bench"
RESULTS = BENCH / "peer.json"
API_RESULTS = BENCH / "api.json"
DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
IMAGE = Path(settings.BASE_DIR) / "docs" / "images" / "peer-cpu.png"
START, END = "<!-- peer-benchmark:start -->", "<!-- peer-benchmark:end -->"


class Command(BaseCommand):
    help = (
        "Serve the database this process is connected to with the product (computed and "
        "with the response cache) and with PostGraphile 5, check that both answer the same "
        "title, person and browse pages alike, then load each in interleaved rounds and "
        "print CPU per request and throughput side by side, with the targets as ratios. "
        "With --report, write docs/benchmarks.md and the plot from the results."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="Processes of each server")
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--seconds", type=float, default=15, help="Per page and server")
        parser.add_argument("--warmup", type=float, default=3, help="Unrecorded, before each")
        parser.add_argument("--concurrency", type=int, default=16)
        parser.add_argument("--output", type=Path, default=RESULTS)
        parser.add_argument("--report", action="store_true", help="Only write the docs")

    def handle(self, *args: object, **options: Any) -> None:
        if options["report"]:
            self._write_report(options["output"])
            return
        peer_benchmarks.postgraphile_install()
        peer_benchmarks.peer_schema_install()
        figures = self._measure(options)
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(figures, indent=2))
        self.stdout.write(targets_markdown(figures, _api_figures()))
        self.stdout.write(f"Wrote {output}")

    def _measure(self, options: dict[str, Any]) -> dict[str, Any]:
        pairs = peer_benchmarks.page_pairs()
        workers = options["workers"]
        with (
            api_server(workers, cache=False) as product,
            api_server(workers, cache=True) as cached,
            peer_benchmarks.postgraphile_server(workers) as peer,
        ):
            compared = self._compare(pairs, product, peer)
            contenders = [
                peer_benchmarks.Contender(key, CONTENDERS[key], server)
                for key, server in (("product", product), ("cached", cached), ("peer", peer))
            ]
            runs = []
            for index in range(options["rounds"]):
                for pair in pairs:
                    for contender in contenders:
                        run = peer_benchmarks.measure(
                            contender,
                            pair,
                            concurrency=options["concurrency"],
                            seconds=options["seconds"],
                            warmup=options["warmup"],
                        )
                        self._check(run)
                        runs.append({**run, "round": index + 1})
                        self.stdout.write(
                            f"round {index + 1} {pair.name} {contender.label}: "
                            f"{run['throughput']:.1f}/s, "
                            f"CPU {run['server_cpu_ms'] + run['database_cpu_ms']:.2f} ms "
                            f"(server {run['server_cpu_ms']:.2f}), p50 {run['p50_ms']:.1f} ms, "
                            f"generator {run['generator_cpu_share']:.0%} of a core"
                        )
        return {
            "database": connection.settings_dict["NAME"],
            "titles": Title.objects.count(),
            "postgres": _server_version(),
            "peer_version": peer_benchmarks.installed_version("postgraphile"),
            "node": peer_benchmarks.installed_version("node"),
            "cores": os.cpu_count(),
            "workers": workers,
            "pool_size": settings.DATABASE_POOL_MAX_SIZE,
            "rounds": options["rounds"],
            "seconds": options["seconds"],
            "concurrency": options["concurrency"],
            "compared": compared,
            "labels": {pair.name: pair.label for pair in pairs},
            "runs": runs,
            "measured_on": timezone.localdate().isoformat(),
        }

    def _compare(self, pairs: list[peer_benchmarks.PagePair], product: Any, peer: Any) -> int:
        compared = 0
        for pair in pairs:
            different = peer_benchmarks.different_answers(pair, product, peer)
            if different:
                shown = "\n".join(different[:3])
                raise CommandError(
                    f"{len(different)} {pair.name} requests got different data:\n{shown}"
                )
            compared += len(pair.product.requests)
            self.stdout.write(
                f"{pair.name}: the same data from both, {len(pair.product.requests)} requests"
            )
        return compared

    def _check(self, run: dict[str, Any]) -> None:
        if run["errors"]:
            raise CommandError(f"{run['page']} on {run['contender']}: {run['first_error']}")
        if run["contender"] == "cached" and run["cache_statuses"].keys() - {response_cache.HIT}:
            self.stderr.write(
                f"{run['page']}: not every response was a hit: {run['cache_statuses']}"
            )

    def _write_report(self, results: Path) -> None:
        figures = saved_figures(results)
        cpu_plot(figures, IMAGE)
        image = IMAGE.relative_to(DOCS.parent).as_posix()
        section_replace(
            DOCS,
            start=START,
            end=END,
            text=report_markdown(figures, _api_figures(), image),
            heading="## Beside PostGraphile",
        )
        self.stdout.write(f"Wrote the comparison into {DOCS} and {IMAGE}")


def _api_figures() -> dict[str, Any] | None:
    return json.loads(API_RESULTS.read_text()) if API_RESULTS.exists() else None


def _server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0]).split()[0]
