"""Popularity aggregates: daily title stats, weekly Top 10, trending, popularity, genre affinity.

Everything runs inside PostgreSQL as set-based SQL; Python only sequences the statements.

How the incremental refresh stays exact:
- The watermark is the highest event id folded in. A new watermark is read under a brief
  SHARE lock on the events table, which waits for inserts in flight: every event at or
  below it is committed, so none can appear later below the watermark.
- Daily rows are recomputed from the events of every (title, day) that a new event touches,
  so a late event for a day already aggregated corrects that day, and recomputing a day
  twice gives the same rows. Genre hours are sums, so the new events are added to them.
- Rankings are a second step, `refresh_rankings`, on its own schedule and only when the
  refresh folded events in since it last ran: the Top 10 of every week those events fall
  in is re-ranked, and trending and popularity, which rank every title over a trailing
  window, are recomputed from the daily rows. Their cost follows the week's and the
  window's viewing rather than the new events, so they stay out of the refresh.
- Each run holds a transaction-scoped advisory lock and moves the watermark in the same
  transaction as the tables, so a run either folds its events in completely or not at all,
  and two runs never fold the same events.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from psycopg.errors import LockNotAvailable

from audience.bulk_load import secondary_indexes_drop, secondary_indexes_restore
from audience.models import AggregationWatermark

logger = logging.getLogger(__name__)

WATERMARK = "popularity"
# The popularity watermark that trending and popularity were last ranked at.
RANKINGS_WATERMARK = "rankings"
SCRATCH_TABLES = (
    "title_units",
    "unit_runtimes",
    "new_events",
    "touched_days",
    "touched_weeks",
    "fresh_popularity",
)
# pg_advisory_xact_lock key shared by the refresh and the rebuild ("popu" in ASCII).
LOCK_KEY = 0x706F7075

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

_EVENT_DAY = "(e.started_at AT TIME ZONE 'UTC')::date"

_DAILY_COLUMNS = (
    "title_id, day, region, age_band, gender, plays, seconds_viewed, completions, viewers"
)
_DAILY_SELECT = f"""
    SELECT e.title_id, {_EVENT_DAY}, e.region, e.age_band, e.gender,
           COUNT(*), SUM(e.seconds_watched), COUNT(*) FILTER (WHERE e.completed),
           COUNT(DISTINCT e.profile_id)
"""
_DAILY_GROUP = f"GROUP BY e.title_id, {_EVENT_DAY}, e.region, e.age_band, e.gender"


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh or rebuild did; `skipped` when another run held the lock."""

    from_event_id: int
    to_event_id: int
    events: int = 0
    skipped: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def tune_for_aggregation(cursor: CursorWrapper) -> None:
    """Session settings for the aggregation's transaction, and a clean scratch space.

    JIT compilation costs close to a second per statement here and saves less than that;
    the work memory keeps the grouping and ranking of a rebuild's million-row
    intermediate results in memory instead of spilling sorts to disk. The scratch tables
    drop at commit, but a transaction around several runs (a script, a test) still
    holds the previous run's.
    """
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.AGGREGATION_WORK_MEM])
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(SCRATCH_TABLES)}")


