"""Limits on one request: tokens, depth, aliases, cost; introspection only where it is on.

Includes the published ways around depth and alias limits: cyclic fragments, aliases
hidden in fragments spread many times, and operations, fragments or aliases named
`__schema`.
"""

import time
from typing import Any

import pytest
from django.test import Client, override_settings
from graphql import get_introspection_query

from tests.factories import CastCreditFactory, EpisodeFactory, SeasonFactory, SeriesFactory
from tests.graphql import error_codes, graphql

COST_LIMIT = 100_000


def messages(body: dict[str, Any]) -> list[str]:
    return [error["message"] for error in body["errors"]]


def parents(levels: int) -> str:
    """`parent { parent { ... name } }`, `levels` times."""
    return "parent { " * levels + "name" + " }" * levels


def on_a_title(selection: str) -> str:
    """`selection` on the first title: three levels deep before it (titles, edges, node)."""
    return f"titles(first: 1) {{ edges {{ node {{ {selection} }} }} }}"


def assert_refused(body: dict[str, Any], message: str) -> None:
    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert messages(body) == [message]


# Cost


def test_a_query_within_the_limits_runs_and_reports_its_cost(db: None) -> None:
    SeriesFactory(name="Dark")

    body = graphql(Client(), "{ titles(first: 20) { totalCount edges { node { name } } } }")

    # titles + totalCount + edges, and 20 items of node + name
    assert body["data"]["titles"]["edges"] == [{"node": {"name": "Dark"}}]
    assert body["extensions"]["cost"] == {"requested": 3 + 20 * 2, "limit": COST_LIMIT}


def test_a_page_size_in_a_variable_counts_as_given(db: None) -> None:
    query = "query ($n: Int!) { titles(first: $n) { edges { node { name } } } }"

    body = graphql(Client(), query, {"n": 5})

    assert body["data"] == {"titles": {"edges": []}}
    assert body["extensions"]["cost"]["requested"] == 2 + 5 * 2


def test_a_list_without_a_page_size_counts_a_full_page(db: None) -> None:
    body = graphql(Client(), "{ titles { edges { node { name } } } genres { name } }")

    # a connection serves 100 items unasked; a plain list is taken to hold 20
    assert body["extensions"]["cost"]["requested"] == (2 + 100 * 2) + (1 + 20 * 1)


def test_two_full_pages_nested_run_and_a_third_level_is_refused_before_any_query(
    db: None, django_assert_num_queries: Any
) -> None:
    two_levels = (
        "{ titles(first: 100) { edges { node { credits(first: 100) { edges { node {"
        " person { name } } } } } } } }"
    )
    three_levels = (
        "{ titles(first: 100) { edges { node { credits(first: 100) { edges { node {"
        " person { credits(first: 10) { edges { node { id } } } } } } } } } } }"
    )

    served = graphql(Client(), two_levels)
    with django_assert_num_queries(0):
        refused = graphql(Client(), three_levels)

    assert "errors" not in served
    assert served["extensions"]["cost"] == {"requested": 30_302, "limit": COST_LIMIT}
    assert_refused(
        refused,
        "The operation costs 240302; at most 100000 is allowed. "
        "Ask for smaller pages (first, last) or fewer nested lists.",
    )
    assert refused["extensions"]["cost"] == {"requested": 240_302, "limit": COST_LIMIT}


@override_settings(GRAPHQL_MAX_COST=50)
def test_the_cost_limit_names_the_operation(db: None) -> None:
    body = graphql(Client(), "query Shelf { titles(first: 30) { edges { node { name } } } }")

    assert_refused(
        body,
        "Operation 'Shelf' costs 62; at most 50 is allowed. "
        "Ask for smaller pages (first, last) or fewer nested lists.",
    )
    assert body["extensions"]["cost"] == {"requested": 62, "limit": 50}


def test_a_page_over_the_maximum_is_refused_by_the_page_size_check(db: None) -> None:
    body = graphql(Client(), "{ titles(first: 500) { edges { node { name } } } }")

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert messages(body) == ["Argument 'first' cannot be higher than 100."]
    # counted at the largest page the API serves
    assert body["extensions"]["cost"]["requested"] == 2 + 100 * 2


