"""The home screen as the API shows it: `audience.personalization.home` computes the rows,
these map them.

Every title of the screen (the items of all rows) loads through one per-request loader,
shaped by the optimizer for the query's selection: a fixed number of queries per screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from audience.graphql.enums import HomeRowKind
from audience.personalization import home
from catalog.graphql.loaders import title_loader

if TYPE_CHECKING:
    from catalog.graphql.types import GenreType, TitleType

Title = Annotated["TitleType", strawberry.lazy("catalog.graphql.types")]
Genre = Annotated["GenreType", strawberry.lazy("catalog.graphql.types")]


@strawberry.type(name="HomeItem", description="A title on a row of the home screen")
class HomeItemType:
    progress: float | None = strawberry.field(
        description=(
            "Continue Watching: share of the runtime watched in the latest session (0-1); "
            "null on other rows or when the runtime is unknown"
        )
    )
    title_id: strawberry.Private[int]

    @strawberry.field(
        description="A movie or series; on Continue Watching, the episode or movie to resume"
    )
    async def title(self, info: Info) -> Title:
        return await title_loader(info).load(self.title_id)  # type: ignore[return-value]

    @classmethod
    def of(cls, item: home.HomeItem) -> HomeItemType:
        return cls(progress=item.progress, title_id=item.title_id)


@strawberry.type(name="HomeRow", description="A row of the home screen: a heading and titles")
class HomeRowType:
    kind: HomeRowKind
    title: str = strawberry.field(
        description="The heading: 'Top 10 in France', 'Because you watched Heat', 'Comedies'"
    )
    genre: Genre | None = strawberry.field(description="The genre of a GENRE row")
    items: list[HomeItemType]
    because_you_watched_id: strawberry.Private[int | None]

    @strawberry.field(description="The watched title behind a BECAUSE_YOU_WATCHED row")
    async def because_you_watched(self, info: Info) -> Title | None:
        if self.because_you_watched_id is None:
            return None
        return await title_loader(info).load(self.because_you_watched_id)  # type: ignore[return-value]

    @classmethod
    def of(cls, row: home.HomeRow) -> HomeRowType:
        return cls(
            kind=row.kind,
            title=row.title,
            genre=row.genre,  # type: ignore[arg-type]
            items=[HomeItemType.of(item) for item in row.items],
            because_you_watched_id=row.because_you_watched_id,
        )


@strawberry.type(name="Home", description="A profile's home screen")
class HomeType:
    rows: list[HomeRowType] = strawberry.field(
        description=(
            "Continue Watching, Top 10, Trending now, 'Because you watched' rows, then genre "
            "rows; a title shows once per screen and empty rows are left out"
        )
    )

    @classmethod
    def of(cls, rows: list[home.HomeRow]) -> HomeType:
        return cls(rows=[HomeRowType.of(row) for row in rows])
