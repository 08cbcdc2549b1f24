"""The audience as it stood at a past moment: what the greenlight backtest reads.

- `sample_time_shift`: how far the sample audience's import moved the MovieLens times
  forward (audience.importers.sample_audience), so that a real date can be placed on the
  events' timeline;
- `genre_viewing`: per genre, the seconds viewed and the titles watched in a window of
  the daily title stats, one query;
- `distinct_viewers`: per (title, start, end), the profiles with an event of the title in
  that span, from the events themselves, one query for any number of spans.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from audience.figures.track_records import ViewingWindow
from audience.importers.movielens_ratings import read_movielens_ratings
from audience.models import ProfileSource, ViewingEvent
from audience.popularity.query_plans import whole_table_joins


def sample_time_shift() -> datetime.timedelta:
    """How far every MovieLens rating was moved forward when it became a viewing event.

    Exact, as the import itself reuses it: the stored time of one MovieLens event minus
    the time of the rating it was made from (found by its client event id, a hash of
    user, movie and timestamp). No shift (zero) when no MovieLens event is stored.
    """
    stored = (
        ViewingEvent.objects.filter(profile__source=ProfileSource.MOVIELENS)
        .order_by("started_at", "id")
        .values_list("profile__source_id", "client_event_id", "started_at")
        .first()
    )
    if stored is None:
        return datetime.timedelta(0)
    user_id, event_id, started_at = stored
    for rating in read_movielens_ratings():
        if rating.user_id == int(user_id) and rating.client_event_id == event_id:
            return started_at - rating.rated_at
    raise LookupError(f"No MovieLens rating made the stored event {event_id}.")


@dataclass(frozen=True)
class GenreViewing:
    genre: str
    seconds_viewed: int
    titles_watched: int


def genre_viewing(window: ViewingWindow) -> dict[str, GenreViewing]:
    """Per genre watched in the window: seconds viewed and movies or series watched.

    A title with several genres counts towards each (as the genre hours the popularity
    workers keep); an episode counts towards its series' genres.
    """
    sql = """
        WITH per_unit AS (
            SELECT CASE WHEN w.kind = 'movie' THEN w.id ELSE s.parent_id END AS unit_id,
                   SUM(d.seconds_viewed) AS seconds
            FROM audience_dailytitlestats d
            JOIN catalog_title w ON w.id = d.title_id
            LEFT JOIN catalog_title s ON s.id = w.parent_id
            WHERE d.day BETWEEN %(start)s AND %(end)s AND w.kind IN ('movie', 'episode')
            GROUP BY 1
            HAVING SUM(d.seconds_viewed) > 0
        )
        SELECT g.name, SUM(p.seconds), COUNT(*)
        FROM per_unit p
        JOIN catalog_title_genres tg ON tg.title_id = p.unit_id
        JOIN catalog_genre g ON g.id = tg.genre_id
        GROUP BY g.name
    """
    # A whole window of the catalog: no plan may hang on stale catalog statistics.
    with whole_table_joins() as cursor:
        cursor.execute(sql, {"start": window.start, "end": window.end})
        rows = cursor.fetchall()
    return {name: GenreViewing(name, int(seconds), int(titles)) for name, seconds, titles in rows}


@dataclass(frozen=True)
class ViewerSpan:
    """A title's events from `start` (included) to `end` (excluded)."""

    title_id: int
    start: datetime.datetime
    end: datetime.datetime


def distinct_viewers(spans: Sequence[ViewerSpan]) -> dict[ViewerSpan, int]:
    """Per span, how many profiles had an event of the title within it (0 for none)."""
    if not spans:
        return {}
    sql = """
        SELECT s.ordinal, COUNT(DISTINCT e.profile_id)
        FROM unnest(%(titles)s::bigint[], %(starts)s::timestamptz[], %(ends)s::timestamptz[])
             WITH ORDINALITY AS s(title_id, start_at, end_at, ordinal)
        LEFT JOIN audience_viewingevent e
          ON e.title_id = s.title_id AND e.started_at >= s.start_at AND e.started_at < s.end_at
        GROUP BY s.ordinal
    """
    params: dict[str, Any] = {
        "titles": [span.title_id for span in spans],
        "starts": [span.start for span in spans],
        "ends": [span.end for span in spans],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = dict(cursor.fetchall())
    return {span: int(counts[ordinal]) for ordinal, span in enumerate(spans, start=1)}
