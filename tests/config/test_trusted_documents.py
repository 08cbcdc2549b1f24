"""Trusted documents: a front end sends a document's id instead of its text, and in
allow-list mode the server runs nothing but the documents of its manifest."""

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from strawberry.relay import to_base64

from audience.models import MyListEntry
from tests.deployment import UNUSED_DATABASE, base_environment, production_environment, run_python
from tests.factories import GenreFactory, ProfileFactory, SeriesFactory
from tests.graphql import client_of

GENRES = "query Genres { genres { name } }"
ADD_TO_MY_LIST = """mutation AddToMyList($profileId: ID!, $titleId: ID!) {
  addToMyList(profileId: $profileId, titleId: $titleId) { title { name } }
}"""
UNTRUSTED = "{ genres { slug } }"


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_manifest(path: Path, manifest: dict[str, str]) -> str:
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return str(path)


@pytest.fixture
def trusted(settings: Any, tmp_path: Path) -> None:
    """The server deployed with a manifest of two documents, allow-list mode off."""
    settings.GRAPHQL_TRUSTED_DOCUMENTS = write_manifest(
        tmp_path / "persisted-documents.json",
        {f"sha256:{sha256_of(GENRES)}": GENRES, sha256_of(ADD_TO_MY_LIST): ADD_TO_MY_LIST},
    )
    settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY = False


@pytest.fixture
def trusted_only(trusted: None, settings: Any) -> None:
    settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY = True


def post(body: dict[str, Any], accept: str = "application/json") -> Any:
    return Client().post(
        "/graphql/", data=body, content_type="application/json", headers={"accept": accept}
    )


def only_error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert "data" not in body, body
    (error,) = body["errors"]
    return {"code": error["extensions"]["code"], "message": error["message"]}


@pytest.mark.parametrize(
    "document_id", [f"sha256:{sha256_of(GENRES)}", sha256_of(GENRES)], ids=["prefixed", "bare"]
)
def test_a_document_sent_by_its_id_runs_as_its_text(
    db: None, trusted: None, document_id: str
) -> None:
    GenreFactory(name="Drama")

    response = post({"documentId": document_id})

    assert response.status_code == 200
    assert response.json()["data"] == {"genres": [{"name": "Drama"}]}


def test_the_automatic_persisted_queries_form_names_a_document_too(db: None, trusted: None) -> None:
    GenreFactory(name="Drama")

    response = post(
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_of(GENRES)}}}
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"genres": [{"name": "Drama"}]}