# Depth


def test_ten_levels_run_and_eleven_are_refused(db: None) -> None:
    episode = EpisodeFactory(name="Pilot", parent=SeasonFactory(parent=SeriesFactory(name="Dark")))
    assert episode.parent is not None

    ten = graphql(Client(), "{ " + on_a_title(parents(7)) + " }")
    eleven = graphql(Client(), "{ " + on_a_title(parents(8)) + " }")

    assert "errors" not in ten
    assert_refused(eleven, "The operation nests 11 levels deep; at most 10 are allowed.")
    assert eleven["extensions"]["cost"]["requested"] == 2 + 1 * (1 + 8 + 1)


def test_depth_through_fragments_counts_in_full(db: None) -> None:
    chain = "".join(
        f"fragment P{level} on Title {{ parent {{ ...P{level + 1} }} }} " for level in range(1, 8)
    )
    query = "{ " + on_a_title("...P1") + " } " + chain + "fragment P8 on Title { parent { name } }"

    body = graphql(Client(), query)

    assert_refused(body, "The operation nests 11 levels deep; at most 10 are allowed.")


def test_depth_through_inline_fragments_counts_in_full(db: None) -> None:
    inline = "... on Title { parent { " * 8 + "name" + " } }" * 8

    body = graphql(Client(), "{ " + on_a_title(inline) + " }")

    assert_refused(body, "The operation nests 11 levels deep; at most 10 are allowed.")


@pytest.mark.parametrize(
    ("fragments", "message"),
    [
        # as deep as graphql-core lets a document nest through fragments (200 levels)
        (98, "The operation nests 100 levels deep; at most 10 are allowed."),
        (180, "Validation aborted."),
    ],
)
def test_a_long_chain_of_fragments_is_refused_without_a_recursion_error(
    db: None, fragments: int, message: str
) -> None:
    chain = "".join(
        f"fragment P{level} on Title {{ parent {{ ...P{level + 1} }} }} "
        for level in range(1, fragments)
    )
    query = (
        "{ " + on_a_title("...P1") + " } " + chain + f"fragment P{fragments} on Title {{ name }}"
    )

    body = graphql(Client(), query)

    assert_refused(body, message)


def test_nesting_past_what_the_parser_accepts_is_a_coded_syntax_error(db: None) -> None:
    body = graphql(Client(), "{ " + on_a_title(parents(250)) + " }")

    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert messages(body)[0].startswith("Syntax Error: Document is nested too deeply")
    assert body["extensions"]["cost"] == {"requested": None, "limit": COST_LIMIT}


# Cyclic fragments


@pytest.mark.parametrize(
    ("fragments", "message"),
    [
        (
            "fragment A on Title { parent { ...A } }",
            "Cannot spread fragment 'A' within itself.",
        ),
        (
            "fragment A on Title { parent { ...B } } fragment B on Title { children { ...A } }",
            "Cannot spread fragment 'A' within itself via 'B'.",
        ),
        (
            "fragment A on Title { ...B name } fragment B on Title { ...A year }",
            "Cannot spread fragment 'A' within itself via 'B'.",
        ),
    ],
    ids=["itself", "through another", "without a field between"],
)
def test_cyclic_fragments_are_refused_with_a_code(db: None, fragments: str, message: str) -> None:
    started = time.perf_counter()
    body = graphql(Client(), "{ " + on_a_title("...A") + " } " + fragments)

    assert time.perf_counter() - started < 5
    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert messages(body) == [message]
    assert body["extensions"]["cost"]["limit"] == COST_LIMIT


# Aliases


def aliased_names(count: int, prefix: str = "a") -> str:
    return " ".join(f"{prefix}{number}: name" for number in range(count))


def test_thirty_aliases_run_and_thirty_one_are_refused(db: None) -> None:
    SeriesFactory(name="Dark")

    thirty = graphql(Client(), "{ " + on_a_title(aliased_names(30)) + " }")
    thirty_one = graphql(Client(), "{ " + on_a_title(aliased_names(31)) + " }")

    assert thirty["data"]["titles"]["edges"][0]["node"]["a29"] == "Dark"
    assert_refused(
        thirty_one,
        "The operation uses 31 aliases (counting every fragment spread); at most 30 are allowed.",
    )


