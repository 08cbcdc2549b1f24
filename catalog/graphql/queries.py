"""The catalog's public read API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import strawberry
import strawberry_django
from strawberry import Info, relay

from catalog import models, selectors
from catalog.graphql.enums import TitleKind
from catalog.graphql.fields import CountedConnection
from catalog.graphql.filters import (
    PersonFilter,
    TitleFilter,
    TitleOrder,
    person_filter_data,
    title_filter_data,
    title_sorts,
)
from catalog.graphql.types import GenreType, PersonType, TitleType
from config.graphql.arguments import ConnectionArguments, NodeIdArguments


@strawberry.type
class Query:
    node: relay.Node | None = strawberry_django.node(
        description="Any object by its global id", extensions=[NodeIdArguments()]
    )
    nodes: list[relay.Node | None] = strawberry_django.node(
        description="Objects by their global ids, in the order given",
        extensions=[NodeIdArguments()],
    )
    title: TitleType | None = strawberry_django.node(
        description="A title by its global id", extensions=[NodeIdArguments("Title")]
    )
    person: PersonType | None = strawberry_django.node(
        description="A person by their global id", extensions=[NodeIdArguments("Person")]
    )

    @strawberry_django.connection(
        CountedConnection[TitleType],
        description="Titles, filtered and ordered; `totalCount` counts every match",
        extensions=[ConnectionArguments()],
    )
    def titles(
        self,
        info: Info,
        # Python names differ from the GraphQL ones so that strawberry-django leaves
        # filtering and ordering to the selector (django-filter, relevance, tie-break).
        title_filter: Annotated[TitleFilter | None, strawberry.argument(name="filters")] = None,
        title_order: Annotated[TitleOrder | None, strawberry.argument(name="order")] = None,
    ) -> Iterable[models.Title]:
        return selectors.title_list(
            user=info.context.request.user,
            filters=title_filter_data(title_filter),
            sorts=title_sorts(title_order),
        )

    @strawberry_django.connection(
        CountedConnection[TitleType],
        description="Titles matching the query, most relevant first; tolerates typos",
        extensions=[ConnectionArguments()],
    )
    def search(
        self, info: Info, query: str, kind: list[TitleKind] | None = None
    ) -> Iterable[models.Title]:
        return selectors.title_search(
            user=info.context.request.user, query=query, kinds=[k.value for k in kind or []]
        )

    @strawberry_django.connection(
        CountedConnection[PersonType],
        description="People, by name",
        extensions=[ConnectionArguments()],
    )
    def people(
        self,
        info: Info,
        person_filter: Annotated[PersonFilter | None, strawberry.argument(name="filters")] = None,
    ) -> Iterable[models.Person]:
        return selectors.person_list(
            user=info.context.request.user, filters=person_filter_data(person_filter)
        )

    @strawberry_django.field(description="Every genre of the catalog, by name")
    def genres(self) -> list[GenreType]:
        return selectors.genre_list()  # type: ignore[return-value]
