"""GraphQL over HTTP at /graphql/: methods, media types and status codes.

The behaviour follows the GraphQL-over-HTTP specification; the last test runs the audit
suite of the npm package `graphql-http` against a live server.
"""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client, RequestFactory
from django.test.client import MULTIPART_CONTENT
from strawberry.relay import to_base64

from audience.models import MyListEntry
from config.graphql.view import GraphQLEndpointView
from config.schema import schema
from tests.factories import GenreFactory, ProfileFactory, SeriesFactory
from tests.graphql import client_of

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
AUDIT_SCRIPT = Path(__file__).with_name("graphql_http_audit.mjs")
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"

GENRES = "{ genres { name } }"
ADD_TO_MY_LIST = """
mutation ($profileId: ID!, $titleId: ID!) {
  addToMyList(profileId: $profileId, titleId: $titleId) { title { name } }
}
"""
PROFILE_NAME = "query ($id: ID!) { profile(id: $id) { name } }"


def post(client: Client, body: object, accept: str | None = None) -> Any:
    headers = {} if accept is None else {"accept": accept}
    return client.post(
        "/graphql/", data=json.dumps(body), content_type="application/json", headers=headers
    )


def only_error(response: Any) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    return {"code": error["extensions"]["code"], "message": error["message"]}


def test_a_query_runs_over_get_with_variables_in_the_query_string(db: None) -> None:
    response = Client().get(
        "/graphql/",
        {
            "query": "query ($name: String!) { __type(name: $name) { name } }",
            "variables": '{"name": "Genre"}',
        },
        headers={"accept": "application/json"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["data"] == {"__type": {"name": "Genre"}}


@pytest.mark.django_db
def test_a_mutation_over_get_is_refused_with_405_and_changes_nothing() -> None:
    # given a viewer signed in, with a profile and a series to add
    profile = ProfileFactory()
    series = SeriesFactory()
    variables = {
        "profileId": to_base64("Profile", profile.pk),
        "titleId": to_base64("Title", series.pk),
    }

    # when the mutation is sent over GET
    response = client_of(profile.account).get(
        "/graphql/",
        {"query": ADD_TO_MY_LIST, "variables": json.dumps(variables)},
        headers={"accept": "application/json"},
    )

    # then it is refused, pointing at POST, and nothing is written
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert only_error(response) == {
        "code": "BAD_USER_INPUT",
        "message": "mutations are not allowed when using GET: send them with POST.",
    }
    assert not MyListEntry.objects.exists()


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS"])
def test_methods_other_than_get_and_post_get_405_naming_the_two(db: None, method: str) -> None:
    response = Client().generic(method, "/graphql/", json.dumps({"query": GENRES}))

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        ("application/json; charset=utf-8", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/html, */*;q=0.8", "application/json"),
        ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", "application/json"),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE_JSON),
        ("application/json;q=0, */*", GRAPHQL_RESPONSE_JSON),
    ],
)
def test_the_response_media_type_follows_the_accept_header(
    db: None, accept: str | None, content_type: str
) -> None:
    GenreFactory(name="Drama")

    response = post(Client(), {"query": GENRES}, accept)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Vary"] == "Accept"
    assert response.json()["data"] == {"genres": [{"name": "Drama"}]}


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml", "application/json;q=0", "text/*, image/*"]
)
def test_an_accept_header_allowing_neither_json_type_gets_406(db: None, accept: str) -> None:
    response = post(Client(), {"query": GENRES}, accept)

    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


REQUEST_ERRORS = {
    "unparsable document": ({"query": "{ genres { name }"}, "Syntax Error"),
    "unknown field": ({"query": "{ nonsense }"}, "Cannot query field 'nonsense'"),
    "variable of the wrong type": (
        {"query": "query ($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}},
        "Variable '$id' has invalid value",
    ),
    "unknown operation name": (
        {"query": "query A { genres { name } }", "operationName": "B"},
        "Unknown operation named",
    ),
}


@pytest.mark.parametrize("case", list(REQUEST_ERRORS))
def test_a_document_that_cannot_run_is_400_without_data_in_the_graphql_response_type(
    db: None, case: str
) -> None:
    body, message = REQUEST_ERRORS[case]

    response = post(Client(), body, "application/graphql-response+json")

    assert response.status_code == 400
    assert response["Content-Type"] == GRAPHQL_RESPONSE_JSON
    assert "data" not in response.json()
    assert only_error(response)["code"] == "BAD_USER_INPUT"
    assert message in only_error(response)["message"]


@pytest.mark.parametrize(
    "case", ["unparsable document", "unknown field", "variable of the wrong type"]
)
def test_a_document_that_cannot_run_is_200_with_null_data_in_plain_json(
    db: None, case: str
) -> None:
    body, message = REQUEST_ERRORS[case]

    response = post(Client(), body, "application/json")

    assert response.status_code == 200
    assert response.json()["data"] is None
    assert only_error(response)["code"] == "BAD_USER_INPUT"
    assert message in only_error(response)["message"]


@pytest.mark.django_db
def test_a_field_error_keeps_200_and_the_data_entry_in_the_graphql_response_type() -> None:
    profile = ProfileFactory()

    response = post(
        Client(),
        {"query": PROFILE_NAME, "variables": {"id": to_base64("Profile", profile.pk)}},
        "application/graphql-response+json",
    )

    assert response.status_code == 200
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["path"] == ["profile"]
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


MALFORMED_BODIES = {
    "not JSON": ('{"query": "{ genres', "Unable to parse request body as JSON"),
    "empty": ("", "Unable to parse request body as JSON"),
    "a JSON string": ('"{ genres { name } }"', "The request body must be a JSON object."),
    "a batch": ('[{"query": "{ genres { name } }"}]', "Batching is not enabled"),
    "no query": ("{}", "No GraphQL query found in the request"),
    "a query that is not a string": (
        '{"query": 1}',
        "The GraphQL operation's `query` must be a string or null, if provided.",
    ),
    "variables that are not an object": (
        '{"query": "{ genres { name } }", "variables": "x"}',
        "The GraphQL operation's `variables` must be an object or null, if provided.",
    ),
    "an operation name that is not a string": (
        '{"query": "{ genres { name } }", "operationName": 1}',
        "The GraphQL operation's `operationName` must be a string or null, if provided.",
    ),
    "extensions that are not an object": (
        '{"query": "{ genres { name } }", "extensions": []}',
        "The GraphQL operation's `extensions` must be an object or null, if provided.",
    ),
    "bytes that are not UTF-8": (
        b'{"query": "{ genres { name } }", "variables": {"a": "\xff\xfe"}}',
        "The request body is not UTF-8 text.",
    ),
    "arrays nested past the decoder's limit": (
        '{"query": "{ genres { name } }", "variables": {"a": '
        + "[" * 100_000
        + "]" * 100_000
        + "}}",
        "The request's JSON is nested too deeply.",
    ),
    "an integer of 5,000 digits": (
        '{"query": "{ genres { name } }", "variables": {"a": ' + "9" * 5_000 + "}}",
        "The request's JSON holds an integer of more than 4,300 digits.",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED_BODIES))
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_a_malformed_request_gets_400_with_a_code(db: None, case: str, accept: str) -> None:
    body, message = MALFORMED_BODIES[case]

    response = Client().generic(
        "POST", "/graphql/", body, headers={"accept": accept}, CONTENT_TYPE="application/json"
    )

    assert response.status_code == 400
    assert only_error(response) == {"code": "BAD_USER_INPUT", "message": message}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "The request's JSON is nested too deeply."),
        ("9" * 5_000, "The request's JSON holds an integer of more than 4,300 digits."),
    ],
    ids=["nested too deeply", "too many digits"],
)
def test_malformed_variables_in_a_get_get_400_with_a_code(
    db: None, variables: str, message: str
) -> None:
    response = Client().get("/graphql/", {"query": "{ genres { name } }", "variables": variables})

    assert response.status_code == 400
    assert only_error(response) == {"code": "BAD_USER_INPUT", "message": message}


def test_a_body_over_the_upload_limit_gets_413_with_a_code(db: None, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"query": "{ genres { name } }", "variables": {"pad": "x" * 2_000}})

    response = Client().post("/graphql/", body, content_type="application/json")

    assert response.status_code == 413
    assert only_error(response) == {
        "code": "BAD_USER_INPUT",
        "message": "The request body is over the 1,000 bytes allowed.",
    }


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/graphql"]
)
def test_a_post_body_that_is_not_json_gets_415(db: None, content_type: str) -> None:
    response = Client().post("/graphql/", data=GENRES, content_type=content_type)

    assert response.status_code == 415
    assert only_error(response) == {
        "code": "BAD_USER_INPUT",
        "message": "Send the request body as application/json.",
    }


def test_multipart_uploads_are_not_accepted(db: None) -> None:
    response = Client().post(
        "/graphql/",
        data={"operations": json.dumps({"query": GENRES}), "map": "{}"},
        content_type=MULTIPART_CONTENT,
    )

    assert response.status_code == 415


def test_a_browser_gets_a_404_error_where_graphiql_is_off() -> None:
    # given the view as production builds it (DEBUG off: no GraphiQL)
    view: Any = async_to_sync(GraphQLEndpointView.as_view(schema=schema, graphql_ide=None))

    # when a browser opens the endpoint
    response = view(RequestFactory().get("/graphql/", headers={"accept": "text/html"}))

    # then it gets an error, not the IDE
    assert response.status_code == 404
    assert json.loads(response.content)["errors"][0]["extensions"] == {"code": "NOT_FOUND"}


@pytest.mark.subprocess
def test_the_graphql_http_audit_finds_no_failed_must(
    live_server: Any, capsys: Any, record_property: Any
) -> None:
    # given the npm package graphql-http, installed by `make test` (npm ci)
    if not (PROJECT_DIR / "node_modules" / "graphql-http").is_dir():
        pytest.fail("node_modules/graphql-http is missing: run `npm ci` (make test does).")

    # when its server audits run against a live server
    result = subprocess.run(
        ["node", str(AUDIT_SCRIPT), f"{live_server.url}/graphql/"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    audits = json.loads(result.stdout)

    # then no MUST fails; how many SHOULDs pass is reported
    musts = [audit for audit in audits if audit["name"].startswith("MUST")]
    shoulds = [audit for audit in audits if audit["name"].startswith("SHOULD")]
    shoulds_passed = sum(audit["status"] == "ok" for audit in shoulds)
    record_property("graphql_http_should_audits_passed", f"{shoulds_passed}/{len(shoulds)}")
    with capsys.disabled():
        print(
            f"\ngraphql-http audits: {len(musts)} MUST, "
            f"{shoulds_passed} of {len(shoulds)} SHOULD passed, "
            f"not passed: {[audit['id'] for audit in audits if audit['status'] != 'ok']}"
        )
    assert musts
    assert [
        f"{audit['id']} {audit['name']}: {audit['reason']} (status {audit['responseStatus']})"
        for audit in musts
        if audit["status"] != "ok"
    ] == []
