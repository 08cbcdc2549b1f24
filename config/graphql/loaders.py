"""Per-request DataLoaders, one per field of the query wherever that field sits in its lists.

A loader that shapes its rows with the optimizer needs the selection set of the field it
serves. Every occurrence of a field at the same place of the query (the titles of all
items of all rows, say) shares one selection set, so they share one loader and one batch;
the same field elsewhere, or under another alias, gets a loader of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from strawberry import Info
from strawberry.dataloader import DataLoader

K = TypeVar("K")
V = TypeVar("V")

BatchLoad = Callable[[list[K]], Awaitable[list[V]]]


def field_loader(
    info: Info, name: str, batch_load_for: Callable[[Info], BatchLoad[K, V]]
) -> DataLoader[K, V]:
    """The request's loader `name` for the field `info` resolves, made on first use.

    `batch_load_for` builds the batch function from the `info` of the first occurrence.
    """
    request: Any = info.context.request
    loaders: dict[tuple[str, ...], DataLoader[Any, Any]] = request.__dict__.setdefault(
        "_field_loaders", {}
    )
    key = (name, *(step for step in info.path.as_list() if isinstance(step, str)))
    loader = loaders.get(key)
    if loader is None:
        loader = DataLoader(load_fn=batch_load_for(info))
        loaders[key] = loader
    return loader
