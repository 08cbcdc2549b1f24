"""`manage.py refresh_recommendations`: similar titles, a new model and every profile's
list, in this process, with a progress bar.

The workers do the same on beat's schedule (`audience.tasks`); this command is for a
first start (`load_demo_data` runs it with --if-empty) and for operators.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from audience.models import Recommendation
from audience.personalization import refresh as recommendations
from audience.personalization import similar_titles
from config.command_output import unwrapped_stream


class Command(BaseCommand):
    help = (
        "Recompute the similar titles, train a new recommender model and score every "
        "profile, in this process. Skipped parts (another run holds them) are reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any profile already has recommendations",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Recommendation.objects.exists():
            self.stdout.write("Recommendations already computed.")
            return
        similar = similar_titles.refresh_similar_titles()
        if similar.skipped:
            self.stdout.write("Similar titles: another refresh is running.")
        else:
            self.stdout.write(f"Similar titles: {similar.pairs:,} pairs for {similar.titles:,}")
        run = recommendations.start_full_refresh()
        if run.skipped:
            self.stdout.write(f"Recommendations: run {run.run} is still scoring; skipped.")
            return
        profiles = 0
        with tqdm(
            total=len(run.chunk_ids),
            desc="profile chunks",
            unit="chunk",
            file=unwrapped_stream(self.stderr),
        ) as progress:
            for chunk_id in run.chunk_ids:
                profiles += recommendations.refresh_chunk(chunk_id).profiles
                progress.update()
        self.stdout.write(
            f"Recommendations: model v{run.model_version}, {profiles:,} profiles scored."
        )
