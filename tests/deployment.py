"""Starting the service as a deployment does: in a process of its own, configured only by
environment variables."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.database_urls import database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
STRONG_KEY = "p8Kq2vXw-9sLm4RtZ7yBn3HdJf6GcA1eUoViWkEx0QrTsYuPaNbMhDlCgFjIzO5"
# For processes that never reach the database.
UNUSED_DATABASE = "postgres://postgres@127.0.0.1:5432/unused"


def servers_database_url(name: str = "postgres") -> str:
    """A database (`postgres` by default) of the server the tests run on."""
    return database_url(settings.DATABASES["default"], name=name)


def base_environment(**overrides: str) -> dict[str, str]:
    """The variables every start needs, with the development defaults for the rest."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": servers_database_url(),
    }
    return environment | overrides


def production_environment(**overrides: str) -> dict[str, str]:
    """Every variable a production start requires, set as a deployment sets them."""
    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "catalog.example.com,testserver",
        "REDIS_URL": settings.REDIS_URL,
    }
    return base_environment(**production) | overrides


def run_python(
    arguments: list[str], environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`python <arguments>` in the project, with exactly `environment`."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
