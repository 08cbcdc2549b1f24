"""Rankings over the daily rows: the weekly Top 10, trending and title popularity.

The popularity workers (`audience.popularity.refresh`) call these inside their locked
transaction, after `prepare_title_units` has built the run's scratch tables. Views are
hours viewed / runtime in hours: films rank as movies, TV as seasons (each on its own),
trending rolls episodes up to their series, and popularity counts an episode towards
itself, its season and its series.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.backends.utils import CursorWrapper

from audience.popularity.query_plans import whole_table_joins

# Per run, for every title that can be watched (movies and episodes): the season and
# series its hours also count towards. Joined by every ranking below.
_TITLE_UNITS = """
    CREATE TEMP TABLE title_units ON COMMIT DROP AS
    SELECT t.id AS title_id, t.kind = 'movie' AS is_movie,
           CASE WHEN t.kind = 'episode' THEN t.parent_id END AS season_id,
           CASE WHEN t.kind = 'episode' THEN s.parent_id END AS series_id
    FROM catalog_title t LEFT JOIN catalog_title s ON s.id = t.parent_id
    WHERE t.kind IN ('movie', 'episode')
"""

# Runtime of everything that can be ranked: movies and episodes their own, seasons and
# series the sum of their episodes (or their own runtime when no episode has one).
_UNIT_RUNTIMES = """
    CREATE TEMP TABLE unit_runtimes ON COMMIT DROP AS
    SELECT t.id AS unit_id, t.kind, t.runtime_minutes
    FROM catalog_title t WHERE t.kind IN ('movie', 'episode') AND t.runtime_minutes > 0
    UNION ALL
    SELECT season.id, season.kind,
           COALESCE(NULLIF(SUM(ep.runtime_minutes), 0), season.runtime_minutes)
    FROM catalog_title season
    JOIN catalog_title ep ON ep.parent_id = season.id
    WHERE season.kind = 'season'
    GROUP BY season.id
    UNION ALL
    SELECT series.id, series.kind,
           COALESCE(NULLIF(SUM(ep.runtime_minutes), 0), series.runtime_minutes)
    FROM catalog_title series
    JOIN catalog_title season ON season.parent_id = series.id
    JOIN catalog_title ep ON ep.parent_id = season.id
    WHERE series.kind = 'series'
    GROUP BY series.id
