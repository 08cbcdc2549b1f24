"""Arguments every part of the schema shares: page sizes, cursors and global ids.

Strawberry parses cursors and ids deep inside its relay machinery, where a bad
value surfaces as a bare `ValueError` ("Incorrect padding", "Field 'id' expected a
number"). These checks run first, so a caller gets a BAD_USER_INPUT error that
names the argument instead.
"""

from __future__ import annotations

import re
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


# Keys and offsets are ASCII digits (`str.isdigit` also accepts "²" and "٣"), short
# enough to stay inside PostgreSQL's bigint.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def node_pk(
    global_id: relay.GlobalID, *, type_name: str | None, field: str, label: str | None = None
) -> int:
    """The primary key a global id names, checked; BAD_USER_INPUT naming `field` if it can't.

    With `type_name`, the id must be one of that type. `label` names the value in the
    message (default: "Argument '<field>'").
    """
    label = label or f"Argument '{field}'"
    if type_name is not None and global_id.type_name != type_name:
        raise BadUserInput(f"{label} must be the id of a {type_name}.", field=field)
    if _WHOLE_NUMBER.fullmatch(global_id.node_id) is None:  # every model has an integer key
        raise BadUserInput(f"{label} is not the id of any {global_id.type_name}.", field=field)
    return int(global_id.node_id)


def _is_cursor(value: str) -> bool:
    try:
        prefix, offset = relay.from_base64(value)
    except ValueError:
        return False
    return prefix == CURSOR_PREFIX and _WHOLE_NUMBER.fullmatch(offset) is not None


class ConnectionArguments(FieldExtension):
    """Checks a connection's paging arguments before strawberry slices the list.

    `first` and `last` lie between 0 and the page size; `after` and `before` are cursors
    this API returned.
    """

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        for argument in ("first", "last"):
            if isinstance(kwargs.get(argument), int):
                validated_page_size(kwargs[argument], argument=argument)
        for argument in ("after", "before"):
            value = kwargs.get(argument)
            if isinstance(value, str) and not _is_cursor(value):
                raise BadUserInput(
                    f"Argument '{argument}' is not a cursor returned by this list.",
                    field=argument,
                )
        return kwargs


class NodeIdArguments(FieldExtension):
    """Checks `id` (or every one of `ids`) before the node is looked up.

    With `type_name`, the id must name an object of that type: `title(id:)` given
    a person's id is bad input rather than a type error deep in the executor.
    """

    def __init__(self, type_name: str | None = None) -> None:
        self.type_name = type_name

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if isinstance(kwargs.get("id"), relay.GlobalID):
            node_pk(kwargs["id"], type_name=self.type_name, field="id")
        ids = kwargs.get("ids") or ()
        # Each id is a lookup of its own (about 5 ms): no more of them than a page holds.
        maximum: int = settings.GRAPHQL_MAX_PAGE_SIZE
        if len(ids) > maximum:
            raise BadUserInput(f"Argument 'ids' cannot hold more than {maximum} ids.", field="ids")
        for global_id in ids:
            node_pk(global_id, type_name=self.type_name, field="ids")
        return kwargs
