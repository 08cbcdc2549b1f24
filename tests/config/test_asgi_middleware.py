"""The middleware stack as uvicorn runs it (Django's ASGI handler), where config.middleware
runs the hooks that cannot block in the event loop: sessions are still saved, CSRF still
checked, the security headers still sent."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient

from tests.factories import StaffUserFactory

GRAPHQL = {"query": "{ genres { name } }"}


def call(client: AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    return async_to_sync(getattr(client, method))(path, **kwargs)


@pytest.fixture
def staff_browser(db: None) -> AsyncClient:
    """A browser that signed in to the admin through the login form, CSRF token and all."""
    StaffUserFactory(username="editor", password="staff-password")
    browser = AsyncClient(enforce_csrf_checks=True)
    form = call(browser, "get", "/admin/login/")
    assert form.status_code == 200
    signed_in = call(
        browser,
        "post",
        "/admin/login/?next=/admin/",
        data={
            "username": "editor",
            "password": "staff-password",
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )
    assert signed_in.status_code == 302, signed_in.content
    assert settings.SESSION_COOKIE_NAME in browser.cookies
    return browser


def test_a_session_saved_at_sign_in_signs_the_next_request_in(staff_browser: AsyncClient) -> None:
    page = call(staff_browser, "get", "/admin/")

    assert page.status_code == 200
    assert "editor" in page.content.decode()
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"


def test_a_sign_in_without_the_csrf_token_is_refused(db: None) -> None:
    StaffUserFactory(username="editor", password="staff-password")
    browser = AsyncClient(enforce_csrf_checks=True)
    call(browser, "get", "/admin/login/")

    response = call(
        browser,
        "post",
        "/admin/login/?next=/admin/",
        data={"username": "editor", "password": "staff-password"},
    )

    assert response.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in browser.cookies


def test_the_api_checks_csrf_for_a_session_and_not_for_an_app(staff_browser: AsyncClient) -> None:
    token = staff_browser.cookies[settings.CSRF_COOKIE_NAME].value

    forged = call(staff_browser, "post", "/graphql/", data=GRAPHQL, content_type="application/json")
    sent = call(
        staff_browser,
        "post",
        "/graphql/",
        data=GRAPHQL,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    app = call(AsyncClient(), "post", "/graphql/", data=GRAPHQL, content_type="application/json")

    assert forged.status_code == 403
    assert (sent.status_code, sent.json()["data"]) == (200, {"genres": []})
    assert (app.status_code, app.json()["data"]) == (200, {"genres": []})
    assert "Set-Cookie" not in app.headers  # nothing stored for a client without a session
