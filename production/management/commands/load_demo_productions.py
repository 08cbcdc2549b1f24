"""`manage.py load_demo_productions`: the demo slate, two productions at each stage,
with their greenlight scorecards computed in this process.

`load_demo_data` runs it on a first start; it does nothing while any demo production
exists.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from config.command_output import unwrapped_stream
from production.demo import PLANS, demo_productions_load
from production.models import Production
from production.tasks import scorecard_refresh


class Command(BaseCommand):
    help = (
        "Create demo productions at every stage (marked as demo), moved through the stages "
        "by the given staff account; nothing if any demo production exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as", dest="username", required=True, help="The staff account that moves them"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_staff:
            raise CommandError(f"No staff account is named {options['username']!r}.")
        with tqdm(
            total=len(PLANS),
            desc="demo productions",
            unit="production",
            file=unwrapped_stream(self.stderr),
        ) as bar:
            report = demo_productions_load(user=user, progress=lambda name: bar.update())
        if report.already_loaded:
            self.stdout.write("Demo productions already loaded.")
            return
        self.stdout.write(f"Demo productions: {report.created} created, at every stage.")
        self._score(list(Production.objects.filter(is_demo=True).values_list("pk", flat=True)))

    def _score(self, production_ids: list[int]) -> None:
        """Compute the scorecards now, so that a first start shows them without a worker."""
        verdicts: Counter[str] = Counter()
        for production_id in tqdm(
            production_ids, desc="greenlight scorecards", file=unwrapped_stream(self.stderr)
        ):
            verdicts[str(scorecard_refresh(production_id).recommendation)] += 1
        summary = ", ".join(f"{count} {verdict}" for verdict, count in sorted(verdicts.items()))
        self.stdout.write(f"Greenlight scorecards: {summary}.")
