"""Inputs of the catalog's list queries: filters and ordering."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from catalog.graphql.enums import TitleKind
from catalog.selectors import TitleSort, TitleSortField
from config.graphql.arguments import node_pk


@strawberry.input(description="An inclusive range of whole numbers; either end may be open")
class IntRange:
    gte: int | None = None
    lte: int | None = None


@strawberry.input(description="Which titles to list; all conditions must hold")
class TitleFilter:
    kind: list[TitleKind] | None = strawberry.field(default=None, description="Any of these kinds")
    genres: list[str] | None = strawberry.field(default=None, description="Genre slugs, any of")
    year: IntRange | None = None
    runtime_minutes: IntRange | None = None
    maturity_rating: list[str] | None = strawberry.field(
        default=None, description="Certificate codes, any of (e.g. PG-13)"
    )
    original_language: str | None = None
    is_original: bool | None = None
    available_in: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 region where the title is available now"
    )
    person_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only titles this person is credited on"
    )
    search: str | None = strawberry.field(default=None, description="Words of the name or synopsis")


@strawberry.enum(description="Sort direction; nulls always sort last")
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(
    description=(
        "How to order titles. Give one field (or several, applied in the order "
        "name, year, releaseDate, runtimeMinutes, popularity, relevance); ties break by id."
    )
)
class TitleOrder:
    name: SortDirection | None = None
    year: SortDirection | None = None
    release_date: SortDirection | None = None
    runtime_minutes: SortDirection | None = None
    popularity: SortDirection | None = strawberry.field(
        default=None,
        description="Worldwide views over the popularity window; titles nobody watched last",
    )
    relevance: SortDirection | None = strawberry.field(
        default=None, description="Only with a search filter"
    )


def title_filter_data(filters: TitleFilter | None) -> dict[str, Any]:
    """The TitleFilterSet data for a GraphQL filter input."""
    if filters is None:
        return {}
    data: dict[str, Any] = {}
    if filters.kind:
        data["kind"] = [kind.value for kind in filters.kind]
    if filters.genres:
        data["genres"] = ",".join(filters.genres)
    if filters.maturity_rating:
        data["maturity_rating"] = ",".join(filters.maturity_rating)
    for name, value in (("year", filters.year), ("runtime", filters.runtime_minutes)):
        if value is not None:
            data[f"{name}_min"] = value.gte
            data[f"{name}_max"] = value.lte
    if filters.person_id is not None:
        data["person_id"] = node_pk(
            filters.person_id, type_name="Person", field="personId", label="personId"
        )
    for name in ("original_language", "is_original", "available_in", "search"):
        value = getattr(filters, name)
        if value is not None:
            data[name] = value
    return {key: value for key, value in data.items() if value is not None}


def title_sorts(order: TitleOrder | None) -> list[TitleSort]:
    if order is None:
        return []
    return [
        TitleSort(field, descending=direction is SortDirection.DESC)
        for field, direction in (
            (TitleSortField.NAME, order.name),
            (TitleSortField.YEAR, order.year),
            (TitleSortField.RELEASE_DATE, order.release_date),
            (TitleSortField.RUNTIME, order.runtime_minutes),
            (TitleSortField.POPULARITY, order.popularity),
            (TitleSortField.RELEVANCE, order.relevance),
        )
        if direction is not None
    ]


@strawberry.input(description="Which people to list")
class PersonFilter:
    search: str | None = strawberry.field(
        default=None, description="Part of the name; typos allowed"
    )
    title_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only people credited on this title"
    )


def person_filter_data(filters: PersonFilter | None) -> dict[str, Any]:
    if filters is None:
        return {}
    data: dict[str, Any] = {}
    if filters.search is not None:
        data["search"] = filters.search
    if filters.title_id is not None:
        data["title_id"] = node_pk(
            filters.title_id, type_name="Title", field="titleId", label="titleId"
        )
    return data
