"""The service around the apps: health check, settings, migrations."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from audience.models import AggregationWatermark
from audience.popularity.refresh import refresh_popularity
from tests.deployment import production_environment, run_python
from tests.factories import StaffUserFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent


def test_healthz_is_ok_when_database_and_redis_answer(db: None) -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": True, "redis": True},
        "down": [],
    }


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_is_503_naming_redis_when_redis_is_down(db: None) -> None:
    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]


@pytest.mark.subprocess
@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_a_production_start_without_a_required_variable_fails_naming_it(missing: str) -> None:
    environment = production_environment()
    del environment[missing]

    result = run_python(["-c", "import django; django.setup()"], environment)

    assert result.returncode != 0
    assert f"The environment variable {missing} is required but is not set" in result.stderr


def test_the_models_and_the_committed_migrations_agree(db: None) -> None:
    output = StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=output)

    assert "No changes detected" in output.getvalue()


def test_graphiql_is_served_to_a_browser_in_development(db: None) -> None:
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_an_app_client_without_cookies_needs_no_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/graphql/", data={"query": "{ genres { name } }"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"genres": []}


def test_a_browser_session_must_send_the_csrf_token(db: None) -> None:
    # given a staff member signed in through the admin, in a browser
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffUserFactory())
    client.get("/admin/")  # sets the csrftoken cookie
    request = {"data": {"query": "{ genres { name } }"}, "content_type": "application/json"}

    # when a request rides on the session without the token, and then with it
    forged = client.post("/graphql/", **request)
    genuine = client.post(
        "/graphql/", **request, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )

    # then only the one with the token is served
    assert forged.status_code == 403
    assert forged.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    assert genuine.status_code == 200
    assert genuine.json()["data"] == {"genres": []}


def test_the_celery_app_is_configured_for_long_idempotent_tasks() -> None:
    from django.conf import settings

    from config.celery import app

    assert app.conf.broker_url == settings.REDIS_URL
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_always_eager is False
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_the_workers_health_is_503_until_a_refresh_has_run_then_ok(db: None) -> None:
    before = Client().get("/healthz/workers")

    refresh_popularity()  # what beat sends every minute; no events to fold in
    after = Client().get("/healthz/workers")

    assert (before.status_code, before.json()["status"]) == (503, "unavailable")
    assert (after.status_code, after.json()["status"]) == (200, "ok")
    assert after.json()["ageSeconds"] < after.json()["limit"] == 180


def test_the_workers_health_is_503_once_the_refreshes_stop(db: None) -> None:
    # Given the last refresh four minutes ago: three missed runs and more
    refresh_popularity()
    AggregationWatermark.objects.filter(name="popularity").update(
        checked_at=timezone.now() - timedelta(minutes=4)
    )

    response = Client().get("/healthz/workers")

    assert (response.status_code, response.json()["status"]) == (503, "stale")
    assert response.json()["ageSeconds"] >= 240
