"""`manage.py load_demo_productions`: the demo slate, two productions at each stage.

`load_demo_data` runs it on a first start; it does nothing while any demo production
exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from config.command_output import unwrapped_stream
from production.demo import PLANS, demo_productions_load


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
        else:
            self.stdout.write(f"Demo productions: {report.created} created, at every stage.")
