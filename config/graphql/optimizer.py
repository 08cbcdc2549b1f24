"""One change to strawberry-django's optimizer: a nested connection asked only for its
`totalCount` is prefetched like one asked for its edges.

strawberry-django 0.93 takes its hints for a connection from `edges { node { ... } }`
alone; with no edges selected it has none, prefetches nothing, and every row of the outer
list counts its own connection and loads its own page: `titles { edges { node { credits {
totalCount } } } }` took two statements per title. With the primary key as the hint, the
connection is prefetched for the whole list in one statement that counts per row
(`tests/test_query_counts.py` generates the selections that found it).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLResolveInfo
from strawberry_django import optimizer
from strawberry_django.optimizer import OptimizerStore

_hints_from_edges = optimizer._get_model_hints_from_connection
_CURSORS = {"before", "after"}


def _hints_from_edges_or_count(
    model: type[models.Model],
    schema: Any,
    object_definition: Any,
    *,
    parent_type: GraphQLObjectType | GraphQLInterfaceType,
    info: GraphQLResolveInfo,
    **kwargs: Any,
) -> OptimizerStore | None:
    store = _hints_from_edges(
        model, schema, object_definition, parent_type=parent_type, info=info, **kwargs
    )
    if store is None and _selects_count(info):
        pk = model._meta.pk
        assert pk is not None
        store = OptimizerStore(only=[pk.attname])
    return store


def _selects_count(info: GraphQLResolveInfo) -> bool:
    """The connection is asked for its count, without a cursor: a count ignores cursors,
    and a bad one is then reported at the connection's own path, where it was written."""
    return any(
        selection.name.value == "totalCount"
        for field_node in info.field_nodes
        if field_node.selection_set is not None
        and not any(argument.name.value in _CURSORS for argument in field_node.arguments or ())
        for selection in field_node.selection_set.selections
        if hasattr(selection, "name")
    )


def install() -> None:
    optimizer._get_model_hints_from_connection = _hints_from_edges_or_count
