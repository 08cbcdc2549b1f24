"""Per-request batching of audience figures that catalog types show (a title's popularity)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from strawberry import Info
from strawberry.dataloader import DataLoader

from audience import selectors
from audience.models import TitlePopularity

PopularityKey = tuple[int, str]


async def _load_popularity(keys: list[PopularityKey]) -> list[TitlePopularity | None]:
    rows = await sync_to_async(selectors.popularity_by_title)(keys)
    return [rows.get(key) for key in keys]


def popularity_loader(info: Info) -> DataLoader[PopularityKey, TitlePopularity | None]:
    """The request's popularity loader: a page of titles asks for their rows in one query."""
    request: Any = info.context.request
    loader: DataLoader[PopularityKey, TitlePopularity | None] | None = getattr(
        request, "_title_popularity_loader", None
    )
    if loader is None:
        loader = DataLoader(load_fn=_load_popularity)
        request._title_popularity_loader = loader
    return loader
