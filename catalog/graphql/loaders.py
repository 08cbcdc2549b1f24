"""Per-request batching of titles that other apps' types show by id (home rows, reasons)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from strawberry import Info
from strawberry.dataloader import DataLoader
from strawberry_django.optimizer import optimize

from catalog.models import Title
from config.graphql_loaders import BatchLoad, field_loader


def title_loader(info: Info) -> DataLoader[int, Title | None]:
    """Titles by id for the field `info` resolves: all its occurrences in one query.

    The optimizer shapes that query for the field's selection, so nested fields (genres,
    credits, artwork) come in a fixed number of queries too.
    """
    return field_loader(info, "titles", _titles_by_id)


def _titles_by_id(info: Info) -> BatchLoad[int, Title | None]:
    def fetch(ids: list[int]) -> list[Title | None]:
        titles = {title.pk: title for title in optimize(Title.objects.filter(pk__in=ids), info)}
        return [titles.get(title_id) for title_id in ids]

    async def load(ids: list[int]) -> list[Title | None]:
        return await sync_to_async(fetch)(ids)

    return load
