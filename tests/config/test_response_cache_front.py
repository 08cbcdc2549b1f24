"""Hits answered in front of Django: the same bytes and headers as Django's own hits, no
stale page after an edit, and every request that is not plainly anonymous left to Django.

These call the ASGI application the server runs (`config.asgi.application`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_started
from strawberry.relay import to_base64

from catalog.models import Title
from config.asgi import application
from tests.config.test_response_cache import TITLE_PAGE
from tests.graphql import fresh_address

Response = tuple[int, dict[str, str], bytes]


def asgi_post(
    body: dict[str, Any], headers: dict[str, str] | None = None, *, client: str = "127.0.0.1"
) -> Response:
    """One POST to /graphql/ through the ASGI application: status, headers, body."""
    content = json.dumps(body).encode()
    sent = {"content-type": "application/json", "host": "testserver", **(headers or {})}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql/",
        "raw_path": b"/graphql/",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in sent.items()],
        "client": (client, 50000),
        "server": ("testserver", 80),
    }
    messages: list[dict[str, Any]] = []

    async def exchange() -> None:
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                await asyncio.sleep(3600)
            delivered = True
            return {"type": "http.request", "body": content, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        await application(scope, receive, send)

    asyncio.run(exchange())
    start = messages[0]
    names = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body_bytes = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], names, body_bytes


@pytest.fixture(autouse=True)
def front_unlearned() -> None:
    """Each test starts with a front that has not seen Django answer a hit yet."""
    application.hit_headers.clear()


@pytest.fixture
def django_requests() -> Iterator[list[object]]:
    """The requests that entered Django, as its request_started signal counts them."""
    entered: list[object] = []

    def count(**kwargs: Any) -> None:
        entered.append(kwargs)

    request_started.connect(count)
    yield entered
    request_started.disconnect(count)


def page_of(title: Title) -> dict[str, Any]:
    return {"query": TITLE_PAGE, "variables": {"id": to_base64("Title", title.pk)}}


def test_a_hit_is_answered_before_django_as_django_answers_it(
    film: Title, django_requests: list[object]
) -> None:
    # Given a title page computed and stored, then served once from the cache by Django
    _, _, computed = asgi_post(page_of(film))
    status, djangos_headers, djangos_hit = asgi_post(page_of(film))
    assert (status, djangos_headers["cache-status"]) == (200, "catalog-graphql; hit")
    assert len(django_requests) == 2

    # When the page is asked for again, naming its request id
    status, headers, body = asgi_post(page_of(film), {"x-request-id": "front-1"})

    # Then it is answered without Django, with Django's bytes and headers
    assert len(django_requests) == 2
    assert status == 200
    assert body == djangos_hit == computed
    assert json.loads(body)["data"]["title"]["name"] == "Night Train"
    assert headers.pop("x-request-id") == "front-1"
    djangos_headers.pop("x-request-id")
    assert headers == djangos_headers


def test_an_edit_shows_in_the_next_response(film: Title, django_requests: list[object]) -> None:
    for _ in range(3):
        asgi_post(page_of(film))  # stored, a hit in Django, a hit in front
    entered = len(django_requests)

    film.name = "Night Train to Lisbon"
    film.save()
    _, headers, body = asgi_post(page_of(film))

    assert json.loads(body)["data"]["title"]["name"] == "Night Train to Lisbon"
    assert headers["cache-status"] == "catalog-graphql; fwd=miss; stored"
    assert len(django_requests) == entered + 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"headers": {"authorization": "Bearer nonsense"}}, "a token"),
        ({"headers": {"cookie": "sessionid=abc"}}, "a session"),
        ({"headers": {"accept": "application/graphql-response+json"}}, "another media type"),
        ({"headers": {"host": "evil.example"}}, "a host not allowed"),
        ({"body": {"extensions": {"persistedQuery": {"version": 1}}}}, "a persisted query"),
    ],
)
def test_requests_that_are_not_plainly_anonymous_go_to_django(
    film: Title, django_requests: list[object], change: dict[str, Any], reason: str
) -> None:
    for _ in range(2):
        asgi_post(page_of(film))  # stored, and a hit in Django
    entered = len(django_requests)

    asgi_post({**page_of(film), **change.get("body", {})}, change.get("headers"))

    assert len(django_requests) == entered + 1, reason


def test_hits_answered_in_front_count_towards_the_rate_limit(
    film: Title, settings: Any, django_requests: list[object]
) -> None:
    for _ in range(2):
        asgi_post(page_of(film))  # stored, and a hit in Django
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_PER_IP = 3
    settings.RATE_LIMIT_WINDOW_SECONDS = 60
    address = fresh_address()
    entered = len(django_requests)

    answers = [asgi_post(page_of(film), client=address) for _ in range(4)]

    # three hits answered in front, then one over the limit, which Django refuses
    assert [status for status, _, _ in answers] == [200, 200, 200, 429]
    assert {h["cache-status"] for _, h, _ in answers[:3]} == {"catalog-graphql; hit"}
    assert len(django_requests) == entered + 1