"""


def mark_touched_weeks(cursor: CursorWrapper, *, after: int, upto: int) -> None:
    """The weeks that the events in (after, upto] fall in: those whose Top 10 may move."""
    cursor.execute(
        """
        CREATE TEMP TABLE touched_weeks ON COMMIT DROP AS
        SELECT DISTINCT date_trunc('week', started_at AT TIME ZONE 'UTC')::date AS week_start
        FROM audience_viewingevent WHERE id > %s AND id <= %s
        """,
        [after, upto],
    )


def prepare_title_units(cursor: CursorWrapper) -> None:
    with whole_table_joins() as catalog_cursor:  # both join the whole catalog with itself
        catalog_cursor.execute(_TITLE_UNITS)
        catalog_cursor.execute(_UNIT_RUNTIMES)
    cursor.execute("ALTER TABLE title_units ADD PRIMARY KEY (title_id)")
    cursor.execute("ALTER TABLE unit_runtimes ADD PRIMARY KEY (unit_id)")
    cursor.execute("ANALYZE title_units, unit_runtimes")


def recompute_top10(
    cursor: CursorWrapper, computed_at: datetime.datetime, *, only_touched_weeks: bool
) -> None:
    """Rank each week's films and seasons per region and worldwide; then weeks in Top 10.

    views = hours viewed / runtime in hours, ties broken by hours, then by title id.
    """
    run = cursor.execute
    week = "date_trunc('week', d.day)::date"
    if only_touched_weeks:
        run(
            "DELETE FROM audience_top10entry WHERE week_start IN "
            "(SELECT week_start FROM touched_weeks)"
        )
        # An equality on the week, which a hash join matches whatever the statistics say
        # (a range join can only loop over every pair), and the span of the weeks, which
        # the index on days can use.
        scope = f"""
            JOIN touched_weeks w ON {week} = w.week_start
             AND d.day >= (SELECT MIN(week_start) FROM touched_weeks)
             AND d.day < (SELECT MAX(week_start) + 7 FROM touched_weeks)
        """
    else:
        scope = ""
    run(
        f"""
        INSERT INTO audience_top10entry
            (week_start, region, category, rank, title_id, views, seconds_viewed,
             runtime_minutes, weeks_in_top10, computed_at)
        WITH units AS (
            SELECT {week} AS week_start, d.region COLLATE "C" AS region, u.is_movie,
                   CASE WHEN u.is_movie THEN u.title_id ELSE u.season_id END AS unit_id,
                   d.seconds_viewed
            FROM audience_dailytitlestats d {scope}
            JOIN title_units u ON u.title_id = d.title_id
            WHERE u.is_movie OR u.season_id IS NOT NULL
        ),
        weekly AS (
            SELECT week_start, COALESCE(region, '') AS region, is_movie, unit_id,
                   SUM(seconds_viewed) AS seconds
            FROM units
            GROUP BY GROUPING SETS ((week_start, region, is_movie, unit_id),
                                    (week_start, is_movie, unit_id))
        ),
        ranked AS (
            SELECT w.*, r.runtime_minutes,
                   w.seconds / 60.0 / r.runtime_minutes AS views,
                   CASE WHEN w.is_movie THEN 'films' ELSE 'tv' END AS category,
                   ROW_NUMBER() OVER (
                       PARTITION BY w.week_start, w.region, w.is_movie
                       ORDER BY w.seconds::float / r.runtime_minutes DESC, w.seconds DESC,
                                w.unit_id
                   ) AS rank
            FROM weekly w JOIN unit_runtimes r ON r.unit_id = w.unit_id
        )
        SELECT week_start, region, category, rank, unit_id, views, seconds, runtime_minutes,
               1, %s
        FROM ranked WHERE rank <= 10
        """,
        [computed_at],
    )
    first_week = (
        "(SELECT MIN(week_start) FROM touched_weeks)" if only_touched_weeks else "'-infinity'"
    )
    # The table was just rewritten, so its statistics are stale; and the count reads all
    # of it anyway, which a hash join matches back in one pass.
    with whole_table_joins() as whole_table:
        whole_table.execute(
            f"""
            UPDATE audience_top10entry e SET weeks_in_top10 = c.weeks
            FROM (
                SELECT id, COUNT(*) OVER (
                    PARTITION BY region, category, title_id ORDER BY week_start
                ) AS weeks
                FROM audience_top10entry
            ) c
            WHERE c.id = e.id AND e.week_start >= {first_week} AND e.weeks_in_top10 <> c.weeks
            """
        )


def recompute_windows(cursor: CursorWrapper, computed_at: datetime.datetime) -> None:
    """Trending and popularity, measured back from the latest day with any viewing."""
    run = cursor.execute
    run("SELECT MAX(day) FROM audience_dailytitlestats")
    as_of = cursor.fetchone()[0]
    if as_of is None:
        run("DELETE FROM audience_trendingentry")
        run("DELETE FROM audience_titlepopularity")
        return
    _recompute_trending(cursor, as_of, computed_at)
    _recompute_title_popularity(cursor, as_of)


def _recompute_trending(
    cursor: CursorWrapper, as_of: datetime.date, computed_at: datetime.datetime
) -> None:
    """Per region and worldwide: hours per day weighted by 2^(-age / half-life).

    Days older than eight half-lives weigh under 0.4% and are left out. Episodes count
    towards their series, which is what a viewer would pick.
    """
    half_life = float(settings.TRENDING_HALF_LIFE_DAYS)
    window_days = int(8 * half_life) + 1
    cursor.execute("DELETE FROM audience_trendingentry")
    cursor.execute(
        """
        INSERT INTO audience_trendingentry (region, rank, title_id, score, as_of, computed_at)
        WITH units AS (
            SELECT d.region COLLATE "C" AS region,
                   CASE WHEN u.is_movie THEN u.title_id ELSE u.series_id END AS unit_id,
                   d.seconds_viewed / 3600.0
                   * power(0.5, (%(as_of)s::date - d.day) / %(half_life)s) AS score
            FROM audience_dailytitlestats d
            JOIN title_units u ON u.title_id = d.title_id
            WHERE d.day > %(as_of)s::date - %(window_days)s
        ),
        scored AS (
            SELECT COALESCE(region, '') AS region, unit_id, SUM(score) AS score
            FROM units
            GROUP BY GROUPING SETS ((region, unit_id), (unit_id))
        ),
        ranked AS (
            SELECT region, unit_id, score,
                   ROW_NUMBER() OVER (PARTITION BY region ORDER BY score DESC, unit_id) AS rank
            FROM scored WHERE unit_id IS NOT NULL
        )
        SELECT region, rank, unit_id, score, %(as_of)s, %(computed_at)s
        FROM ranked WHERE rank <= %(size)s
        """,
        {
            "as_of": as_of,
            "half_life": half_life,
            "window_days": window_days,
            "computed_at": computed_at,
            "size": settings.TRENDING_SIZE,
        },
    )


def _recompute_title_popularity(cursor: CursorWrapper, as_of: datetime.date) -> None:
    """Views and hours over the trailing window per title and region; rank within its kind."""
    window_start = as_of - datetime.timedelta(days=settings.POPULARITY_WINDOW_DAYS - 1)
    cursor.execute(
        """
        CREATE TEMP TABLE fresh_popularity ON COMMIT DROP AS
        WITH units AS (
            SELECT d.region COLLATE "C" AS region, unit.unit_id, d.seconds_viewed
            FROM audience_dailytitlestats d
            JOIN title_units u ON u.title_id = d.title_id
            CROSS JOIN LATERAL (VALUES (u.title_id), (u.season_id), (u.series_id)) unit(unit_id)
            WHERE d.day >= %(start)s AND d.day <= %(end)s AND unit.unit_id IS NOT NULL
        ),
        summed AS (
            SELECT COALESCE(region, '') AS region, unit_id, SUM(seconds_viewed) AS seconds
            FROM units
            GROUP BY GROUPING SETS ((region, unit_id), (unit_id))
        )
        SELECT s.region, s.unit_id AS title_id, s.seconds,
               s.seconds / 60.0 / r.runtime_minutes AS views,
               ROW_NUMBER() OVER (
                   PARTITION BY s.region, r.kind COLLATE "C"
                   ORDER BY s.seconds::float / r.runtime_minutes DESC, s.seconds DESC, s.unit_id
               ) AS rank
        FROM summed s
        JOIN unit_runtimes r ON r.unit_id = s.unit_id
        """,
        {"start": window_start, "end": as_of},
    )
    # Most rows change whenever the window moves a day; replacing them all is cheaper
    # than comparing each. Readers see the old rows until the transaction commits.
    cursor.execute("DELETE FROM audience_titlepopularity")
    cursor.execute(
        """
        INSERT INTO audience_titlepopularity
            (title_id, region, views, seconds_viewed, rank, window_start, window_end)
        SELECT title_id, region, views, seconds, rank, %(start)s, %(end)s FROM fresh_popularity
        """,
        {"start": window_start, "end": as_of},
    )
