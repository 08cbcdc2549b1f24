"""Write synthetic viewing at benchmark scale with PostgreSQL COPY, in one transaction.

`generate_viewing` guarantees:
- exactly `events` new viewing events, spread over `profiles` generated profiles (source
  "generated"): the oldest ones already there are reused, the missing ones created in
  households of one to five profiles per account (accounts `generated-<id>`, no usable
  password); `profiles=0` spreads them over every generated profile already there;
- each event's region, age band and gender are its profile's, its client event id a random
  UUID, its title a released movie or episode out before today, its time within the last
  `days` days, not before the title's release day, and ending before now (how they are
  drawn: audience.generators.viewing_plan);
- it only adds: run again, it adds another batch (the random streams take the events'
  highest id as well as the seed, so batches differ); on an empty events table the same
  seed, catalog and profiles give the same events relative to now;
- all or nothing, under an advisory lock against a concurrent run. A batch of at least
  100,000 events and an eighth of the table is loaded with the table's secondary indexes
  and foreign keys dropped and rebuilt in the same transaction
  (audience.popularity.bulk_load), which holds an exclusive lock on the events table
  and blocks writes to profiles and titles until it commits; a smaller batch goes
  through the indexes and leaves the table readable.
"""

from __future__ import annotations

import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, models, transaction
from psycopg import Cursor, sql
from psycopg.rows import TupleRow
from tqdm import tqdm

from audience.generators import vocabulary as vocab
from audience.generators.event_copy import (
    COLUMNS,
    SIGNATURE,
    TRAILER,
    EventEncoder,
    client_event_ids,
)
from audience.generators.viewers import ViewerPlan, plan_viewers
from audience.generators.viewing_plan import EventPlan, Ints, Shelf, Window, plan_viewing
from audience.models import Profile, ProfileSource, ViewingEvent
from audience.popularity.bulk_load import secondary_indexes_drop, secondary_indexes_restore
from config.planner_statistics import analyze_tables, tables_of

_LOCK_ID = zlib.crc32(b"audience.generators.viewing")
# Measured on two cores: 1M events into an empty table take 26 s through the indexes and
# 8 s with them rebuilt; 1M onto 10M take 45 s through them, while a rebuild costs about
# 4 s per million rows in the table. Rebuilding pays once a batch is an eighth of the table.
BULK_LOAD_MIN_EVENTS = 100_000
BULK_LOAD_MIN_SHARE = 1 / 8
# PostgreSQL's autovacuum_analyze_scale_factor: a batch this share of the table analyzes it.
ANALYZE_MIN_SHARE = 0.1
BLOCK_ROWS = 8_192
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ACCOUNT_PREFIX = "generated-"


class EmptyShelfError(Exception):
    """The catalog has no released movie or aired episode to watch."""


class NoProfilesError(Exception):
    """Asked to reuse the generated profiles (profiles=0) where there are none."""


@dataclass
class ViewingSummary:
    events: int = 0
    profiles_reused: int = 0
    profiles_created: int = 0
    accounts_created: int = 0
    rebuilt_indexes: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0


@dataclass(frozen=True)
class _Audience:
    """The profiles the events go to, by position."""

    ids: Ints
    segment: Ints  # index into `segments`
    segments: list[tuple[str, str, str]]  # (region, age band, gender)
    utc_offset_minutes: Ints


def generate_viewing(
    *, events: int, profiles: int, seed: int = 0, days: int = 365, progress: bool = False
) -> ViewingSummary:
    """Add `events` events over `profiles` generated profiles; see the module docstring."""
    started = time.perf_counter()
    summary = ViewingSummary(events=events)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
            now, batch, existing_events = _state(cursor)
            window = Window(now_us=_microseconds(now), days=days)
            with _timed(summary, "catalog"):
                shelf = _load_shelf(cursor, window)
            with _timed(summary, "profiles"):
                audience = _ensure_profiles(
                    cursor, profiles, _stream(seed, "viewers", batch), now, summary
                )
            with _timed(summary, "plan"):
                plan = plan_viewing(
                    shelf,
                    audience.utc_offset_minutes,
                    events=events,
                    window=window,
                    rng=_stream(seed, "viewing", batch),
                )
            summary.rebuilt_indexes = events >= max(
                BULK_LOAD_MIN_EVENTS, BULK_LOAD_MIN_SHARE * existing_events
            )
            if summary.rebuilt_indexes:
                with _timed(summary, "indexes"):
                    dropped = secondary_indexes_drop(cursor, ViewingEvent._meta.db_table)
            with _timed(summary, "copy"):
                encoder = EventEncoder(audience.ids, audience.segment, audience.segments)
                _copy_events(cursor, plan, encoder, _stream(seed, "ids", batch), progress)
            if summary.rebuilt_indexes:
                with _timed(summary, "indexes"):
                    secondary_indexes_restore(cursor, dropped)
            with _timed(summary, "analyze"):
                _analyze_what_changed(summary, existing_events)
    summary.wall_seconds = time.perf_counter() - started
    return summary


