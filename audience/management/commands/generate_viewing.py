"""`manage.py generate_viewing --events N --profiles M [--seed S] [--days D]`: benchmark viewing."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from audience.generators.viewing import EmptyShelfError, NoProfilesError, generate_viewing
from config.command_arguments import non_negative_int, positive_int


class Command(BaseCommand):
    help = (
        "Add N synthetic viewing events spread over M generated profiles (the oldest "
        "generated profiles are reused, missing ones created in households of 1-5 profiles "
        "per account), written with COPY in one transaction. Titles are released movies and "
        "aired episodes of the catalog, picked Zipf-like (new releases boosted); series are "
        "watched a few episodes in order; times fall in the last D days up to now, evenings "
        "and weekends busiest in the viewer's time zone. It only adds: run it again to add "
        "another batch. A batch of 100,000 events or more that is at least an eighth of the "
        "table is loaded with the table's indexes dropped and rebuilt, holding an exclusive "
        "lock on the events meanwhile."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--events", type=positive_int, required=True, help="Events to add")
        parser.add_argument(
            "--profiles",
            type=non_negative_int,
            required=True,
            help="Profiles to spread them over; 0: every generated profile already there",
        )
        parser.add_argument(
            "--seed", type=non_negative_int, default=0, help="Random seed (default 0)"
        )
        parser.add_argument(
            "--days", type=positive_int, default=365, help="Span of time up to now (default 365)"
        )

    def handle(
        self,
        *args: object,
        events: int,
        profiles: int,
        seed: int,
        days: int,
        verbosity: int,
        **options: object,
    ) -> None:
        try:
            summary = generate_viewing(
                events=events, profiles=profiles, seed=seed, days=days, progress=verbosity >= 1
            )
        except (EmptyShelfError, NoProfilesError) as error:
            raise CommandError(str(error)) from error
        if verbosity < 1:
            return
        self.stdout.write(
            f"Profiles: {summary.profiles_reused:,} reused, {summary.profiles_created:,} created "
            f"in {summary.accounts_created:,} accounts"
        )
        for phase, seconds in summary.seconds.items():
            self.stdout.write(f"{phase:<12}{seconds:>8.1f} s")
        rebuilt = " (indexes rebuilt after the load)" if summary.rebuilt_indexes else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {summary.events:,} viewing events{rebuilt} in {summary.wall_seconds:.1f} s."
            )
        )