def test_aliases_in_a_fragment_count_at_every_spread(db: None) -> None:
    fragment = "fragment Names on Title { " + aliased_names(8) + " }"

    three_spreads = graphql(Client(), "{ " + on_a_title("...Names " * 3) + " } " + fragment)
    four_spreads = graphql(Client(), "{ " + on_a_title("...Names " * 4) + " } " + fragment)
    two_by_two = graphql(
        Client(),
        "{ "
        + on_a_title("...Twice ...Twice")
        + " } fragment Twice on Title { ...Names ...Names } "
        + fragment,
    )

    assert "errors" not in three_spreads
    refusal = (
        "The operation uses 32 aliases (counting every fragment spread); at most 30 are allowed."
    )
    assert_refused(four_spreads, refusal)
    assert_refused(two_by_two, refusal)


def test_fragments_that_each_spread_the_next_twice_are_counted_without_expanding_them(
    db: None,
) -> None:
    # 2^40 copies of one aliased field, in a document of a few hundred tokens
    levels = 40
    chain = "".join(
        f"fragment F{level} on Title {{ ...F{level + 1} ...F{level + 1} }} "
        for level in range(levels)
    )
    query = (
        "{ " + on_a_title("...F0") + " } " + chain + f"fragment F{levels} on Title {{ a: name }}"
    )

    started = time.perf_counter()
    body = graphql(Client(), query)

    assert time.perf_counter() - started < 5
    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT", "BAD_USER_INPUT"]
    assert messages(body)[0] == (
        f"The operation uses {2**levels} aliases (counting every fragment spread); "
        "at most 30 are allowed."
    )
    assert body["extensions"]["cost"]["requested"] == 2 + 1 * (1 + 2**levels)


# Operations, fragments and aliases named like introspection


def test_an_operation_named_schema_is_held_to_every_limit(db: None) -> None:
    too_deep = graphql(Client(), "query __schema { " + on_a_title(parents(8)) + " }")
    too_many_aliases = graphql(Client(), "query __schema { " + on_a_title(aliased_names(31)) + " }")

    assert_refused(too_deep, "Operation '__schema' nests 11 levels deep; at most 10 are allowed.")
    assert_refused(
        too_many_aliases,
        "Operation '__schema' uses 31 aliases (counting every fragment spread); "
        "at most 30 are allowed.",
    )


def test_a_fragment_named_schema_is_held_to_every_limit(db: None) -> None:
    too_deep = graphql(
        Client(),
        "{ " + on_a_title("...__schema") + " } fragment __schema on Title { " + parents(8) + " }",
    )
    too_many_aliases = graphql(
        Client(),
        "{ "
        + on_a_title("...__schema ...__schema")
        + " } fragment __schema on Title { "
        + aliased_names(16)
        + " }",
    )

    assert_refused(too_deep, "The operation nests 11 levels deep; at most 10 are allowed.")
    assert_refused(
        too_many_aliases,
        "The operation uses 32 aliases (counting every fragment spread); at most 30 are allowed.",
    )


def test_a_field_aliased_schema_is_held_to_the_depth_limit(db: None) -> None:
    body = graphql(
        Client(),
        "{ __schema: titles(first: 1) { edges { node { " + parents(8) + " } } } }",
    )

    assert_refused(body, "The operation nests 11 levels deep; at most 10 are allowed.")


@override_settings(GRAPHQL_MAX_COST=100)
def test_an_operation_and_a_fragment_named_schema_are_held_to_the_cost_limit(db: None) -> None:
    body = graphql(
        Client(),
        "query __schema { titles(first: 60) { edges { node { ...__schema } } } } "
        "fragment __schema on Title { name }",
    )

    assert_refused(
        body,
        "Operation '__schema' costs 122; at most 100 is allowed. "
        "Ask for smaller pages (first, last) or fewer nested lists.",
    )


# Introspection


