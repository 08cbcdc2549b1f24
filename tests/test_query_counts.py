"""SQL statements per request do not follow the rows: each public list, asked for with its
smallest selection and with its largest (every public field, nested lists included, two
object levels under the list's items), takes as many statements for a catalog of two
titles as for one of six.

The largest selections are generated from the schema, so a field added later is covered
too: a field that loads its rows one object at a time makes its list's count grow.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graphql
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.schema import schema
from tests.factories import (
    ArtworkFactory,
    AvailabilityFactory,
    AwardFactory,
    CastCreditFactory,
    CrewCreditFactory,
    EpisodeFactory,
    GenreFactory,
    SimilarTitleFactory,
    TitleFactory,
    TitlePopularityFactory,
    Top10EntryFactory,
    TrendingEntryFactory,
)
from tests.graphql import data_of
from tests.test_fuzz import STAFF_ONLY_FIELDS, STAFF_ONLY_TYPES

GRAPHQL_SCHEMA: graphql.GraphQLSchema = schema._schema
DEPTH = 2
WEEK = datetime(2026, 11, 2, tzinfo=UTC).date()

# Each public list at the root, with the arguments it needs.
LISTS = {
    "titles": "titles(first: 20)",
    "search": 'search(query: "Title", first: 20)',
    "people": "people(first: 20)",
    "genres": "genres",
    "trending": 'trending(region: "US", first: 20)',
    "top10": 'top10(kind: FILMS, region: "US")',
}


def _leaf(type_: graphql.GraphQLNamedType) -> bool:
    return isinstance(type_, graphql.GraphQLScalarType | graphql.GraphQLEnumType)


def _public_fields(type_: graphql.GraphQLObjectType) -> dict[str, graphql.GraphQLField]:
    """Fields an anonymous caller may select without arguments of their own."""
    return {
        name: field
        for name, field in type_.fields.items()
        if (type_.name, name) not in STAFF_ONLY_FIELDS
        and graphql.get_named_type(field.type).name not in STAFF_ONLY_TYPES
        and not any(
            graphql.is_non_null_type(arg.type) and arg.default_value is graphql.Undefined
            for arg in field.args.values()
        )
    }


def largest_selection(
    type_: graphql.GraphQLObjectType, depth: int = DEPTH, *, counts_only: bool = False
) -> str:
    """Every public field of `type_`, and of the object types under it to `depth` levels;
    with `counts_only`, a nested connection's `totalCount` alone."""
    parts = []
    for name, field in _public_fields(type_).items():
        named = graphql.get_named_type(field.type)
        if _leaf(named):
            parts.append(name)
        elif counts_only and named.name.endswith("Connection"):
            parts.append(f"{name} {{ totalCount }}")
        elif isinstance(named, graphql.GraphQLObjectType) and depth > 0:
            # A connection and its edges wrap the list's items: they take no level.
            wrapper = named.name.endswith(("Connection", "Edge"))
            inner = largest_selection(
                named, depth if wrapper else depth - 1, counts_only=counts_only
            )
            if inner:
                parts.append(f"{name} {{ {inner} }}")
    return " ".join(parts)


def smallest_selection(type_: graphql.GraphQLObjectType) -> str:
    """One scalar of the list's items, through a connection's edges to its node."""
    if "edges" in type_.fields:
        edge = graphql.get_named_type(type_.fields["edges"].type)
        node = graphql.get_named_type(edge.fields["node"].type)  # type: ignore[union-attr]
        return f"edges {{ node {{ {smallest_selection(node)} }} }}"  # type: ignore[arg-type]
    fields = _public_fields(type_)
    if "id" in fields:
        return "id"
    scalar = next(
        (name for name, f in fields.items() if _leaf(graphql.get_named_type(f.type))), None
    )
    if scalar is not None:
        return scalar
    name, field = next(iter(fields.items()))
    return f"{name} {{ {smallest_selection(graphql.get_named_type(field.type))} }}"  # type: ignore[arg-type]


def query_of(root: str, selection: str) -> str:
    return f"{{ {LISTS[root]} {{ {selection} }} }}"


def list_type(root: str) -> graphql.GraphQLObjectType:
    field = GRAPHQL_SCHEMA.query_type.fields[root]  # type: ignore[union-attr]
    return graphql.get_named_type(field.type)  # type: ignore[return-value]


def add_titles(count: int) -> None:
    """`count` movies and a series with a season and an episode each, with everything a
    title page lists: genres, cast and crew, awards, windows, artwork, similar titles,
    places on the charts."""
    genres = [GenreFactory(name="Drama"), GenreFactory(name="Crime")]
    for _ in range(count):
        movie = TitleFactory(genres=genres)
        series = EpisodeFactory().parent.parent
        series.genres.set(genres)
        for title in (movie, series):
            AvailabilityFactory(title=title, region="US")
            ArtworkFactory(title=title)
            TitlePopularityFactory(title=title, region="")
            TitlePopularityFactory(title=title, region="US")
            TrendingEntryFactory(title=title)
            for _ in range(2):
                cast = CastCreditFactory(title=title)
                CrewCreditFactory(title=title, person=cast.person)
            AwardFactory(title=title, person=cast.person)
        SimilarTitleFactory(title=movie, similar=series)
        Top10EntryFactory(title=movie, week_start=WEEK)


def statements(client: Client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        data_of(client, query)
    return len(captured)


@pytest.fixture
def wide_limits(settings: Any) -> None:
    """The largest selections are wider and deeper than a front end's documents."""
    settings.GRAPHQL_MAX_DEPTH = 20
    settings.GRAPHQL_MAX_TOKENS = 20_000
    settings.GRAPHQL_MAX_SELECTIONS = 1_000
    settings.GRAPHQL_MAX_COST = 10_000_000


@pytest.mark.django_db
@pytest.mark.parametrize("root", list(LISTS))
@pytest.mark.parametrize("size", ["smallest", "largest", "largest, nested counts only"])
def test_a_lists_statements_do_not_grow_with_its_rows(
    root: str, size: str, wide_limits: None
) -> None:
    items = list_type(root)
    if size == "smallest":
        selection = smallest_selection(items)
    else:
        selection = largest_selection(items, counts_only=size != "largest")
    query = query_of(root, selection)
    client = Client()
    add_titles(1)
    statements(client, query)  # the first request of a process loads what it keeps

    add_titles(1)
    with_two = statements(client, query)
    add_titles(4)
    with_six = statements(client, query)

    assert with_six == with_two


def test_the_largest_selections_reach_nested_lists() -> None:
    titles = largest_selection(list_type("titles"))
    for nested in ("cast {", "crew {", "genres {", "availability {", "similar {", "credits {"):
        assert nested in titles
