"""The hardening cases through a real production-configured server (uvicorn, as deployed):
every malformed body, string and oversized request gets one coded GraphQL error, never a
server error or Django's HTML page."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from strawberry.relay import to_base64

from config.management.commands.run_service import UVICORN_PROXY_OPTIONS
from tests.deployment import production_environment, servers_database_url, uvicorn_serving

SEARCH = "query ($q: String!) { search(query: $q, first: 5) { edges { node { name } } } }"


def body_of(query: str, **variables: Any) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


# name: (body, expected status, expected code, expected field or None)
CASES: dict[str, tuple[bytes, int, str, str | None]] = {
    "a body that is not UTF-8": (
        b'{"query": "{ genres { name } }\xff"}', 400, "BAD_USER_INPUT", None
    ),
    "variables nested past the decoder's limit": (
        b'{"query": "{ genres { name } }", "variables": {"a": '
        + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        400,
        "BAD_USER_INPUT",
        None,
    ),
    "an integer of 5,000 digits": (
        b'{"query": "{ genres { name } }", "variables": {"n": ' + b"9" * 5_000 + b"}}",
        400,
        "BAD_USER_INPUT",
        None,
    ),
    "a body of 10 MB": (
        body_of("{ genres { name } }", pad="x" * 10_000_000), 413, "BAD_USER_INPUT", None
    ),
    "a search holding a NUL": (body_of(SEARCH, q="heat\x00"), 200, "BAD_USER_INPUT", "q"),
    "a search holding a lone surrogate": (
        b'{"query": "' + SEARCH.encode() + b'", "variables": {"q": "\\ud800"}}',
        200,
        "BAD_USER_INPUT",
        "q",
    ),
    "a search of 1,000 characters": (
        body_of(SEARCH, q="a" * 1_000), 200, "BAD_USER_INPUT", "query"
    ),
    "nodes of 101 ids": (
        body_of(
            "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            ids=[to_base64("Title", n) for n in range(101)],
        ),
        200,
        "BAD_USER_INPUT",
        "ids",
    ),
    "the SDL asked for anonymously": (body_of("{ _service { sdl } }"), 200, "FORBIDDEN", None),
}  # fmt: skip


@pytest.fixture
def production_server(transactional_db: None) -> Iterator[str]:
    """uvicorn with production settings on the test database, as the deployment runs it."""
    environment = production_environment(
        DATABASE_URL=servers_database_url(settings.DATABASES["default"]["NAME"]),
        ALLOWED_HOSTS="127.0.0.1",
    )
    with uvicorn_serving(environment, *UVICORN_PROXY_OPTIONS) as url:
        yield url


def post(url: str, body: bytes) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        f"{url}/graphql/",
        data=body,
        headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_every_refusal_through_the_real_server_is_one_coded_graphql_error(
    production_server: str,
) -> None:
    outcomes = {}
    for name, (body, *_expected) in CASES.items():
        got_status, content_type, content = post(production_server, body)
        assert content_type.startswith("application/json"), (name, got_status, content[:200])
        errors = json.loads(content)["errors"]
        extensions = errors[0].get("extensions", {})
        outcomes[name] = (got_status, extensions.get("code"), extensions.get("field"))
        assert len(errors) == 1, (name, errors)
        assert errors[0]["message"], name

    assert outcomes == {
        name: (status, code, field) for name, (_, status, code, field) in CASES.items()
    }
