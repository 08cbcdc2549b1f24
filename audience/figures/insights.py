"""What the staff pages read about the audience: a title's daily views and Top 10 history, and
genre affinity across viewer segments.

Reads only the worker-written aggregates, never the viewing events, and in a fixed number of
queries whatever the number of days or rows: the title page's panel runs at most three.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import DateField, ExpressionWrapper, Q, QuerySet, Subquery, Sum, Value
from django.utils import timezone

from audience.figures.affinity import GenreAffinity, Segment, genre_affinities
from audience.models import (
    GLOBAL_REGION,
    AgeBand,
    DailyTitleStats,
    Gender,
    GenreSegmentHours,
    Top10Entry,
)
from catalog.models import Genre, Title, TitleKind

TITLE_CHART_DAYS = 90
# A year of weekly worldwide lines, or fewer weeks of regional ones; the rest is a link away.
TOP10_HISTORY_LIMIT = 52


@dataclass(frozen=True)
class TitleRollup:
    """Which titles a title's figures gather, as the popularity aggregates count them.

    Viewing is recorded on movies and episodes; Top 10s rank movies and seasons; a season's
    or series' views count against the runtime of all its episodes.
    """

    title: Title
    watched_ids: list[int] | QuerySet[Title, int]
    ranked_ids: list[int]
    runtime_minutes: int | None

    @property
    def ranked_as_other_titles(self) -> bool:
        """A series ranks as its seasons, an episode as its season."""
        return self.ranked_ids != [self.title.pk]


def title_rollup(title: Title) -> TitleRollup:
    """No query for a movie or an episode; one for a season or a series."""
    if title.kind == TitleKind.SERIES:
        return _series_rollup(title)
    if title.kind == TitleKind.SEASON:
        return _season_rollup(title)
    ranked_id = title.parent_id if title.kind == TitleKind.EPISODE else title.pk
    return TitleRollup(title, [title.pk], [ranked_id] if ranked_id else [], title.runtime_minutes)


def _season_rollup(season: Title) -> TitleRollup:
    minutes = Title.objects.filter(parent_id=season.pk).aggregate(total=Sum("runtime_minutes"))
    watched = Title.objects.filter(Q(pk=season.pk) | Q(parent_id=season.pk))
    return TitleRollup(
        title=season,
        watched_ids=watched.values_list("pk", flat=True),
        ranked_ids=[season.pk],
        # The season's own runtime only when its episodes have none, as the aggregates do.
        runtime_minutes=minutes["total"] or season.runtime_minutes,
    )


def _series_rollup(series: Title) -> TitleRollup:
    seasons = dict(
        Title.objects.filter(parent_id=series.pk)
        .order_by("number")
        .annotate(minutes=Sum("children__runtime_minutes"))
        .values_list("pk", "minutes")
    )
    watched = Title.objects.filter(
        Q(pk=series.pk) | Q(parent_id=series.pk) | Q(parent_id__in=list(seasons))
    )
    return TitleRollup(
        title=series,
        watched_ids=watched.values_list("pk", flat=True),
        ranked_ids=list(seasons),
        runtime_minutes=sum(minutes or 0 for minutes in seasons.values()) or series.runtime_minutes,
    )


@dataclass(frozen=True)
class DailyViews:
    """A title's viewing per day (UTC) over a window, its episodes rolled up.

    Views are hours viewed / runtime; without a runtime only the hours can be told.
    """

    first_day: datetime.date
    last_day: datetime.date
    seconds_by_day: dict[datetime.date, int]
    runtime_minutes: int | None

    @property
    def day_count(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def measure(self) -> str:
        return "views" if self.runtime_minutes else "hours viewed"

    def values(self) -> dict[datetime.date, float]:
        """Views per day, or hours per day when the runtime is unknown."""
        divisor = 60.0 * self.runtime_minutes if self.runtime_minutes else 3600.0
        return {day: seconds / divisor for day, seconds in self.seconds_by_day.items()}

    def total(self) -> float:
        return sum(self.values().values())


def title_daily_views(
    rollup: TitleRollup, *, days: int = TITLE_CHART_DAYS, today: datetime.date | None = None
) -> DailyViews:
    """Views per day over `days` days ending at the latest day with viewing (or today).

    Summed over regions and segments, and over the episodes of a season or series: one query.
    """
    stats = DailyTitleStats.objects.filter(title_id__in=rollup.watched_ids)
    latest_day = stats.order_by("-day").values("day")[:1]
    # date - integer is a date in PostgreSQL.
    window_start = ExpressionWrapper(Subquery(latest_day) - Value(days), output_field=DateField())
    rows = (
        stats.filter(day__gt=window_start)
        .values("day")
        .annotate(seconds=Sum("seconds_viewed"))
        .order_by("day")
    )
    seconds_by_day = {row["day"]: int(row["seconds"]) for row in rows}
    last_day = max(seconds_by_day, default=today or timezone.localdate())
    return DailyViews(
        first_day=last_day - datetime.timedelta(days=days - 1),
        last_day=last_day,
        seconds_by_day=seconds_by_day,
        runtime_minutes=rollup.runtime_minutes,
    )


@dataclass(frozen=True)
class Top10History:
    entries: list[Top10Entry]
    truncated: bool  # more lines exist than `entries` holds
    rollup: TitleRollup


def title_top10_history(rollup: TitleRollup, *, limit: int = TOP10_HISTORY_LIMIT) -> Top10History:
    """The weekly Top 10 lines of the titles ranked for it, latest week first, worldwide
    before the regions: one query.
    """
    entries = list(
        Top10Entry.objects.filter(title_id__in=rollup.ranked_ids)
        .select_related("title")
        .order_by("-week_start", "region", "category", "rank")[: limit + 1]
    )
    return Top10History(entries=entries[:limit], truncated=len(entries) > limit, rollup=rollup)


def regions_with_viewing() -> list[str]:
    """Every country anyone watched from, read from the small genre-hours table."""
    return list(
        GenreSegmentHours.objects.exclude(region=GLOBAL_REGION)
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class HeatmapRow:
    genre: Genre
    cells: list[GenreAffinity]  # one per segment, in the heatmap's column order


@dataclass(frozen=True)
class AffinityHeatmap:
    """Genre affinity of every segment with viewing in a region (or everywhere)."""

    region: str  # GLOBAL_REGION: every region
    segments: list[Segment]
    rows: list[HeatmapRow]


def genre_affinity_heatmap(region: str = GLOBAL_REGION) -> AffinityHeatmap:
    """A row per genre anyone watched, by name; a column per age band and gender with viewing.

    A genre the region's segments never watched stays, at a lift of 0: that is news too.

    Each cell comes from `genre_affinities`, so that the page and every other reader of
    affinity agree on its definition. Three queries, whatever the number of segments,
    viewers or days.
    """
    segments = _segments_with_viewing(region)
    affinities = [{row.genre.pk: row for row in column} for column in genre_affinities(segments)]
    genres = sorted(
        {row.genre.pk: row.genre for column in affinities for row in column.values()}.values(),
        key=lambda genre: genre.name,
    )
    rows = [
        HeatmapRow(genre, [column[genre.pk] for column in affinities])
        for genre in genres
        if any(column[genre.pk].lift is not None for column in affinities)
    ]
    return AffinityHeatmap(region=region, segments=segments, rows=rows)


def _segments_with_viewing(region: str) -> list[Segment]:
    hours = GenreSegmentHours.objects.all()
    if region != GLOBAL_REGION:
        hours = hours.filter(region=region)
    pairs = hours.order_by().values_list("age_band", "gender").distinct()
    age_order = {band: index for index, band in enumerate(AgeBand.values)}
    # Viewers who gave no gender ("") come last within their age band.
    gender_order = {gender: index for index, gender in enumerate([*Gender.values, ""])}
    return [
        Segment(age_band=age_band, gender=gender, region=region or None)
        for age_band, gender in sorted(
            pairs, key=lambda pair: (age_order.get(pair[0], 99), gender_order.get(pair[1], 99))
        )
    ]


def segment_label(segment: Segment) -> str:
    """`25-34 Female`; a segment whose viewers gave no gender reads `25-34 Not given`."""
    return f"{segment.age_band} {gender_label(segment)}"


def gender_label(segment: Segment) -> str:
    return str(Gender(segment.gender).label) if segment.gender else "Not given"
