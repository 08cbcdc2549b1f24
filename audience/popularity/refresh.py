"""The popularity workers: from viewing events to daily title stats, genre hours and rankings.

Everything runs inside PostgreSQL as set-based SQL; Python only sequences the statements.
This module owns the watermarks, the locks and the daily fold; `audience.popularity.rankings` holds
the ranking SQL (Top 10, trending, popularity) that the workers run over the daily rows.

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

from audience.models import AggregationWatermark
from audience.popularity import rankings
from audience.popularity.bulk_load import secondary_indexes_drop, secondary_indexes_restore

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
        if not try_lock(cursor):
            return RefreshReport(0, 0, skipped=True)
        watermark = _locked_watermark()
        done = watermark.last_event_id
        if target <= done:
            _checked(watermark)
            return RefreshReport(done, done)
        tune_for_aggregation(cursor)
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
        rankings.prepare_title_units(cursor)
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
        rankings.recompute_top10(cursor, computed_at, only_touched_weeks=False)
        rankings.recompute_windows(cursor, computed_at)
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
        if not try_lock(cursor):
            return RefreshReport(0, 0, skipped=True)
        folded = _locked_watermark().last_event_id
        ranked = _locked_watermark(RANKINGS_WATERMARK)
        previous = ranked.last_event_id
        if previous == folded:
            return RefreshReport(previous, folded)
        tune_for_aggregation(cursor)
        rankings.prepare_title_units(cursor)
        computed_at = timezone.now()
        rankings.mark_touched_weeks(cursor, after=previous, upto=folded)
        rankings.recompute_top10(cursor, computed_at, only_touched_weeks=True)
        rankings.recompute_windows(cursor, computed_at)
        _save_watermark(ranked, folded)
    logger.info("Top 10 weeks, trending and popularity ranked at event %d", folded)
    return RefreshReport(previous, folded)


def try_lock(cursor: CursorWrapper, key: int = LOCK_KEY) -> bool:
    """Take a workers' lock (`key`) for this transaction, unless another run holds it."""
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
    return bool(cursor.fetchone()[0])


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


def _checked(watermark: AggregationWatermark) -> None:
    watermark.checked_at = timezone.now()
    watermark.save(update_fields=["checked_at"])


def workers_last_checked() -> datetime.datetime | None:
    """When a popularity refresh last ran (beat sends one every POPULARITY_REFRESH_SECONDS)."""
    return (
        AggregationWatermark.objects.filter(name=WATERMARK)
        .values_list("checked_at", flat=True)
        .first()
    )


def _save_watermark(watermark: AggregationWatermark, event_id: int) -> None:
    watermark.last_event_id = event_id
    watermark.refreshed_at = watermark.checked_at = timezone.now()
    watermark.save(update_fields=["last_event_id", "refreshed_at", "checked_at"])


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
    # A touched (title, day) is recomputed from all of its events, not added to: distinct
    # viewers do not add up across batches. Its rows go and come back in one transaction.
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
