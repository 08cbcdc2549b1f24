"""`manage.py refresh_recommendations`: a new model, every profile's list and the similar
titles, in this process, with a progress bar.

The workers do the same on beat's schedule (`audience.tasks`); this command is for a
first start (`load_demo_data` runs it with --if-empty) and for operators.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from audience.models import Recommendation, SimilarTitle
from audience.personalization import refresh as recommendations
from audience.personalization import similar_titles
from audience.personalization.new_titles import read_new_title_ids
from config.command_output import unwrapped_stream


class Command(BaseCommand):
    help = (
        "Train a new recommender model, score every profile and recompute the similar "
        "titles, in this process. Skipped parts (another run holds them) are reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any profile already has recommendations",
        )
        parser.add_argument(
            "--if-new-titles-missing",
            action="store_true",
            help="Do nothing unless a title new on the service has no similar titles yet "
            "(the demo's originals, added after the first refresh)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Recommendation.objects.exists():
            self.stdout.write("Recommendations already computed.")
            return
        if options["if_new_titles_missing"] and not _new_titles_missing():
            self.stdout.write("Every title new on the service has its similar titles.")
            return
        run = recommendations.start_full_refresh()
        # After training: a new title's similar titles come from the new model's content map.
        similar = similar_titles.refresh_similar_titles()
        if similar.skipped:
            self.stdout.write("Similar titles: another refresh is running.")
        else:
            self.stdout.write(f"Similar titles: {similar.pairs:,} pairs for {similar.titles:,}")
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


def _new_titles_missing() -> bool:
    new = read_new_title_ids().tolist()
    listed = set(SimilarTitle.objects.filter(title_id__in=new).values_list("title_id", flat=True))
    return bool(set(new) - listed)
