"""`manage.py load_demo_data`: what `make run` loads on first start.

Idempotent: the sample catalog is imported only while the catalog is empty, the
sample audience (the audience app's `import_sample_audience`, called by name so that the
catalog imports nothing of the audience app) only while none of its profiles exists, the
recommendations (`refresh_recommendations`) only while none is computed, the demo
staff account only if missing, and the demo productions (`load_demo_productions`, moved
through their stages by that account) only while none exists; then the recommendations
once more if a title new on the service (a released demo original) has no similar titles.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from catalog.importers.sample_availability import sample_availability_open
from catalog.models import Title

DEMO_STAFF_USERNAME = "staff"
DEMO_STAFF_PASSWORD = "staff-demo-password"


class Command(BaseCommand):
    help = (
        "Load the sample catalog, the sample audience and the demo productions (first start "
        "only) and create the demo staff login."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if Title.objects.exists():
            self.stdout.write("Sample catalog already loaded.")
        else:
            call_command("import_sample_catalog", stdout=self.stdout, stderr=self.stderr)
            windows = sample_availability_open()
            self.stdout.write(f"Opened {windows:,} availability windows for the sample titles.")
        call_command(
            "import_sample_audience", if_not_loaded=True, stdout=self.stdout, stderr=self.stderr
        )
        call_command(
            "refresh_recommendations", if_empty=True, stdout=self.stdout, stderr=self.stderr
        )
        if settings.IS_PRODUCTION:
            # A superuser whose password is in the README has no place in a deployment,
            # nor the demo productions that it moves through their stages.
            self.stdout.write("Production settings: no demo staff login, no demo productions.")
            return
        self._ensure_demo_staff()
        call_command(
            "load_demo_productions",
            username=DEMO_STAFF_USERNAME,
            stdout=self.stdout,
            stderr=self.stderr,
        )
        # The demo's released originals are new on the service: place them once, so that
        # the first start shows them in lists, similar titles and "New on the service".
        call_command(
            "refresh_recommendations",
            if_new_titles_missing=True,
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def _ensure_demo_staff(self) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(username=DEMO_STAFF_USERNAME).exists():
            return
        user_model.objects.create_superuser(
            username=DEMO_STAFF_USERNAME,
            email="staff@studio.example",
            password=DEMO_STAFF_PASSWORD,
        )
        self.stdout.write(f"Created the demo staff login {DEMO_STAFF_USERNAME!r}.")
