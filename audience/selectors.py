"""Reads of the audience app: a profile's lists and the published popularity tables."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from audience.models import (
    Profile,
    TitlePopularity,
    Top10Category,
    Top10Entry,
    TrendingEntry,
    ViewingEvent,
)
from catalog.visibility import public_titles_of_few

TOP10_FORMULA = "views = hours viewed / runtime in hours; ties broken by hours viewed"
TOP10_WINDOW = "Monday 00:00 to Sunday 24:00 UTC"


def continue_watching(profile: Profile) -> QuerySet[ViewingEvent]:
    """The latest event of each public title the profile started and has not finished,
    latest first."""
    latest_per_title = (
        ViewingEvent.objects.filter(profile=profile)
        .order_by("title_id", "-started_at", "-id")
        .distinct("title_id")
        .values("id")
    )
    return (
        ViewingEvent.objects.filter(id__in=latest_per_title, completed=False)
        .filter(public_titles_of_few(title="title"))
        .order_by("-started_at", "-id")
    )


def watched_share(seconds_watched: int, runtime_minutes: int | None) -> float | None:
    """How much of a title a session covered (0-1); None when the runtime is unknown."""
    if not runtime_minutes:
        return None
    return min(1.0, seconds_watched / (runtime_minutes * 60))


@dataclass(frozen=True)
class Top10List:
    week_start: datetime.date
    region: str
    category: Top10Category
    computed_at: datetime.datetime | None

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)

    def entries(self) -> QuerySet[Top10Entry]:
        """The list's public titles, by rank."""
        return (
            Top10Entry.objects.filter(
                week_start=self.week_start, region=self.region, category=self.category
            )
            .filter(public_titles_of_few(title="title"))
            .order_by("rank")
        )


def top10_list(
    *, region: str, category: Top10Category, week: datetime.date | None
) -> Top10List | None:
    """The Top 10 of the week holding `week` (default: the latest week with a list)."""
    leaders = Top10Entry.objects.filter(region=region, category=category, rank=1)
    if week is not None:
        leaders = leaders.filter(week_start=week - datetime.timedelta(days=week.weekday()))
    leader = leaders.order_by("-week_start").first()
    if leader is None:
        return None
    return Top10List(leader.week_start, region, category, leader.computed_at)


def trending(*, region: str) -> QuerySet[TrendingEntry]:
    """The public titles trending in `region`, by rank."""
    return (
        TrendingEntry.objects.filter(region=region)
        .filter(public_titles_of_few(title="title"))
        .order_by("rank")
    )


def popularity_by_title(keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], TitlePopularity]:
    """The popularity rows for (title id, region) pairs, in one query per region."""
    regions: dict[str, set[int]] = {}
    for title_id, region in keys:
        regions.setdefault(region, set()).add(title_id)
    rows: dict[tuple[int, str], TitlePopularity] = {}
    for region, title_ids in regions.items():
        for row in TitlePopularity.objects.filter(region=region, title_id__in=title_ids):
            rows[(row.title_id, region)] = row
    return rows