def _analyze_what_changed(summary: ViewingSummary, existing_events: int) -> None:
    """Fresh planner statistics for a batch that moves the events table by autovacuum's
    analyze threshold (a tenth) or more, and after new profiles. A smaller batch is left to
    autovacuum: the statistics of before still hold, and sampling a large table would cost
    more than the batch itself."""
    changed = [
        model
        for model, is_changed in (
            (ViewingEvent, summary.events >= ANALYZE_MIN_SHARE * existing_events),
            (Profile, summary.profiles_created > 0),
        )
        if is_changed
    ]
    analyze_tables(tables_of(*changed))


@contextmanager
def _timed(summary: ViewingSummary, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    summary.seconds[phase] = summary.seconds.get(phase, 0.0) + time.perf_counter() - started


def _stream(seed: int, part: str, batch: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(part.encode()), batch])


def _microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _state(cursor: Cursor[TupleRow]) -> tuple[datetime, int, int]:
    """The transaction's now, the events' highest id, and about how many events there are."""
    table = ViewingEvent._meta.db_table
    cursor.execute(
        sql.SQL(
            "SELECT now(), (SELECT COALESCE(MAX(id), 0) FROM {}), "
            "(SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass)"
        ).format(sql.Identifier(table)),
        [table],
    )
    now, highest_id, estimate = cursor.fetchall()[0]
    if estimate < 0:  # never analysed
        cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table)))
        estimate = cursor.fetchall()[0][0]
    return now, int(highest_id), int(estimate)


def _load_shelf(cursor: Cursor[TupleRow], window: Window) -> Shelf:
    """Released movies and episodes out before today (UTC), grouped by movie or series.

    A title without a release date counts as released on the first of January of its year.
    """
    cursor.execute(
        """
        WITH watchable AS (
            SELECT t.id, t.kind = 'episode' AS is_episode,
                   CASE WHEN t.kind = 'episode'
                        THEN COALESCE(season.parent_id, t.parent_id, t.id) ELSE t.id END AS unit,
                   season.number AS season_number, t.number,
                   COALESCE(t.runtime_minutes, 0) AS runtime,
                   COALESCE(t.release_date, make_date(t.year, 1, 1), DATE '1900-01-01')
                       - DATE '1970-01-01' AS release_day
            FROM catalog_title t LEFT JOIN catalog_title season ON season.id = t.parent_id
            WHERE t.kind IN ('movie', 'episode') AND t.status = 'released'
        )
        SELECT id, unit, is_episode, runtime, release_day FROM watchable
        WHERE release_day < %s
        ORDER BY unit, season_number, number, id
        """,
        [window.first_day + window.days],
    )
    rows = cursor.fetchall()
    if not rows:
        raise EmptyShelfError(
            "The catalog has no released movie or aired episode: generate or import one first."
        )
    title_id, unit, is_episode, runtime, release_day = np.array(rows, np.int64).T
    return Shelf.from_rows(
        title_id=title_id,
        unit_id=unit,
        is_episode=is_episode.astype(bool),
        runtime_minutes=runtime,
        release_day=release_day,
    )