def test_a_get_by_id_from_a_browser_runs_the_document_rather_than_open_graphiql(
    db: None, trusted: None
) -> None:
    GenreFactory(name="Drama")

    # fetch() in a browser sends `Accept: */*`, which also asks for the IDE
    response = Client().get(
        "/graphql/", {"documentId": f"sha256:{sha256_of(GENRES)}"}, headers={"accept": "*/*"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["data"] == {"genres": [{"name": "Drama"}]}


def test_a_trusted_mutation_by_id_over_get_is_still_refused(db: None, trusted: None) -> None:
    profile = ProfileFactory()
    variables = {
        "profileId": to_base64("Profile", profile.pk),
        "titleId": to_base64("Title", SeriesFactory().pk),
    }

    response = client_of(profile.account).get(
        "/graphql/",
        {"documentId": sha256_of(ADD_TO_MY_LIST), "variables": json.dumps(variables)},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert not MyListEntry.objects.exists()


@pytest.mark.parametrize(
    ("accept", "status"), [("application/json", 200), ("application/graphql-response+json", 400)]
)
def test_an_unknown_document_id_is_a_not_found_error(
    db: None, trusted: None, accept: str, status: int
) -> None:
    unknown = f"sha256:{sha256_of(UNTRUSTED)}"

    response = post({"documentId": unknown}, accept)

    assert response.status_code == status
    assert only_error(response) == {
        "code": "NOT_FOUND",
        "message": f"No trusted document has the id '{unknown}': it is not in the manifest "
        "this server was deployed with.",
    }


def test_a_document_id_is_not_found_where_no_manifest_is_deployed(db: None) -> None:
    response = post({"documentId": f"sha256:{sha256_of(GENRES)}"})

    assert only_error(response)["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "document_id",
    [
        f"md5:{sha256_of(GENRES)}",
        f"sha256:{sha256_of(GENRES).upper()}",
        f"sha256:{sha256_of(GENRES)[:32]}",
        42,
    ],
)
def test_a_malformed_document_id_is_a_bad_request(
    db: None, trusted: None, document_id: object
) -> None:
    response = post({"documentId": document_id})

    assert response.status_code == 400
    assert only_error(response)["code"] == "BAD_USER_INPUT"
    assert only_error(response)["message"].startswith("A document id is 'sha256:' followed by")


def test_without_allow_list_mode_any_document_text_runs(db: None, trusted: None) -> None:
    GenreFactory(name="Drama")

    response = post({"query": UNTRUSTED})

    assert response.status_code == 200
    assert response.json()["data"] == {"genres": [{"slug": "drama"}]}


@pytest.mark.parametrize(
    ("accept", "status"), [("application/json", 200), ("application/graphql-response+json", 403)]
)
def test_allow_list_mode_refuses_document_text_that_is_not_trusted(
    db: None, trusted_only: None, accept: str, status: int
) -> None:
    response = post({"query": UNTRUSTED}, accept)

    assert response.status_code == status
    assert only_error(response) == {
        "code": "FORBIDDEN",
        "message": "This server runs only the trusted documents of its manifest, and this "
        "document is not one of them.",
    }


def test_allow_list_mode_refuses_untrusted_text_over_get_too(db: None, trusted_only: None) -> None:
    response = Client().get("/graphql/", {"query": UNTRUSTED}, headers={"accept": "*/*"})

    assert only_error(response)["code"] == "FORBIDDEN"


def test_allow_list_mode_runs_trusted_documents_by_id_or_by_their_exact_text(
    db: None, trusted_only: None
) -> None:
    GenreFactory(name="Drama")

    by_id = post({"documentId": f"sha256:{sha256_of(GENRES)}"})
    by_text = post({"query": GENRES})
    reformatted = post({"query": GENRES.replace(" {", "{")})

    assert by_id.json()["data"] == {"genres": [{"name": "Drama"}]}
    assert by_text.json()["data"] == {"genres": [{"name": "Drama"}]}
    assert only_error(reformatted)["code"] == "FORBIDDEN"


def start(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Start Django as a deployment would, in a process of its own, with these variables."""
    return run_python(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY)",
        ],
        base_environment(DATABASE_URL=UNUSED_DATABASE) | environment,
    )


BAD_MANIFESTS = {
    "an id that is not its text's hash": (
        {f"sha256:{sha256_of(GENRES)}": UNTRUSTED},
        "has 1 ids that are not the SHA-256 of their document's text: sha256:",
    ),
    "an id that is no hash at all": ({"Genres": GENRES}, "has 1 ids that are not the SHA-256"),
    "a list, not an object": ([GENRES], "must be a JSON object from document id"),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("case", list(BAD_MANIFESTS))
def test_a_start_with_a_manifest_whose_ids_do_not_match_fails_naming_them(
    tmp_path: Path, case: str
) -> None:
    manifest, message = BAD_MANIFESTS[case]
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")

    result = start({"GRAPHQL_TRUSTED_DOCUMENTS": str(path)})

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.subprocess
def test_a_start_with_a_missing_manifest_fails_naming_it(tmp_path: Path) -> None:
    result = start({"GRAPHQL_TRUSTED_DOCUMENTS": str(tmp_path / "missing.json")})

    assert result.returncode != 0
    assert (
        f"GRAPHQL_TRUSTED_DOCUMENTS names {tmp_path / 'missing.json'}, which does not exist."
        in (result.stderr)
    )


@pytest.mark.subprocess
def test_a_start_in_allow_list_mode_without_a_manifest_fails() -> None:
    result = start({"GRAPHQL_TRUSTED_DOCUMENTS_ONLY": "true"})

    assert result.returncode != 0
    assert (
        "GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on but GRAPHQL_TRUSTED_DOCUMENTS names no manifest"
        in (result.stderr)
    )


PRODUCTION = production_environment(
    ALLOWED_HOSTS="catalog.example.com",
    DATABASE_URL=UNUSED_DATABASE,
)


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("environment", "allow_list"),
    [
        ({}, "False"),
        ({"GRAPHQL_TRUSTED_DOCUMENTS": "{manifest}"}, "True"),
        (
            {"GRAPHQL_TRUSTED_DOCUMENTS": "{manifest}", "GRAPHQL_TRUSTED_DOCUMENTS_ONLY": "false"},
            "False",
        ),
    ],
    ids=["no manifest", "a manifest", "a manifest, allow-list switched off"],
)
def test_production_runs_in_allow_list_mode_when_a_manifest_is_deployed(
    tmp_path: Path, environment: dict[str, str], allow_list: str
) -> None:
    manifest = write_manifest(tmp_path / "m.json", {sha256_of(GENRES): GENRES})

    result = start(
        PRODUCTION | {name: value.format(manifest=manifest) for name, value in environment.items()}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == allow_list