def refresh_popularity() -> RefreshReport:
    """Fold the events newer than the watermark into the daily stats and genre hours.

    Idempotent (a second run with no new events changes nothing) and safe to run
    concurrently: a run that finds another one holding the lock returns `skipped`, as
    does a run that finds the events table locked past `EVENTS_LOCK_TIMEOUT`.
    """
    try:
        target = _committed_event_watermark()
    except EventsBusy:
        logger.warning("Popularity refresh skipped: the events table is locked")
        return RefreshReport(0, 0, skipped=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return RefreshReport(0, 0, skipped=True)
        tune_for_aggregation(cursor)
        watermark = _locked_watermark()
        done = watermark.last_event_id
        if target <= done:
            return RefreshReport(done, done)
        events = _fold_in_events(cursor, after=done, upto=target)
        _save_watermark(watermark, target)
    logger.info("Popularity refreshed: %d events (%d..%d]", events, done, target)
    return RefreshReport(done, target, events)


def rebuild_popularity() -> RefreshReport:
    """Recompute every aggregate from all events, as if no refresh had run before.

    Waits for a running refresh to finish. The daily and genre tables are truncated
    inside the transaction, so readers of them wait until the rebuild commits; the
    small ranked tables are replaced row by row and stay readable throughout.
    """
    target = _committed_event_watermark()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        tune_for_aggregation(cursor)
        watermark = _locked_watermark()
        cursor.execute("TRUNCATE audience_dailytitlestats, audience_genresegmenthours")
        # The daily table is about as long as the events: build its indexes once at the end.
        dropped = secondary_indexes_drop(cursor.cursor, "audience_dailytitlestats")
        cursor.execute(
            f"INSERT INTO audience_dailytitlestats ({_DAILY_COLUMNS}) {_DAILY_SELECT} "
            f"FROM audience_viewingevent e WHERE e.id <= %s {_DAILY_GROUP}",
            [target],
        )
        secondary_indexes_restore(cursor.cursor, dropped)
        cursor.execute("ANALYZE audience_dailytitlestats")
        _prepare_title_units(cursor)
        cursor.execute(
            """
            INSERT INTO audience_genresegmenthours
                (age_band, gender, region, genre_id, seconds_viewed)
            SELECT d.age_band, d.gender, d.region, tg.genre_id, SUM(d.seconds_viewed)
            FROM audience_dailytitlestats d
            JOIN catalog_title_genres tg ON tg.title_id = d.title_id
            GROUP BY d.age_band, d.gender, d.region, tg.genre_id
            """
        )
        cursor.execute("DELETE FROM audience_top10entry")
        computed_at = timezone.now()
        _recompute_top10(cursor, computed_at, only_touched_weeks=False)
        _recompute_ranked_windows(cursor, computed_at)
        cursor.execute("SELECT COUNT(*) FROM audience_viewingevent WHERE id <= %s", [target])
        events = cursor.fetchone()[0]
        _save_watermark(watermark, target)
        _save_watermark(_locked_watermark(RANKINGS_WATERMARK), target)
    logger.info("Popularity rebuilt from %d events", events)
    return RefreshReport(0, target, events)


def refresh_rankings() -> RefreshReport:
    """Re-rank the Top 10 weeks, trending and popularity, if events came in since last time.

    Idempotent (nothing new, nothing written) and, sharing the refresh's lock, never runs
    beside a refresh or a rebuild: a run that finds the lock taken returns `skipped`.
    The report's event ids are the popularity watermarks ranked before and now.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return RefreshReport(0, 0, skipped=True)
        folded = _locked_watermark().last_event_id
        ranked = _locked_watermark(RANKINGS_WATERMARK)
        previous = ranked.last_event_id
        if previous == folded:
            return RefreshReport(previous, folded)
        tune_for_aggregation(cursor)
        _prepare_title_units(cursor)
        computed_at = timezone.now()
        _mark_touched_weeks(cursor, after=previous, upto=folded)
        _recompute_top10(cursor, computed_at, only_touched_weeks=True)
        _recompute_ranked_windows(cursor, computed_at)
        _save_watermark(ranked, folded)
    logger.info("Top 10 weeks, trending and popularity ranked at event %d", folded)
    return RefreshReport(previous, folded)


class EventsBusy(Exception):
    """The events table stayed locked (a long import, a VACUUM) past the lock timeout."""


def _committed_event_watermark() -> int:
    """The highest event id below which every event is committed.

    SHARE mode waits for transactions that are inserting events and holds new inserts
    back for the moment it takes to read the maximum id. Waiting for it is bounded, so
    that a long-running writer never queues the API's inserts behind this lock.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [settings.EVENTS_LOCK_TIMEOUT]
            )
            cursor.execute("LOCK TABLE audience_viewingevent IN SHARE MODE")
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM audience_viewingevent")
            return int(cursor.fetchone()[0])
    except OperationalError as error:
        if isinstance(error.__cause__, LockNotAvailable):
            raise EventsBusy("The viewing events table is locked by a long transaction") from error
        raise