@override_settings(GRAPHQL_INTROSPECTION_ENABLED=False)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ __schema { queryType { name } } }", "__schema"),
        ('{ __type(name: "Title") { name } }', "__type"),
        (
            "query __schema { ...__schema } "
            "fragment __schema on Query { __schema { types { name } } }",
            "__schema",
        ),
        ('{ genres { name } ... on Query { __type(name: "Title") { name } } }', "__type"),
    ],
    ids=["__schema", "__type", "inside a fragment named __schema", "inside an inline fragment"],
)
def test_introspection_is_refused_where_it_is_off(db: None, query: str, field: str) -> None:
    body = graphql(Client(), query)

    # one error for the field and one for each field selected inside it
    assert body["data"] is None
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}
    assert messages(body)[0] == (
        "GraphQL introspection has been disabled, but the requested query contained "
        f"the field '{field}'."
    )


@override_settings(GRAPHQL_INTROSPECTION_ENABLED=False)
def test_typename_still_works_where_introspection_is_off(db: None) -> None:
    body = graphql(Client(), "query __schema { __typename genres { __typename name } }")

    assert body["data"] == {"__typename": "Query", "genres": []}


@override_settings(GRAPHQL_INTROSPECTION_ENABLED=True)
def test_where_introspection_is_on_graphiql_s_query_passes_the_limits(db: None) -> None:
    body = graphql(Client(), get_introspection_query(descriptions=True))

    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}
    assert body["extensions"]["cost"] == {"requested": 220, "limit": COST_LIMIT}


@override_settings(GRAPHQL_INTROSPECTION_ENABLED=True)
def test_where_introspection_is_on_its_nesting_is_still_bounded(db: None) -> None:
    body = graphql(
        Client(),
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
    )

    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert messages(body) == ["Maximum introspection depth exceeded"]


# Tokens


def test_a_document_of_two_thousand_tokens_runs_and_one_more_is_refused_while_parsing(
    db: None,
) -> None:
    def with_genres(count: int) -> str:
        # 16 tokens around the list of genres
        return "{ titles(filters: {genres: [" + '"x" ' * count + "]}) { totalCount } }"

    at_limit = graphql(Client(), with_genres(1984))
    over = graphql(Client(), with_genres(1985))

    assert at_limit["data"] == {"titles": {"totalCount": 0}}
    assert over["data"] is None
    assert error_codes(over) == ["BAD_USER_INPUT"]
    assert messages(over) == [
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    ]
    assert over["extensions"]["cost"] == {"requested": None, "limit": COST_LIMIT}


def test_a_credit_page_counts_its_people_once_per_item(db: None) -> None:
    CastCreditFactory()

    body = graphql(
        Client(),
        "{ titles(first: 10) { edges { node { credits(first: 5) { totalCount edges {"
        " node { person { name } } } } } } } }",
    )

    assert "errors" not in body
    # per title: node, credits, totalCount, edges and 5 x (node, person, name)
    assert body["extensions"]["cost"]["requested"] == 2 + 10 * (1 + 3 + 5 * 3)


# Documents parsed and validated once


def test_a_repeated_document_is_validated_once_and_its_cost_measured_every_time(
    db: None, graphql_core_validations: list[int]
) -> None:
    # A document of this test's own, so that no other test has validated it before
    query = (
        "query CachedShelf($n: Int!) { titles(first: $n) { edges { node { "
        "credits(first: $n) { edges { node { person { name } } } } } } } }"
    )

    small = graphql(Client(), query, {"n": 10})
    again = graphql(Client(), query, {"n": 20})
    too_big = graphql(Client(), query, {"n": 400})

    assert graphql_core_validations == [1]
    assert "errors" not in small
    assert "errors" not in again
    assert (small["extensions"]["cost"]["requested"], again["extensions"]["cost"]["requested"]) == (
        2 + 10 * (3 + 10 * 3),
        2 + 20 * (3 + 20 * 3),
    )
    assert_refused(too_big, "Argument 'first' cannot be higher than 100.")


def test_another_document_is_validated_on_its_own(
    db: None, graphql_core_validations: list[int]
) -> None:
    graphql(Client(), "query OneShelf { genres { name } }")
    graphql(Client(), "query OtherShelf { genres { slug } }")

    assert graphql_core_validations == [1, 1]
