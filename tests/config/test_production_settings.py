"""Production settings (`DJANGO_ENV=production`): Django's deployment check passes, a weak
secret key stops the start, and the service speaks HTTPS only behind its proxy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.deployment import production_environment, run_python

pytestmark = pytest.mark.subprocess


def test_the_deployment_check_passes_without_a_warning() -> None:
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_environment()
    )

    assert result.returncode == 0, result.stderr
    # The three looking for Django's middleware by path, which subclasses replace
    assert result.stdout.strip() == "System check identified no issues (3 silenced)."
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    ("setting", "check"),
    [
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({}, None),  # the production settings as they are: nothing to report
    ],
)
def test_the_checks_behind_the_subclassed_middleware_still_report(
    setting: dict[str, str], check: str | None
) -> None:
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(**setting),
    )

    if check is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1
        assert f"({check})" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "short-key",
        "change-me",
        "x" * 60,  # long, but four different characters at most
        "django-insecure-" + "k3y" * 20,
        "development-only-secret-key-never-used-in-production",
    ],
)
def test_a_weak_secret_key_stops_a_production_start(key: str) -> None:
    result = run_python(["manage.py", "check"], production_environment(SECRET_KEY=key))

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak for production" in result.stderr


SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
names = [
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER", "DEBUG",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def production_settings(**overrides: str) -> dict[str, Any]:
    result = run_python(["-c", SETTINGS], production_environment(**overrides))
    assert result.returncode == 0, result.stderr
    settings: dict[str, Any] = json.loads(result.stdout)
    return settings


def test_production_sends_hsts_for_a_year_and_only_secure_cookies() -> None:
    assert production_settings() == {
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "DEBUG": False,
    }


@pytest.mark.parametrize(
    ("value", "header"),
    [
        ("X-Forwarded-Ssl: on", ["HTTP_X_FORWARDED_SSL", "on"]),
        ("CloudFront-Forwarded-Proto:https", ["HTTP_CLOUDFRONT_FORWARDED_PROTO", "https"]),
        ("off", None),
    ],
)
def test_the_proxys_https_header_comes_from_the_environment(value: str, header: Any) -> None:
    settings = production_settings(SECURE_PROXY_SSL_HEADER=value)

    assert settings["SECURE_PROXY_SSL_HEADER"] == header


def test_a_proxy_header_without_a_value_stops_the_start() -> None:
    result = run_python(
        ["manage.py", "check"], production_environment(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    )

    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must read 'Header-Name: value'" in result.stderr


REQUESTS = """
import json
import django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/graphql/", {"query": "{ __typename }"})
proxied = client.get("/graphql/", {"query": "{ __typename }"}, HTTP_X_FORWARDED_PROTO="https")
health = client.get("/healthz")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "proxied": [proxied.status_code, proxied.get("Strict-Transport-Security")],
    "health": health.status_code,
}))
"""


def test_plain_http_is_redirected_to_https_except_the_health_check() -> None:
    result = run_python(["-c", REQUESTS], production_environment())

    assert result.returncode == 0, result.stderr
    responses = json.loads(result.stdout.strip().splitlines()[-1])
    assert responses["plain"] == [301, "https://testserver/graphql/?query=%7B+__typename+%7D"]
    assert responses["proxied"] == [200, "max-age=31536000; includeSubDomains; preload"]
    assert responses["health"] != 301