def _locked_watermark(name: str = WATERMARK) -> AggregationWatermark:
    watermark, _ = AggregationWatermark.objects.select_for_update().get_or_create(name=name)
    return watermark


def _save_watermark(watermark: AggregationWatermark, event_id: int) -> None:
    watermark.last_event_id = event_id
    watermark.refreshed_at = timezone.now()
    watermark.save(update_fields=["last_event_id", "refreshed_at"])


def _fold_in_events(cursor: CursorWrapper, *, after: int, upto: int) -> int:
    """Bring every aggregate up to date with the events in (after, upto]; their count."""
    run = cursor.execute
    run(
        """
        CREATE TEMP TABLE new_events ON COMMIT DROP AS
        SELECT title_id, (started_at AT TIME ZONE 'UTC')::date AS day, region, age_band,
               gender, seconds_watched
        FROM audience_viewingevent WHERE id > %s AND id <= %s
        """,
        [after, upto],
    )
    events = cursor.rowcount
    run(
        """
        INSERT INTO audience_genresegmenthours
            (age_band, gender, region, genre_id, seconds_viewed)
        SELECT n.age_band, n.gender, n.region, tg.genre_id, SUM(n.seconds_watched)
        FROM new_events n JOIN catalog_title_genres tg ON tg.title_id = n.title_id
        GROUP BY n.age_band, n.gender, n.region, tg.genre_id
        ON CONFLICT (age_band, gender, region, genre_id) DO UPDATE
        SET seconds_viewed = audience_genresegmenthours.seconds_viewed
                             + EXCLUDED.seconds_viewed
        """
    )
    run(
        """
        CREATE TEMP TABLE touched_days ON COMMIT DROP AS
        SELECT DISTINCT title_id, day FROM new_events
        """
    )
    # Events are only ever added, so a recomputed (title, day) keeps every row it had:
    # an upsert suffices, and updates that touch no indexed column stay in place (HOT).
    run(
        """
        DELETE FROM audience_dailytitlestats d USING touched_days t
        WHERE d.title_id = t.title_id AND d.day = t.day
        """
    )
    run(
        f"""
        INSERT INTO audience_dailytitlestats ({_DAILY_COLUMNS}) {_DAILY_SELECT}
        FROM touched_days t
        JOIN audience_viewingevent e
          ON e.title_id = t.title_id
         AND e.started_at >= t.day::timestamp AT TIME ZONE 'UTC'
         AND e.started_at < (t.day + 1)::timestamp AT TIME ZONE 'UTC'
        WHERE e.id <= %s
          -- The days' span as well, so the planner may read them through the BRIN index.
          AND e.started_at >= (SELECT MIN(day) FROM touched_days)::timestamp AT TIME ZONE 'UTC'
          AND e.started_at < (SELECT MAX(day) + 1 FROM touched_days)::timestamp
                             AT TIME ZONE 'UTC'
        {_DAILY_GROUP}
        """,
        [upto],
    )
    return int(events)


def _mark_touched_weeks(cursor: CursorWrapper, *, after: int, upto: int) -> None:
    """The weeks that the events in (after, upto] fall in: those whose Top 10 may move."""
    cursor.execute(
        """
        CREATE TEMP TABLE touched_weeks ON COMMIT DROP AS
        SELECT DISTINCT date_trunc('week', started_at AT TIME ZONE 'UTC')::date AS week_start
        FROM audience_viewingevent WHERE id > %s AND id <= %s
        """,
        [after, upto],
    )


def _prepare_title_units(cursor: CursorWrapper) -> None:
    cursor.execute(_TITLE_UNITS)
    cursor.execute("ALTER TABLE title_units ADD PRIMARY KEY (title_id)")
    cursor.execute(_UNIT_RUNTIMES)
    cursor.execute("ALTER TABLE unit_runtimes ADD PRIMARY KEY (unit_id)")
    cursor.execute("ANALYZE title_units, unit_runtimes")


def _recompute_top10(
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
        scope = "JOIN touched_weeks w ON d.day >= w.week_start AND d.day < w.week_start + 7"
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
    run(
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


def _recompute_ranked_windows(cursor: CursorWrapper, computed_at: datetime.datetime) -> None:
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
