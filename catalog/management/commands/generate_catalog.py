"""`manage.py generate_catalog --titles N [--seed S]`: a synthetic catalog for benchmarks."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from catalog.generators.catalog import generate_catalog
from config.command_arguments import non_negative_int, positive_int


class Command(BaseCommand):
    help = (
        "Add a synthetic catalog of N titles (about 60%% movies, the rest series with their "
        "seasons and episodes; N counts all of them) with people, about ten credits per "
        "title, genres, keywords, maturity ratings, artwork and availability windows, written "
        "with COPY in one transaction. The same seed on an empty catalog gives the same "
        "catalog. On a non-empty catalog it adds another batch, even with the same seed: ids "
        "never collide, names may repeat, and genres, keywords, ratings and already credited "
        "people are reused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--titles", type=positive_int, required=True, help="Title rows to add, all kinds"
        )
        parser.add_argument(
            "--seed", type=non_negative_int, default=0, help="Random seed (default 0)"
        )

    def handle(
        self, *args: object, titles: int, seed: int, verbosity: int, **options: object
    ) -> None:
        summary = generate_catalog(titles=titles, seed=seed, progress=verbosity >= 1)
        if verbosity < 1:
            return
        self.stdout.write(f"{'table':<24}{'rows':>12}{'seconds':>10}")
        for table, rows in summary.rows.items():
            self.stdout.write(f"{table:<24}{rows:>12,}{summary.seconds[table]:>10.1f}")
        for phase in ("plan", "vocabulary", "constraints", "analyze"):
            self.stdout.write(f"{phase:<24}{'':>12}{summary.seconds[phase]:>10.1f}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {titles:,} titles and {sum(summary.rows.values()):,} rows in all "
                f"in {summary.wall_seconds:.1f} s."
            )
        )
