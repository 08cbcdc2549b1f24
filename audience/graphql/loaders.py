"""Per-request batching of audience figures that catalog types show: popularity, similar titles."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from strawberry import Info
from strawberry.dataloader import DataLoader
from strawberry_django.optimizer import optimize

from audience import selectors
from audience.models import SimilarTitle, TitlePopularity
from audience.personalization import serving_rules
from config.graphql.loaders import BatchLoad, field_loader

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


# A title's id, how many similar titles to show, and the region they must be available in.
SimilarKey = tuple[int, int, str | None]


def similar_titles_loader(info: Info) -> DataLoader[SimilarKey, list[SimilarTitle]]:
    """The request's similar titles: a page of titles asks for theirs in one query.

    Shaped by the optimizer for the `similar` field's selection (the similar titles' own
    fields), so a page's similar titles come in a fixed number of queries.
    """
    return field_loader(info, "similar_titles", _similar_titles_by_key)


def _similar_titles_by_key(info: Info) -> BatchLoad[SimilarKey, list[SimilarTitle]]:
    def fetch(keys: list[SimilarKey]) -> list[list[SimilarTitle]]:
        requests: dict[tuple[int, str | None], set[int]] = {}
        for title_id, first, region in keys:
            requests.setdefault((first, region), set()).add(title_id)
        found: dict[SimilarKey, list[SimilarTitle]] = {}
        for (first, region), title_ids in requests.items():
            rows = serving_rules.similar_titles(title_ids, first=first, region=region)
            for row in optimize(rows, info):
                found.setdefault((row.title_id, first, region), []).append(row)
        return [found.get(key, []) for key in keys]

    async def load(keys: list[SimilarKey]) -> list[list[SimilarTitle]]:
        return await sync_to_async(fetch)(keys)

    return load