def _ensure_profiles(
    cursor: Cursor[TupleRow],
    count: int,
    rng: np.random.Generator,
    now: datetime,
    summary: ViewingSummary,
) -> _Audience:
    """The oldest `count` generated profiles, creating those that are missing; all of
    them, creating none, when `count` is 0."""
    cursor.execute(
        sql.SQL(
            "SELECT id, region, age_band, gender FROM {} WHERE source = %s ORDER BY id LIMIT %s"
        ).format(sql.Identifier(Profile._meta.db_table)),
        [ProfileSource.GENERATED.value, count or None],
    )
    rows: list[tuple[int, str, str, str]] = cursor.fetchall()
    if not rows and not count:
        raise NoProfilesError("There are no generated profiles to reuse: pass --profiles M.")
    count = count or len(rows)
    summary.profiles_reused = len(rows)
    plan = plan_viewers(count - len(rows), rng)
    rows += _write_viewers(cursor, plan, rng, now)
    summary.profiles_created = len(plan)
    summary.accounts_created = plan.households
    codes: dict[tuple[str, str, str], int] = {}
    segment = np.array([codes.setdefault(row[1:], len(codes)) for row in rows], np.int64)
    regions = [row[1] for row in rows]
    return _Audience(
        ids=np.array([row[0] for row in rows], np.int64),
        segment=segment,
        segments=list(codes),
        utc_offset_minutes=np.array(
            [vocab.REGION_UTC_OFFSET_MINUTES.get(region, 0) for region in regions], np.int64
        ),
    )


def _write_viewers(
    cursor: Cursor[TupleRow], plan: ViewerPlan, rng: np.random.Generator, now: datetime
) -> list[tuple[int, str, str, str]]:
    """COPY the planned accounts and profiles; their (id, region, age band, gender)."""
    if not len(plan):
        return []
    user_model = get_user_model()
    account_ids = _allocate_ids(cursor, user_model, plan.households)
    profile_ids = _allocate_ids(cursor, Profile, len(plan))
    tokens = rng.bytes(20 * plan.households).hex()
    accounts = (
        (
            pk,
            f"{UNUSABLE_PASSWORD_PREFIX}{tokens[40 * i : 40 * i + 40]}",
            f"{ACCOUNT_PREFIX}{pk}",
            now,
        )
        for i, pk in enumerate(account_ids.tolist())
    )
    _copy_rows(
        cursor,
        user_model,
        ["id", "password", "username", "date_joined"],
        accounts,
        extra={"is_superuser": False, "first_name": "", "last_name": "", "email": "",
               "is_staff": False, "is_active": True},
    )  # fmt: skip
    regions = [vocab.REGIONS[i] for i in plan.region.tolist()]
    age_bands = [vocab.AGE_BANDS[i] for i in plan.age_band.tolist()]
    genders = [vocab.GENDERS[i] for i in plan.gender.tolist()]
    profiles = [
        (pk, account, f"Viewer {pk}", region, vocab.REGION_LANGUAGES[region], age_band,
         gender, vocab.maturity_level_for(age_band), str(pk), now)
        for pk, account, region, age_band, gender in zip(
            profile_ids.tolist(), account_ids[plan.household].tolist(), regions, age_bands,
            genders, strict=True,
        )
    ]  # fmt: skip
    _copy_rows(
        cursor,
        Profile,
        ["id", "account_id", "name", "region", "language", "age_band", "gender",
         "maturity_level", "source_id", "created_at"],
        profiles,
        extra={"source": ProfileSource.GENERATED.value},
    )  # fmt: skip
    return [(row[0], row[3], row[5], row[6]) for row in profiles]


def _allocate_ids(cursor: Cursor[TupleRow], model: type[models.Model], count: int) -> Ints:
    """Take `count` ids from the table's sequence, as an ORM insert would."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return np.array([row[0] for row in cursor.fetchall()], np.int64)


def _copy_rows(
    cursor: Cursor[TupleRow],
    model: type[models.Model],
    columns: list[str],
    rows: Iterable[tuple[object, ...]],
    *,
    extra: dict[str, object],
) -> None:
    """COPY rows of `columns`, each followed by the same `extra` values."""
    constant = tuple(extra.values())
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(map(sql.Identifier, [*columns, *extra])),
    )
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + constant)


def _copy_events(
    cursor: Cursor[TupleRow],
    plan: EventPlan,
    encoder: EventEncoder,
    id_rng: np.random.Generator,
    progress: bool,
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(ViewingEvent._meta.db_table),
        sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
    )
    with (
        tqdm(
            total=len(plan), desc="viewing events", unit=" rows", file=sys.stderr,
            disable=not progress, mininterval=0.5,
        ) as bar,
        cursor.copy(statement) as copy,
    ):  # fmt: skip
        copy.write(SIGNATURE)
        for start in range(0, len(plan), BLOCK_ROWS):
            count = min(BLOCK_ROWS, len(plan) - start)
            copy.write(encoder.encode(plan, start, client_event_ids(id_rng, count)))
            bar.update(count)
        copy.write(TRAILER)
