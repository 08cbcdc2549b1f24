"""Unexpected errors: masked in production, logged in full with the request id."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from catalog import selectors
from tests.deployment import UNUSED_DATABASE, production_environment, run_python
from tests.graphql import error_codes, graphql

MASKED = "An unexpected error occurred on our side. Quote the request id when reporting it."
SECRET_DETAIL = 'relation "catalog_genre" does not exist (password=hunter2)'


@pytest.fixture
def broken_genres(monkeypatch: pytest.MonkeyPatch) -> None:
    """`genres` fails the way a bug or an outage would, with details no caller should see."""

    def fail() -> None:
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(selectors, "genre_list", fail)


def post(query: str, **headers: str) -> Any:
    return Client().post(
        "/graphql/", data={"query": query}, content_type="application/json", **headers
    )


@override_settings(GRAPHQL_MASK_INTERNAL_ERRORS=True)
def test_under_production_settings_an_unexpected_error_shows_only_a_request_id(
    db: None, broken_genres: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="config.graphql.errors"):
        response = post("{ genres { name } }")

    request_id = response["X-Request-ID"]
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert response.json()["errors"] == [
        {
            "message": MASKED,
            "locations": [{"line": 1, "column": 3}],
            "path": ["genres"],
            "extensions": {"code": "INTERNAL", "requestId": request_id},
        }
    ]
    assert "hunter2" not in response.content.decode()
    # the log has it all, under the same id
    [record] = [r for r in caplog.records if r.name == "config.graphql.errors"]
    assert record.getMessage() == f"Unexpected GraphQL error in request {request_id}"
    assert record.request_id == request_id  # type: ignore[attr-defined]
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == SECRET_DETAIL


@override_settings(GRAPHQL_MASK_INTERNAL_ERRORS=False)
def test_in_development_an_unexpected_error_keeps_its_message(
    db: None, broken_genres: None
) -> None:
    response = post("{ genres { name } }")

    [error] = response.json()["errors"]
    assert error["message"] == SECRET_DETAIL
    assert error["extensions"] == {"code": "INTERNAL", "requestId": response["X-Request-ID"]}


@override_settings(GRAPHQL_MASK_INTERNAL_ERRORS=True)
def test_under_production_settings_expected_errors_keep_their_message(db: None) -> None:
    body = graphql(Client(), "{ titles(first: 500) { totalCount } }")

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "Argument 'first' cannot be higher than 100."
    assert "requestId" not in body["errors"][0]["extensions"]


@override_settings(GRAPHQL_MASK_INTERNAL_ERRORS=True)
def test_a_sane_request_id_sent_by_the_caller_is_kept(db: None, broken_genres: None) -> None:
    response = post("{ genres { name } }", HTTP_X_REQUEST_ID="edge-7f3a:42")

    assert response["X-Request-ID"] == "edge-7f3a:42"
    assert response.json()["errors"][0]["extensions"]["requestId"] == "edge-7f3a:42"


@pytest.mark.parametrize(
    "inbound",
    ["two words", "x" * 129, "quote'\"", ""],
    ids=["space", "too long", "quotes", "empty"],
)
def test_an_unsafe_request_id_is_replaced_by_a_new_one(db: None, inbound: str) -> None:
    first = post("{ __typename }", HTTP_X_REQUEST_ID=inbound)
    second = post("{ __typename }", HTTP_X_REQUEST_ID=inbound)

    assert first["X-Request-ID"] != inbound
    assert len(first["X-Request-ID"]) == 32
    assert int(first["X-Request-ID"], 16) >= 0  # hexadecimal
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_every_response_names_its_request_id(db: None) -> None:
    health = Client().get("/healthz")
    admin = Client().get("/admin/login/")

    assert len(health["X-Request-ID"]) == 32
    assert len(admin["X-Request-ID"]) == 32


@pytest.fixture
def console_log() -> Iterator[io.StringIO]:
    """What the console handler of the settings' LOGGING writes."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_every_log_line_of_a_request_names_its_id(
    db: None, broken_genres: None, console_log: io.StringIO
) -> None:
    failed = post("{ genres { name } }")
    # Django logs a 4xx that a view returns after the middleware is done with it
    refused = Client().put("/graphql/", data="{}", content_type="application/json")

    lines = console_log.getvalue().splitlines()
    failed_id, refused_id = failed["X-Request-ID"], refused["X-Request-ID"]
    assert refused.status_code == 405
    assert any(
        f" ERROR config.graphql.errors [{failed_id}] Unexpected GraphQL error" in line
        for line in lines
    )
    assert any(f" ERROR strawberry.execution [{failed_id}] " in line for line in lines)
    assert any(
        line.endswith(f" WARNING django.request [{refused_id}] Method Not Allowed: /graphql/")
        for line in lines
    )
    # and nothing logged later claims their ids
    logging.getLogger("catalog").warning("after the requests")
    assert (
        console_log.getvalue().splitlines()[-1].endswith(" WARNING catalog [-] after the requests")
    )


PRODUCTION_CHECK = """
import json

import django

django.setup()

from django.test import Client

from catalog import selectors


def fail():
    raise RuntimeError("password=hunter2")


selectors.genre_list = fail
client = Client()


def post(query):
    response = client.post(
        "/graphql/", {"query": query}, content_type="application/json", secure=True
    )
    return {"body": response.json(), "request_id": response["X-Request-ID"]}


ide = client.get("/graphql/", HTTP_ACCEPT="text/html", secure=True)
print(json.dumps({
    "ide": {"status": ide.status_code, "graphiql": b"graphiql" in ide.content.lower()},
    "introspection": post("{ __schema { queryType { name } } }"),
    "typename": post("{ __typename }"),
    "failure": post("{ genres { name } }"),
}))
"""


@pytest.mark.subprocess
def test_production_settings_serve_no_graphiql_nor_introspection_and_mask_errors() -> None:
    # given the service started as in production (requests touch neither database nor Redis)
    environment = production_environment(
        ALLOWED_HOSTS="testserver", DATABASE_URL=UNUSED_DATABASE, RATE_LIMIT_ENABLED="false"
    )

    result = run_python(["-c", PRODUCTION_CHECK], environment)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["ide"]["graphiql"] is False
    assert seen["ide"]["status"] != 200
    introspection = seen["introspection"]["body"]
    assert introspection["data"] is None
    assert introspection["errors"][0]["message"] == (
        "GraphQL introspection has been disabled, but the requested query contained "
        "the field '__schema'."
    )
    assert introspection["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert seen["typename"]["body"]["data"] == {"__typename": "Query"}
    failure, request_id = seen["failure"]["body"], seen["failure"]["request_id"]
    assert failure["errors"][0]["message"] == MASKED
    assert failure["errors"][0]["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    # the full error is in the log, on a line that names the request
    assert f"[{request_id}] Unexpected GraphQL error in request {request_id}" in result.stderr
    assert "RuntimeError: password=hunter2" in result.stderr
