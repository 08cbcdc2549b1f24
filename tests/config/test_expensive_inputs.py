"""Cheap requests that would cost minutes: every bound is checked before SQL runs, and a
statement that runs too long anyway is cancelled and answered with a code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from catalog.search import SEARCH_MAX_LENGTH
from config.graphql.errors import TIMEOUT_MESSAGE
from tests.factories import PersonFactory, ProductionFactory, StaffUserFactory, TitleFactory
from tests.graphql import client_of, graphql

NAMES = "first: 5) { edges { node { name } } } }"
SEARCHES = {
    "search(query:)": (f"query ($q: String!) {{ search(query: $q, {NAMES}", "query"),
    "titles(filters: {search})": (
        f"query ($q: String!) {{ titles(filters: {{search: $q}}, {NAMES}",
        "search",
    ),
    "people(filters: {search})": (
        f"query ($q: String!) {{ people(filters: {{search: $q}}, {NAMES}",
        "search",
    ),
}
LONG_OR_BROKEN = {
    "5,000 percent signs": "%" * 5_000,
    "a megabyte": "godfather " * 100_000,
    "one character over": "a" * (SEARCH_MAX_LENGTH + 1),
    # refused for every string input, naming the variable
    "a lone surrogate": "god\ud800father",
    "a NUL byte": "god\x00father",
}


def refusal(body: dict[str, Any]) -> tuple[Any, str, str | None]:
    error = body["errors"][0]
    return body["data"], error["extensions"]["code"], error["extensions"].get("field")


@pytest.mark.parametrize("text", LONG_OR_BROKEN.values(), ids=LONG_OR_BROKEN)
@pytest.mark.parametrize(("query", "field"), SEARCHES.values(), ids=SEARCHES)
def test_a_search_too_long_or_not_text_is_refused_before_any_sql(
    db: None, query: str, field: str, text: str
) -> None:
    with CaptureQueriesContext(connection) as captured:
        body = graphql(Client(), query, {"q": text})

    data, code, named = refusal(body)
    assert code == "BAD_USER_INPUT"
    assert named in (field, "search", "q")
    assert data is None or all(value is None for value in data.values())
    assert [q["sql"] for q in captured if "catalog_" in q["sql"]] == []


def test_a_search_is_normalised_before_it_matches(db: None) -> None:
    TitleFactory(name="Amélie", synopsis="")
    decomposed = "Ame\u0301lie"  # the accent as a combining mark, as some keyboards send it

    body = graphql(
        Client(),
        "query ($q: String!) { search(query: $q, first: 5) { edges { node { name } } } }",
        {"q": f"  {decomposed}\t"},
    )

    assert body["data"]["search"]["edges"] == [{"node": {"name": "Amélie"}}]


def test_a_search_of_the_longest_allowed_text_runs(db: None) -> None:
    PersonFactory(name="Diane Keaton")

    body = graphql(
        Client(),
        SEARCHES["people(filters: {search})"][0],
        {"q": "%" * SEARCH_MAX_LENGTH},
    )

    assert "errors" not in body
    assert body["data"]["people"]["edges"] == []


def test_nodes_takes_at_most_a_page_of_ids(db: None) -> None:
    ids = [to_base64("Title", pk) for pk in range(1, 102)]

    with CaptureQueriesContext(connection) as captured:
        body = graphql(Client(), "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})

    assert refusal(body)[1:] == ("BAD_USER_INPUT", "ids")
    assert body["errors"][0]["message"] == "Argument 'ids' cannot hold more than 100 ids."
    assert [q["sql"] for q in captured if "catalog_" in q["sql"]] == []


@pytest.fixture
def genres_locked(transactional_db: None) -> Iterator[None]:
    """Another session holding the genres table, so that a read of it waits."""
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    ) as other:
        other.execute("LOCK TABLE catalog_genre IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


def test_a_statement_over_the_timeout_is_a_timeout_error_naming_no_sql(
    genres_locked: None,
) -> None:
    # Given statements that may run 200 ms, and a read that cannot finish in time
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '200ms'")
    try:
        # When it is asked for
        body = graphql(Client(), "{ genres { name } }")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")

    # Then PostgreSQL cancelled it, and the caller gets a TIMEOUT with a message of ours
    assert body["data"] is None
    assert [(error["extensions"]["code"], error["message"]) for error in body["errors"]] == [
        ("TIMEOUT", TIMEOUT_MESSAGE)
    ]


def test_a_selection_repeated_past_the_width_limit_is_refused_before_validation(
    db: None, graphql_core_validations: list[int]
) -> None:
    widest = graphql(Client(), "{ " + "genres { name } " * 100 + "}")
    too_wide = graphql(Client(), "{ " + "genres { slug } " * 400 + "}")

    assert "errors" not in widest
    assert too_wide["data"] is None
    assert [(e["extensions"]["code"], e["message"]) for e in too_wide["errors"]] == [
        (
            "BAD_USER_INPUT",
            "A selection holds 400 fields and fragments; at most 100 are allowed in one.",
        )
    ]
    assert graphql_core_validations == [1]  # the refused one never reached graphql-core's rules


UNTEXTUAL = {
    "a NUL in a genre filter": (
        "query ($g: [String!]) { titles(filters: {genres: $g}, first: 1) { totalCount } }",
        {"g": ["dra\x00ma"]},
        "g",
    ),
    "a lone surrogate in a certificate filter": (
        "query ($m: [String!]) { titles(filters: {maturityRating: $m}, first: 1) { totalCount } }",
        {"m": ["PG\ud800"]},
        "m",
    ),
    "a NUL written in the document": (
        '{ titles(filters: {genres: ["dra\\u0000ma"]}, first: 1) { totalCount } }',
        {},
        "filters",
    ),
}


@pytest.mark.parametrize(("query", "variables", "field"), UNTEXTUAL.values(), ids=UNTEXTUAL)
def test_a_string_that_is_not_text_is_bad_input_naming_where_it_came(
    db: None, query: str, variables: dict[str, Any], field: str
) -> None:
    with CaptureQueriesContext(connection) as captured:
        body = graphql(Client(), query, variables)

    assert body["data"] is None
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", field)
    ]
    assert [q["sql"] for q in captured if "catalog_" in q["sql"]] == []


def test_a_staff_text_input_with_a_nul_changes_nothing(db: None) -> None:
    staff = StaffUserFactory()
    production = ProductionFactory()

    body = graphql(
        client_of(staff),
        "mutation ($id: ID!, $c: String!) { addCastingRole(productionId: $id, character: $c,"
        " isLead: true) { id } }",
        {"id": to_base64("Production", production.pk), "c": "Ma\x00ra"},
    )

    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "c"
    assert not production.roles.exists()
