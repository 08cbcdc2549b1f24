"""Titles by id, as their caller may see them: `node(id:)` lookups, and per-request batching
of titles that other apps' types show by id (home rows, reasons).

A title the caller may not see (see `catalog.visibility.titles_visible_to`) comes back as
None, as an id that names nothing does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from asgiref.sync import sync_to_async
from django.db.models import QuerySet
from strawberry import Info
from strawberry.dataloader import DataLoader
from strawberry.utils.await_maybe import AwaitableOrValue
from strawberry_django.optimizer import optimize, optimizer
from strawberry_django.resolvers import django_resolver

from catalog.models import Title
from catalog.visibility import titles_visible_to
from config.errors import NotFound
from config.graphql.loaders import BatchLoad, field_loader


def visible_titles(info: Info) -> QuerySet[Title]:
    return Title.objects.filter(titles_visible_to(info.context.request.user))


def title_nodes(
    node_type: type, info: Info, node_ids: Iterable[str], *, required: bool
) -> AwaitableOrValue[list[Any]]:
    """The titles of `node_ids` in their order, None for one the caller may not see.

    What strawberry-django's own node lookup does, from the titles the caller may see;
    NOT_FOUND instead of None where the field must return a title.
    """
    return django_resolver(_title_nodes)(node_type, info, list(node_ids), required)  # type: ignore[no-any-return]


def title_node(
    node_type: type, info: Info, node_id: str, *, required: bool
) -> AwaitableOrValue[Any]:
    """The title of `node_id`, as `title_nodes` finds it."""
    return django_resolver(_title_node)(node_type, info, node_id, required)


def _title_node(node_type: type, info: Info, node_id: str, required: bool) -> Any:
    return _title_nodes(node_type, info, [node_id], required)[0]


def _title_nodes(node_type: type, info: Info, node_ids: list[str], required: bool) -> list[Any]:
    titles = visible_titles(info).filter(pk__in=node_ids)
    extension = optimizer.get()
    if extension is not None:
        titles = extension.optimize(titles, info=info)
    found = {str(title.pk): strawberry.cast(node_type, title) for title in titles}
    nodes = [found.get(str(node_id)) for node_id in node_ids]
    if required and None in nodes:
        raise NotFound("No title has this id.", field="id")
    return nodes


def title_loader(info: Info) -> DataLoader[int, Title | None]:
    """Titles by id for the field `info` resolves: all its occurrences in one query.

    The optimizer shapes that query for the field's selection, so nested fields (genres,
    credits, artwork) come in a fixed number of queries too.
    """
    return field_loader(info, "titles", _titles_by_id)


def _titles_by_id(info: Info) -> BatchLoad[int, Title | None]:
    def fetch(ids: list[int]) -> list[Title | None]:
        titles = {
            title.pk: title for title in optimize(visible_titles(info).filter(pk__in=ids), info)
        }
        return [titles.get(title_id) for title_id in ids]

    async def load(ids: list[int]) -> list[Title | None]:
        return await sync_to_async(fetch)(ids)

    return load
