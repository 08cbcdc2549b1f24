"""Apollo Federation entity references: how `_entities` finds Titles and People by id.

A router sends the ids it got from this subgraph (or from another one that refers to our
titles) as representations, `{"__typename": "Title", "id": "VGl0bGU6MQ=="}`. They resolve
through the node type's own `resolve_nodes`, the path `node(id:)` and `title(id:)` take, so
the type's `get_queryset` decides what the caller may see there as it does here: an id
it hides, or that names nothing, resolves to null. Every representation of one type in a
request loads in one batch, shaped by the optimizer for the selection.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from functools import partial
from typing import Any

from strawberry import Info, relay
from strawberry.relay.types import GlobalIDValueError

from config.errors import BadUserInput
from config.graphql.arguments import node_pk
from config.graphql.loaders import BatchLoad, field_loader

REPRESENTATIONS = "representations"


def entity_reference(
    node_type: type[relay.Node], info: Info, representation: dict[str, Any]
) -> Awaitable[Any]:
    """The object of `node_type` a representation names, or None if the caller can't see it.

    BAD_USER_INPUT if the representation's `id` is not a global id of that type.
    """
    type_name = node_type.__strawberry_definition__.name  # type: ignore[attr-defined]
    pk = _representation_pk(representation, type_name)
    loader = field_loader(info, f"entities:{type_name}", partial(_nodes_by_pk, node_type))
    return loader.load(pk)


def _representation_pk(representation: dict[str, Any], type_name: str) -> int:
    label = f"A {type_name} representation's id"
    value = representation.get("id")
    if not isinstance(value, str):
        raise BadUserInput(
            f"{label} must be the global id of a {type_name}.", field=REPRESENTATIONS
        )
    try:
        global_id = relay.GlobalID.from_id(value)
    except GlobalIDValueError:
        raise BadUserInput(
            f"{label} must be the global id of a {type_name}.", field=REPRESENTATIONS
        ) from None
    return node_pk(global_id, type_name=type_name, field=REPRESENTATIONS, label=label)


def _nodes_by_pk(node_type: type[relay.Node], info: Info) -> BatchLoad[int, Any]:
    async def load(pks: list[int]) -> list[Any]:
        nodes: Any = node_type.resolve_nodes(
            info=info, node_ids=[str(pk) for pk in pks], required=False
        )
        if inspect.isawaitable(nodes):
            nodes = await nodes
        return list(nodes)

    return load
