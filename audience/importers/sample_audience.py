"""The sample audience: the 671 MovieLens users, their 100,004 ratings, and the viewing they imply.

`sample_audience_import` guarantees:
- one account (`movielens-<userId>`, no usable password) and one profile (source
  "movielens", source_id the userId) per user, with demographics drawn from the user id
  (audience.importers.demographics); existing accounts and profiles are kept as they are;
- one viewing event per rating whose movie is in the catalog (rules in
  audience.importers.movielens_ratings), with the viewer's region, age band and gender
  copied from the profile; events are keyed by (profile, client event id), so a second
  run stores nothing twice;
- the data set's times moved forward by one constant, so that its last rating falls on
  the moment of the first import and the demo's Top 10, trending and charts show today
  (MovieLens ends in October 2016); the times between ratings stay as they were. Later
  runs reuse the first run's shift, read back from a stored event, whatever their day;
- one rating per (profile, title), upserted: the import's verdict replaces a stored one
  only if it is not older, so a second run changes nothing and a viewer's later verdict wins;
- all or nothing, in one transaction under an advisory lock, so two imports never interleave,
  with the tables it filled analyzed before it commits;
- afterwards, one popularity refresh folds the new events into the aggregates.
Rows whose movie is not in the catalog are skipped and counted by reason.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import perf_counter
from typing import TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from psycopg import Cursor
from psycopg.rows import TupleRow
from tqdm import tqdm

from audience.importers.demographics import movielens_demographics
from audience.importers.movielens_ratings import (
    MovielensRating,
    device_for,
    read_movielens_ratings,
    thumbs_for,
    viewing_for,
)
from audience.models import Profile, ProfileSource, Rating, ViewingEvent
from audience.popularity.refresh import RefreshReport, refresh_popularity, refresh_rankings
from catalog.models import ExternalId, ExternalIdSource
from config.planner_statistics import analyze_tables, tables_of

_LOCK_ID = zlib.crc32(b"audience.importers.sample_audience")
ACCOUNT_PREFIX = "movielens-"
NOT_IN_CATALOG = "movie not in the catalog"


class CatalogNotImportedError(Exception):
    """The catalog holds no MovieLens movie, so no rating could be placed."""


@dataclass(slots=True)
class SampleAudienceImportReport:
    """What one import did. Events count rows of the data set, ratings (profile, title)
    pairs; `skipped` counts rows by reason."""

    accounts_created: int = 0
    profiles_created: int = 0
    profiles_existing: int = 0
    events_created: int = 0
    events_existing: int = 0
    ratings_created: int = 0
    ratings_updated: int = 0
    ratings_unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    # How far every rating's time was moved forward, and the data set's last rating moved.
    time_shift: timedelta = timedelta(0)
    last_rating_at: datetime | None = None
    popularity: RefreshReport | None = None
    elapsed_seconds: float = 0.0

    @property
    def created_or_changed_anything(self) -> bool:
        return any(
            (
                self.accounts_created,
                self.profiles_created,
                self.events_created,
                self.ratings_created,
                self.ratings_updated,
            )
        )


@dataclass(frozen=True, slots=True)
class _PlacedRating:
    """A rating whose user has a profile and whose movie has a title."""

    rating: MovielensRating
    profile_id: int
    title_id: int
    runtime_minutes: int | None


def sample_audience_is_loaded() -> bool:
    """Whether a MovieLens profile exists, i.e. an import has committed."""
    return Profile.objects.filter(source=ProfileSource.MOVIELENS).exists()


def sample_audience_import(
    *,
    progress_file: TextIO | None = None,
    refresh: bool = True,
    now: datetime | None = None,
) -> SampleAudienceImportReport:
    """Import the sample audience; idempotent, all or nothing (see the module docstring).

    Progress bars go to `progress_file` (none when it is None). With `refresh`, the
    popularity aggregates are refreshed once the import has committed. A first import
    moves the last rating to `now` (default: the current time).
    """
    started = perf_counter()
    report = SampleAudienceImportReport()
    ratings = read_movielens_ratings()
    with transaction.atomic():
        _lock_import()
        titles = _movielens_titles()
        if not titles:
            raise CatalogNotImportedError(
                "The catalog holds no MovieLens movie: run `manage.py import_sample_catalog` first."
            )
        profile_ids = _ensure_profiles(sorted({rating.user_id for rating in ratings}), report)
        placed = _place(ratings, profile_ids, titles, report.skipped)
        report.time_shift = _time_shift(ratings, now or timezone.now())
        report.last_rating_at = max(rating.rated_at for rating in ratings) + report.time_shift
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with _progress("events", len(placed), progress_file) as progress:
                report.events_created = _insert_events(cursor, placed, report.time_shift, progress)
            report.events_existing = len(placed) - report.events_created
            _upsert_ratings(cursor, placed, progress_file, report)
        analyze_tables(tables_of(get_user_model(), Profile, ViewingEvent, Rating))
    if refresh:
        report.popularity = refresh_popularity()
        refresh_rankings()
    report.elapsed_seconds = perf_counter() - started
    return report


def _lock_import() -> None:
    """Serialise imports: the lock is held until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _time_shift(ratings: Sequence[MovielensRating], now: datetime) -> timedelta:
    """The first import's shift if it stored an event (so that a second run on a later day
    matches the first), else the one that moves the last rating to `now`, in whole seconds."""
    stored = (
        ViewingEvent.objects.filter(profile__source=ProfileSource.MOVIELENS)
        .values_list("profile__source_id", "client_event_id", "started_at")
        .first()
    )
    if stored is not None:
        user_id, event_id, started_at = stored
        for rating in ratings:
            if rating.user_id == int(user_id) and rating.client_event_id == event_id:
                return started_at - rating.rated_at
    last = max(rating.timestamp for rating in ratings)
    return timedelta(seconds=int(now.timestamp()) - last)


