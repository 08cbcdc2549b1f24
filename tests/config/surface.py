"""The schema's surface as the permission tests walk it: what a field can reach, and a
selection of every field of a type."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.pyutils import Undefined

from config.schema import schema

# The schema as it executes, with the root fields the printed SDL leaves out (federation's
# `_entities` and `_service`).
EXECUTABLE_SCHEMA: GraphQLSchema = schema._schema
NODE_INTERFACE = "Node"


def object_type(name: str) -> GraphQLObjectType:
    named = EXECUTABLE_SCHEMA.get_type(name)
    assert is_object_type(named), name
    return named  # type: ignore[return-value]


def root_fields(root: str) -> dict[str, GraphQLField]:
    return dict(object_type(root).fields)


def node_types() -> set[str]:
    node = EXECUTABLE_SCHEMA.get_type(NODE_INTERFACE)
    return {implementation.name for implementation in EXECUTABLE_SCHEMA.get_possible_types(node)}  # type: ignore[arg-type]


def reachable_types(fields: Iterable[GraphQLField], *, nodes: Iterable[str]) -> set[str]:
    """The object types a caller reaches from `fields`, following every field; through
    the Node interface (`node`, `nodes`), only the types named in `nodes`."""
    reached: set[str] = set()
    pending: list[GraphQLNamedType] = [get_named_type(field.type) for field in fields]
    while pending:
        named = pending.pop()
        if named.name == NODE_INTERFACE:
            pending.extend(object_type(name) for name in nodes)
        elif is_abstract_type(named):
            pending.extend(EXECUTABLE_SCHEMA.get_possible_types(named))  # type: ignore[arg-type]
        elif is_object_type(named) and named.name not in reached:
            reached.add(named.name)
            pending.extend(get_named_type(f.type) for f in named.fields.values())  # type: ignore[attr-defined]
    return reached


def described_as_staff_only() -> set[str]:
    """Types and fields whose description says they are for staff: "Staff only", "Staff:"."""
    marked: set[str] = set()
    for named in EXECUTABLE_SCHEMA.type_map.values():
        if named.name.startswith("__") or not is_object_type(named):
            continue
        if _for_staff(named.description):
            marked.add(named.name)
        for name, field in named.fields.items():  # type: ignore[attr-defined]
            if _for_staff(field.description):
                marked.add(f"{named.name}.{name}")
    return marked


def _for_staff(description: str | None) -> bool:
    return bool(description) and description.startswith(("Staff only", "Staff:"))  # type: ignore[union-attr]


def every_field(type_name: str, *, expand: Callable[[str], bool], depth: int = 2) -> str:
    """A selection of every field of the type, its fields standing at `depth` (a root
    field's at 2). Object types for which `expand` is false, and types already on the
    path, get their id and name only; nothing goes deeper than the API's depth limit."""
    return _selection(object_type(type_name), expand, depth, ())


def _selection(
    named: GraphQLObjectType, expand: Callable[[str], bool], depth: int, path: tuple[str, ...]
) -> str:
    if not expand(named.name) or named.name in path:
        return "{ " + " ".join(_identity(named)) + " }"
    selected: list[str] = []
    for name, field in named.fields.items():
        required = [
            argument
            for argument, definition in field.args.items()
            if is_non_null_type(definition.type) and definition.default_value is Undefined
        ]
        assert not required, f"{named.name}.{name} needs {required}: select it by hand"
        field_type = get_named_type(field.type)
        if is_leaf_type(field_type):
            selected.append(name)
        elif depth + 1 <= settings.GRAPHQL_MAX_DEPTH:
            if is_object_type(field_type):
                nested = _selection(field_type, expand, depth + 1, (*path, named.name))  # type: ignore[arg-type]
            else:
                nested = "{ __typename }"
            selected.append(f"{name} {nested}")
    return "{ " + " ".join(selected) + " }"


def _identity(named: GraphQLObjectType) -> list[str]:
    return ["__typename", *(name for name in ("id", "name") if name in named.fields)]
