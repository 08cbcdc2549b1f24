"""Arguments every part of the schema shares: page sizes, cursors and global ids.

Strawberry parses cursors and ids deep inside its relay machinery, where a bad
value surfaces as a bare `ValueError` ("Incorrect padding", "Field 'id' expected a
number"). These checks run first, so a caller gets a BAD_USER_INPUT error that
names the argument instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from strawberry import relay
from strawberry.extensions import FieldExtension
from strawberry.relay.types import PREFIX as CURSOR_PREFIX

from config.errors import BadUserInput


def validated_page_size(size: int, *, argument: str) -> int:
    """Return `size` if it is a page size the API serves, else raise BAD_USER_INPUT."""
    maximum: int = settings.GRAPHQL_MAX_PAGE_SIZE
    if size < 0:
        raise BadUserInput(f"Argument '{argument}' must be a non-negative integer.", field=argument)
    if size > maximum:
        raise BadUserInput(
            f"Argument '{argument}' cannot be higher than {maximum}.", field=argument
        )
    return size


def _is_cursor(value: str) -> bool:
    try:
        prefix, offset = relay.from_base64(value)
    except ValueError:
        return False
    return prefix == CURSOR_PREFIX and offset.isdigit()


class CursorArguments(FieldExtension):
    """Rejects an `after` or `before` that is not a cursor this API returned."""

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        for argument in ("after", "before"):
            value = kwargs.get(argument)
            if isinstance(value, str) and not _is_cursor(value):
                raise BadUserInput(
                    f"Argument '{argument}' is not a cursor returned by this list.",
                    field=argument,
                )
        return kwargs


def _check_node_id(global_id: relay.GlobalID, type_name: str | None, *, argument: str) -> None:
    # Every model behind a node has an integer primary key.
    if type_name is not None and global_id.type_name != type_name:
        raise BadUserInput(
            f"Argument '{argument}' must be the id of a {type_name}.", field=argument
        )
    if not global_id.node_id.isdigit():
        raise BadUserInput(
            f"Argument '{argument}' is not the id of any {global_id.type_name}.", field=argument
        )


class NodeIdArguments(FieldExtension):
    """Checks `id` (or every one of `ids`) before the node is looked up.

    With `type_name`, the id must name an object of that type: `title(id:)` given
    a person's id is bad input rather than a type error deep in the executor.
    """

    def __init__(self, type_name: str | None = None) -> None:
        self.type_name = type_name

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if isinstance(kwargs.get("id"), relay.GlobalID):
            _check_node_id(kwargs["id"], self.type_name, argument="id")
        for global_id in kwargs.get("ids") or ():
            _check_node_id(global_id, self.type_name, argument="ids")
        return kwargs
