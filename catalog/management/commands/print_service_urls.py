"""`manage.py print_service_urls`: where to point a browser once `make run` serves."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from catalog.management.commands.load_demo_data import DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME


class Command(BaseCommand):
    help = "Print the GraphQL, GraphiQL and admin URLs and the demo staff login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        base = f"http://{options['host']}:{options['port']}"
        lines = [
            "",
            f"  GraphQL   {base}/graphql/  (POST)",
            f"  GraphiQL  {base}/graphql/  (browser)"
            if settings.GRAPHIQL_ENABLED
            else "  GraphiQL  off (DEBUG is false)",
            f"  Admin     {base}/admin/",
            f"  Health    {base}/healthz",
            f"  Staff login: {DEMO_STAFF_USERNAME} / {DEMO_STAFF_PASSWORD}",
            "",
        ]
        self.stdout.write("\n".join(lines))