def _movielens_titles() -> dict[int, tuple[int, int | None]]:
    """movieId -> (title id, runtime in minutes) of every MovieLens movie in the catalog."""
    rows = ExternalId.objects.filter(source=ExternalIdSource.MOVIELENS).values_list(
        "value", "title_id", "title__runtime_minutes"
    )
    return {int(value): (title_id, runtime) for value, title_id, runtime in rows}


def _ensure_profiles(user_ids: Sequence[int], report: SampleAudienceImportReport) -> dict[int, int]:
    """userId -> profile id; creates the accounts and profiles that are missing."""
    user_model = get_user_model()
    usernames = {f"{ACCOUNT_PREFIX}{user_id}": user_id for user_id in user_ids}
    existing_accounts = set(
        user_model.objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    new_accounts = [
        user_model(username=username, password=make_password(None))
        for username in usernames
        if username not in existing_accounts
    ]
    user_model.objects.bulk_create(new_accounts, ignore_conflicts=True)
    report.accounts_created = len(new_accounts)
    account_ids = {
        usernames[username]: pk
        for username, pk in user_model.objects.filter(username__in=usernames).values_list(
            "username", "pk"
        )
    }
    movielens = Profile.objects.filter(source=ProfileSource.MOVIELENS)
    existing_profiles = set(movielens.values_list("source_id", flat=True))
    new_profiles = [
        _new_profile(user_id, account_ids[user_id])
        for user_id in user_ids
        if str(user_id) not in existing_profiles
    ]
    Profile.objects.bulk_create(new_profiles, ignore_conflicts=True)
    report.profiles_created = len(new_profiles)
    report.profiles_existing = len(user_ids) - len(new_profiles)
    return {
        int(source_id): pk
        for source_id, pk in movielens.filter(source_id__in=[str(u) for u in user_ids]).values_list(
            "source_id", "pk"
        )
    }


def _new_profile(user_id: int, account_id: int) -> Profile:
    who = movielens_demographics(user_id)
    return Profile(
        account_id=account_id,
        name=f"MovieLens user {user_id}",
        region=who.region,
        language=who.language,
        age_band=who.age_band,
        gender=who.gender,
        maturity_level=who.maturity_level,
        source=ProfileSource.MOVIELENS,
        source_id=str(user_id),
    )


def _place(
    ratings: Iterable[MovielensRating],
    profile_ids: dict[int, int],
    titles: dict[int, tuple[int, int | None]],
    skipped: Counter[str],
) -> list[_PlacedRating]:
    placed = []
    for rating in ratings:
        title = titles.get(rating.movie_id)
        if title is None:
            skipped[NOT_IN_CATALOG] += 1
            continue
        placed.append(_PlacedRating(rating, profile_ids[rating.user_id], *title))
    return placed


def _insert_events(
    cursor: Cursor[TupleRow], placed: Sequence[_PlacedRating], shift: timedelta, progress: tqdm
) -> int:
    """COPY the events into a scratch table, then insert those not stored yet; how many were new.

    The segment columns come from the profile row, as the API's ingestion copies them.
    """
    cursor.execute(
        """
        CREATE TEMP TABLE movielens_events (
            profile_id bigint, title_id bigint, started_at timestamptz,
            seconds_watched integer, completed boolean, device smallint, client_event_id uuid
        ) ON COMMIT DROP
        """
    )
    with cursor.copy(
        "COPY movielens_events (profile_id, title_id, started_at, seconds_watched, completed, "
        "device, client_event_id) FROM STDIN"
    ) as copy:
        for row in placed:
            rating = row.rating
            event_id = rating.client_event_id
            viewing = viewing_for(rating.stars, row.runtime_minutes)
            copy.write_row(
                (
                    row.profile_id,
                    row.title_id,
                    rating.rated_at + shift,
                    viewing.seconds_watched,
                    viewing.completed,
                    device_for(event_id),
                    event_id,
                )
            )
            progress.update()
    cursor.execute(
        """
        INSERT INTO audience_viewingevent
            (profile_id, title_id, started_at, seconds_watched, completed, device,
             client_event_id, region, age_band, gender)
        SELECT m.profile_id, m.title_id, m.started_at, m.seconds_watched, m.completed,
               m.device, m.client_event_id, p.region, p.age_band, p.gender
        FROM movielens_events m JOIN audience_profile p ON p.id = m.profile_id
        ORDER BY m.started_at, m.profile_id, m.client_event_id
        ON CONFLICT (profile_id, client_event_id) DO NOTHING
        """
    )
    created = cursor.rowcount
    # Dropped now rather than at commit: an enclosing transaction may import again.
    cursor.execute("DROP TABLE movielens_events")
    return created


def _upsert_ratings(
    cursor: Cursor[TupleRow],
    placed: Sequence[_PlacedRating],
    progress_file: TextIO | None,
    report: SampleAudienceImportReport,
) -> None:
    """Insert the missing ratings, then replace stored ones that differ and are not newer.

    Two movies of one title would rate it twice: the later rating is the verdict.
    """
    latest: dict[tuple[int, int], MovielensRating] = {}
    for row in placed:
        key = (row.profile_id, row.title_id)
        if key not in latest or latest[key].timestamp <= row.rating.timestamp:
            latest[key] = row.rating
    cursor.execute(
        """
        CREATE TEMP TABLE movielens_ratings (
            profile_id bigint, title_id bigint, value smallint, rated_at timestamptz
        ) ON COMMIT DROP
        """
    )
    with (
        _progress("ratings", len(latest), progress_file) as progress,
        cursor.copy(
            "COPY movielens_ratings (profile_id, title_id, value, rated_at) FROM STDIN"
        ) as copy,
    ):
        for (profile_id, title_id), rating in latest.items():
            copy.write_row(
                (
                    profile_id,
                    title_id,
                    int(thumbs_for(rating.stars)),
                    rating.rated_at + report.time_shift,
                )
            )
            progress.update()
    cursor.execute(
        """
        INSERT INTO audience_rating (profile_id, title_id, value, rated_at)
        SELECT profile_id, title_id, value, rated_at FROM movielens_ratings
        ORDER BY profile_id, title_id
        ON CONFLICT (profile_id, title_id) DO NOTHING
        """
    )
    report.ratings_created = cursor.rowcount
    cursor.execute(
        """
        UPDATE audience_rating r SET value = m.value, rated_at = m.rated_at
        FROM movielens_ratings m
        WHERE r.profile_id = m.profile_id AND r.title_id = m.title_id
          AND r.rated_at <= m.rated_at
          AND (r.value, r.rated_at) IS DISTINCT FROM (m.value, m.rated_at)
        """
    )
    report.ratings_updated = cursor.rowcount
    cursor.execute("DROP TABLE movielens_ratings")
    report.ratings_unchanged = len(latest) - report.ratings_created - report.ratings_updated


def _progress(description: str, total: int, progress_file: TextIO | None) -> tqdm:
    return tqdm(
        desc=description,
        total=total,
        unit="row",
        file=progress_file,
        disable=progress_file is None,
        mininterval=0.5,
    )
