"""How titles performed over a trailing window, for everyone or for some viewer segments.

Views are hours viewed / runtime in hours, the industry formula the Top 10 uses. A movie
counts its own viewing; a series counts its episodes' viewing against the runtime of all
its episodes (its own runtime when no episode has one), as the popularity tables do.

Read from the daily title stats the popularity workers keep, summed per title inside
PostgreSQL: one query per call, whatever the number of titles, days or segments.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from audience.figures.affinity import Segment
from audience.models import DailyTitleStats
from audience.popularity.query_plans import whole_table_joins


@dataclass(frozen=True)
class ViewingWindow:
    """The days from `start` to `end`, both included (UTC)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def trailing(cls, days: int, *, until: datetime.date | None = None) -> ViewingWindow:
        end = until or timezone.now().date()
        return cls(start=end - datetime.timedelta(days=days - 1), end=end)


@dataclass(frozen=True)
class TitleViews:
    title_id: int
    kind: str
    runtime_minutes: int | None
    seconds_viewed: int
    views: float | None  # None without a runtime

    @property
    def hours_viewed(self) -> float:
        return self.seconds_viewed / 3600


@dataclass(frozen=True)
class TypicalViews:
    """The median views of the titles of a kind that anyone in the segments watched."""

    kind: str
    median_views: float
    titles: int


# Runtime of a movie, or of a series as the sum of its episodes' runtimes.
_UNIT_RUNTIME = """
    CASE WHEN t.kind = 'series' THEN COALESCE(
        (SELECT NULLIF(SUM(ep.runtime_minutes), 0)
         FROM catalog_title season JOIN catalog_title ep ON ep.parent_id = season.id
         WHERE season.parent_id = t.id),
        t.runtime_minutes)
    ELSE t.runtime_minutes END
"""

# The movie or series that a row of daily stats counts towards: a movie itself, an
# episode its season's series. Needs `d` (daily stats), `w` (the watched title) and `s`
# (its parent, LEFT JOINed).
_UNIT_OF_ROW = "CASE WHEN w.kind = 'movie' THEN w.id ELSE s.parent_id END"


def title_views(
    title_ids: Iterable[int], *, window: ViewingWindow, segments: Sequence[Segment] = ()
) -> dict[int, TitleViews]:
    """Views of these movies and series in the window by viewers in any of the segments
    (everyone when there are none). Every movie or series asked for is in the answer,
    with 0 seconds when nobody watched it; other kinds are left out.
    """
    ids = sorted(set(title_ids))
    if not ids:
        return {}
    segment_sql, segment_params = _segments_condition(segments)
    sql = f"""
        WITH units AS (
            SELECT t.id AS unit_id, t.kind, {_UNIT_RUNTIME} AS runtime_minutes
            FROM catalog_title t
            WHERE t.id = ANY(%(ids)s) AND t.kind IN ('movie', 'series')
        ),
        watched AS (
            SELECT d.title_id AS unit_id, d.seconds_viewed
            FROM audience_dailytitlestats d
            WHERE d.title_id IN (SELECT unit_id FROM units WHERE kind = 'movie')
              AND d.day BETWEEN %(start)s AND %(end)s AND {segment_sql}
            UNION ALL
            SELECT season.parent_id, d.seconds_viewed
            FROM catalog_title season
            JOIN catalog_title ep ON ep.parent_id = season.id
            JOIN audience_dailytitlestats d ON d.title_id = ep.id
            WHERE season.parent_id IN (SELECT unit_id FROM units WHERE kind = 'series')
              AND d.day BETWEEN %(start)s AND %(end)s AND {segment_sql}
        )
        SELECT u.unit_id, u.kind, u.runtime_minutes, COALESCE(SUM(v.seconds_viewed), 0),
               COALESCE(SUM(v.seconds_viewed), 0) / 60.0 / NULLIF(u.runtime_minutes, 0)
        FROM units u LEFT JOIN watched v ON v.unit_id = u.unit_id
        GROUP BY u.unit_id, u.kind, u.runtime_minutes
    """
    params = {"ids": ids, "start": window.start, "end": window.end, **segment_params}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        unit_id: TitleViews(
            title_id=unit_id,
            kind=kind,
            runtime_minutes=runtime,
            seconds_viewed=int(seconds),
            views=None if views is None else float(views),
        )
        for unit_id, kind, runtime, seconds, views in rows
    }


def typical_views_by_kind(
    *, window: ViewingWindow, segments: Sequence[Segment] = ()
) -> dict[str, TypicalViews]:
    """Per kind (movie, series), the median views of the titles watched in the window by
    viewers in any of the segments (everyone when there are none): the par that a
    title's views are measured against. Kinds nobody watched are left out.
    """
    segment_sql, segment_params = _segments_condition(segments)
    sql = f"""
        WITH per_unit AS (
            SELECT {_UNIT_OF_ROW} AS unit_id, SUM(d.seconds_viewed) AS seconds
            FROM audience_dailytitlestats d
            JOIN catalog_title w ON w.id = d.title_id
            LEFT JOIN catalog_title s ON s.id = w.parent_id
            WHERE d.day BETWEEN %(start)s AND %(end)s AND {segment_sql}
              AND w.kind IN ('movie', 'episode')
            GROUP BY 1
            HAVING SUM(d.seconds_viewed) > 0
        ),
        unit_views AS (
            SELECT t.kind, p.seconds / 60.0 / NULLIF({_UNIT_RUNTIME}, 0) AS views
            FROM per_unit p JOIN catalog_title t ON t.id = p.unit_id
        )
        SELECT kind, percentile_cont(0.5) WITHIN GROUP (ORDER BY views), COUNT(*)
        FROM unit_views WHERE views IS NOT NULL
        GROUP BY kind
    """
    params = {"start": window.start, "end": window.end, **segment_params}
    with whole_table_joins() as cursor:  # every title watched in the window
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        kind: TypicalViews(kind=kind, median_views=float(median), titles=int(count))
        for kind, median, count in rows
    }


def _segments_condition(segments: Sequence[Segment]) -> tuple[str, dict[str, Any]]:
    """A condition on the daily stats `d` that holds for rows of any of the segments.

    Segments may overlap (a country, and an age band within it): a row counts once.
    """
    if not segments or any(segment == Segment() for segment in segments):
        return "TRUE", {}
    alternatives = []
    params: dict[str, Any] = {}
    for index, segment in enumerate(segments):
        terms = []
        for column, value in (
            ("region", segment.region),
            ("age_band", segment.age_band),
            ("gender", segment.gender),
        ):
            if value is not None:
                name = f"segment_{index}_{column}"
                terms.append(f"d.{column} = %({name})s")
                params[name] = value
        alternatives.append(f"({' AND '.join(terms)})")
    return f"({' OR '.join(alternatives)})", params


def latest_viewing_day() -> datetime.date | None:
    """The latest day the aggregates hold any viewing of (None before any)."""
    latest: datetime.date | None = DailyTitleStats.objects.aggregate(latest=Max("day"))["latest"]
    return latest
