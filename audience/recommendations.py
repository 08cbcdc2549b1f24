"""Recommendations per profile: histories from the events, the stored model, the serving
rules, and the rows the workers write.

The mathematics lives in `audience.recommender`; this module feeds it from PostgreSQL and
applies what the product promises:
- a series is recommended as the series: an episode's viewing counts for its series;
- nothing the profile has watched (finished or started) is recommended again, so
  Continue Watching, not the recommendations, brings back what it started;
- only titles available in the profile's region now and allowed by its maturity level
  (a title without a certificate counts as adults-only for a younger profile);
- too few picks from the model (or no history at all) are made up with what is trending
  in the profile's region and what is popular in its segment (region and age band);
- each recommendation says why: the watched title that contributed most to its score,
  "Trending now" or "Popular in your country".

The workers (`audience.tasks`) call `start_full_refresh`, then `refresh_chunk` for each
chunk of profiles, and `refresh_profile` on demand after new viewing events.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TypeVar

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from audience.models import (
    GLOBAL_REGION,
    Profile,
    RatingValue,
    ReasonKind,
    Recommendation,
    RecommendationChunk,
    RecommendationRun,
    RecommenderModel,
    TrendingEntry,
)
from audience.popularity import try_lock
from audience.recommender import (
    Histories,
    ItemModel,
    Parameters,
    Watched,
    histories_from,
    most_watched_items,
    top_picks,
)
from audience.recommender import train as train_weights
from catalog.filters import ADULTS_ONLY_LEVEL
from config.planner_statistics import analyze_tables

logger = logging.getLogger(__name__)
T = TypeVar("T")

# pg_advisory_xact_lock key of a full refresh's start ("reco" in ASCII).
LOCK_KEY = 0x7265636F
METHOD = "ease-recency"

# How much a rating moves a watched title's weight in the profile's history; tuned on the
# MovieLens validation split (docs/benchmarks.md).
RATING_FACTORS: dict[int, float] = {
    RatingValue.THUMBS_DOWN: 0.3,
    RatingValue.THUMBS_UP: 1.0,
    RatingValue.LOVE: 1.3,
}

# A viewing event's title as the recommendations see it: a movie, or an episode's series.
UNIT_OF_TITLE = "CASE WHEN t.kind = 'episode' THEN season.parent_id ELSE t.id END"

# Per profile and movie or series: when it last watched it (epoch seconds) and its
# rating of it (0 if none).
_WATCHED = f"""
    WITH watched AS (
        SELECT e.profile_id, {UNIT_OF_TITLE} AS item_id, MAX(e.started_at) AS last_watched
        FROM audience_viewingevent e
        JOIN catalog_title t ON t.id = e.title_id
        LEFT JOIN catalog_title season ON season.id = t.parent_id
        WHERE e.profile_id BETWEEN %s AND %s
        GROUP BY 1, 2
    )
    SELECT w.profile_id, w.item_id, FLOOR(EXTRACT(EPOCH FROM w.last_watched))::bigint,
           COALESCE(r.value, 0)
    FROM watched w
    LEFT JOIN audience_rating r ON r.profile_id = w.profile_id AND r.title_id = w.item_id
"""


def read_watched(first_profile_id: int = 0, last_profile_id: int = 2**62) -> Watched:
    """What the profiles with ids in [first, last] watched, straight into arrays.

    COPY's text output parses into NumPy in one pass, which keeps reading ten million
    events within seconds and without a Python object per row.
    """
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY ({_WATCHED}) TO STDOUT", [first_profile_id, last_profile_id]
        ) as copy,
    ):
        text = b"".join(bytes(block) for block in copy)
    values = np.fromstring(text, dtype=np.int64, sep=" ") if text else np.zeros(0, np.int64)  # type: ignore[call-overload]
    rows = values.reshape(-1, 4)
    return Watched(*(rows[:, column].copy() for column in range(4)))


def read_histories(first_profile_id: int = 0, last_profile_id: int = 2**62) -> Histories:
    """The histories of the profiles with ids in [first, last], as the model reads them."""
    return histories_from(read_watched(first_profile_id, last_profile_id), RATING_FACTORS)


def model_parameters() -> Parameters:
    return Parameters(
        l2=settings.RECOMMENDER_L2,
        half_life=settings.RECOMMENDER_HALF_LIFE,
        neighbours=settings.RECOMMENDER_NEIGHBOURS,
    )


def train_model() -> RecommenderModel:
    """Learn a new model from every profile's history and store it as the next version."""
    started = time.perf_counter()
    histories = read_histories()
    items = most_watched_items(
        histories,
        limit=settings.RECOMMENDER_MAX_ITEMS,
        min_viewers=settings.RECOMMENDER_MIN_VIEWERS,
    )
    model = train_weights(histories, items, model_parameters())
    stored = RecommenderModel.objects.create(
        method=METHOD,
        parameters=model.parameters.as_dict(),
        trained_at=timezone.now(),
        training_seconds=time.perf_counter() - started,
        profiles=len(np.unique(histories.profile_ids)),
        items=len(items),
        interactions=len(histories),
        weights=model.to_bytes(),
    )
    logger.info("Trained %s on %d pairs, %d items", stored, len(histories), len(items))
    return stored


def load_model(version: int) -> ItemModel:
    """A stored model, loaded once per worker process."""
    return _load_model(connection.settings_dict["NAME"], version)


@lru_cache(maxsize=2)
def _load_model(database: str, version: int) -> ItemModel:
    stored = RecommenderModel.objects.only("weights").get(pk=version)
    return ItemModel.from_bytes(bytes(stored.weights), version=version)


def latest_model() -> ItemModel | None:
    version = RecommenderModel.objects.order_by("-id").values_list("id", flat=True).first()
    return None if version is None else load_model(version)


# ---------------------------------------------------------------------------------------
# What may be recommended to whom: certificates and open windows, per title


@dataclass
class CatalogFacts:
    """Maturity level and the regions open now, per title; refetched when stale.

    One per worker process, shared by its threads (a threads pool): a lock keeps one
    thread from reading what another is clearing.
    """

    levels: dict[int, int] = field(default_factory=dict)
    regions: dict[int, frozenset[str]] = field(default_factory=dict)
    # Per (model version, region, maturity level): which of the model's items may be shown.
    masks: dict[tuple[int | None, str, int], np.ndarray] = field(default_factory=dict)
    fetched_at: float = 0.0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def ensure(self, title_ids: Iterable[int]) -> None:
        with self.lock:
            stale = (
                time.monotonic() - self.fetched_at > settings.RECOMMENDATION_CATALOG_CACHE_SECONDS
            )
            if stale:
                self.levels.clear()
                self.regions.clear()
                self.masks.clear()
                self.fetched_at = time.monotonic()
            missing = [title_id for title_id in title_ids if title_id not in self.levels]
            if missing:
                self._fetch(missing)

    def allows(self, title_id: int, region: str, maturity_level: int) -> bool:
        level = self.levels.get(title_id, ADULTS_ONLY_LEVEL)
        return level <= maturity_level and region in self.regions.get(title_id, ())

    def allowed_items(self, model: ItemModel, region: str, maturity_level: int) -> np.ndarray:
        """A boolean per model item: may it be shown in `region` at `maturity_level`?"""
        key = (model.version, region, maturity_level)
        with self.lock:
            if key not in self.masks:
                self.masks[key] = np.fromiter(
                    (self.allows(item, region, maturity_level) for item in model.item_ids.tolist()),
                    dtype=bool,
                    count=len(model.item_ids),
                )
            return self.masks[key]

    def _fetch(self, title_ids: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT t.id, m.level,
                       ARRAY(SELECT DISTINCT a.region FROM catalog_availability a
                             WHERE a.title_id = t.id AND a.window_start <= now()
                               AND (a.window_end IS NULL OR a.window_end > now()))
                FROM catalog_title t
                LEFT JOIN catalog_maturityrating m ON m.id = t.maturity_rating_id
                WHERE t.id = ANY(%s) AND t.kind IN ('movie', 'series')
                """,
                [title_ids],
            )
            for title_id, level, regions in cursor.fetchall():
                self.levels[title_id] = ADULTS_ONLY_LEVEL if level is None else level
                self.regions[title_id] = frozenset(regions)
        for title_id in title_ids:  # not a movie or series, or gone: never recommended
            self.levels.setdefault(title_id, ADULTS_ONLY_LEVEL + 1)


_FACTS = CatalogFacts()


# ---------------------------------------------------------------------------------------
# Popularity picks: for profiles with little or no history


@dataclass(frozen=True)
class Pick:
    title_id: int
    score: float
    reason: str
    because_you_watched: int | None = None


def _cached(key: str, seconds: int, compute: Callable[[], T], *, fresh: bool = False) -> T:
    """`compute()`, kept in the cache for `seconds` (0: not cached); `fresh` recomputes."""
    if seconds <= 0:
        return compute()
    full_key = ":".join(["recommendations", connection.settings_dict["NAME"], key])
    value: T | None = None if fresh else cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, seconds)
    return value


def trending_picks(region: str) -> list[Pick]:
    """The region's trending titles (worldwide when the region has none), best first."""
    return _cached(
        f"trending:{region}",
        settings.RECOMMENDATION_CATALOG_CACHE_SECONDS,
        lambda: _trending_picks(region),
    )


def _trending_picks(region: str) -> list[Pick]:
    for scope in (region, GLOBAL_REGION):
        rows = list(
            TrendingEntry.objects.filter(region=scope)
            .order_by("rank")
            .values_list("title_id", "score")[: settings.RECOMMENDATIONS_PER_PROFILE]
        )
        if rows:
            total = sum(score for _, score in rows) or 1.0
            return [Pick(t, score / total, ReasonKind.TRENDING_NOW) for t, score in rows]
    return []


PopularityLists = dict[tuple[str, str | None], list[tuple[int, float]]]


def popular_picks(region: str, age_band: str, lists: PopularityLists) -> list[Pick]:
    """Movies and series most watched by the segment (region and age band) lately.

    Falls back to the whole region until there are enough (never to the world: these
    are "Popular in your country"); the score is the title's share of the viewing of
    the group it was ranked in.
    """
    wanted = 3 * settings.RECOMMENDATIONS_PER_PROFILE
    seen: set[int] = set()
    picks: list[Pick] = []
    for group in ((region, age_band), (region, None)):
        for title_id, share in lists.get(group, ()):
            if title_id not in seen and len(picks) < wanted:
                seen.add(title_id)
                picks.append(Pick(title_id, share, ReasonKind.POPULAR_IN_YOUR_COUNTRY))
    return picks


def _popularity_lists(*, fresh: bool = False) -> PopularityLists:
    """The most watched titles per segment and per region, in one query.

    Over the popularity window, which ends on the last day with viewing (as the
    rankings' does). The query reads weeks of daily rows (seconds at benchmark scale),
    so its result is cached for RECOMMENDATION_POPULARITY_CACHE_SECONDS and recomputed
    by each full refresh (`fresh`), never by a profile's refresh waiting on it.
    """
    return _cached(
        "popular",
        settings.RECOMMENDATION_POPULARITY_CACHE_SECONDS,
        _most_watched_per_segment,
        fresh=fresh,
    )


def _most_watched_per_segment() -> PopularityLists:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH viewing AS (
                SELECT d.region, d.age_band, {UNIT_OF_TITLE} AS item_id,
                       SUM(d.seconds_viewed) AS seconds
                FROM audience_dailytitlestats d
                JOIN catalog_title t ON t.id = d.title_id
                LEFT JOIN catalog_title season ON season.id = t.parent_id
                WHERE d.day > (SELECT MAX(day) FROM audience_dailytitlestats) - %s
                GROUP BY GROUPING SETS ((d.region, d.age_band, item_id), (d.region, item_id))
            ), ranked AS (
                SELECT region, age_band, item_id, seconds,
                       SUM(seconds) OVER (PARTITION BY region, age_band) AS total,
                       ROW_NUMBER() OVER (
                           PARTITION BY region, age_band ORDER BY seconds DESC, item_id
                       ) AS place
                FROM viewing
            )
            SELECT region, age_band, item_id, seconds::float8 / NULLIF(total, 0)
            FROM ranked WHERE place <= %s ORDER BY region, age_band, place
            """,
            [settings.POPULARITY_WINDOW_DAYS, 3 * settings.RECOMMENDATIONS_PER_PROFILE],
        )
        lists: PopularityLists = {}
        for region, age_band, item_id, share in cursor.fetchall():
            lists.setdefault((region, age_band), []).append((item_id, share or 0.0))
    return lists


# ---------------------------------------------------------------------------------------
# Scoring a range of profiles


@dataclass(frozen=True)
class Viewer:
    id: int
    region: str
    age_band: str
    maturity_level: int


def recommend(
    model: ItemModel | None, viewers: list[Viewer], histories: Histories
) -> dict[int, list[Pick]]:
    """Every viewer's picks, best first, by the serving rules of this module."""
    size = settings.RECOMMENDATIONS_PER_PROFILE
    profile_ids = np.array([viewer.id for viewer in viewers], dtype=np.int64)
    watched = _watched_by_profile(histories)
    model_picks = _model_picks(model, viewers, profile_ids, histories, size)
    fills_needed = [viewer for viewer in viewers if len(model_picks[viewer.id]) < size]
    if not fills_needed:
        return model_picks
    popular = _popularity_lists()
    sources = {
        (viewer.region, viewer.age_band): (
            trending_picks(viewer.region),
            popular_picks(viewer.region, viewer.age_band, popular),
        )
        for viewer in fills_needed
    }
    _FACTS.ensure(pick.title_id for lists in sources.values() for picks in lists for pick in picks)
    for viewer in fills_needed:
        model_picks[viewer.id] += _popularity_fill(
            viewer,
            sources[(viewer.region, viewer.age_band)],
            watched.get(viewer.id, set()),
            model_picks[viewer.id],
            size,
        )
    return model_picks


def _watched_by_profile(histories: Histories) -> dict[int, set[int]]:
    watched: dict[int, set[int]] = {}
    for profile_id, item_id in zip(
        histories.profile_ids.tolist(), histories.item_ids.tolist(), strict=True
    ):
        watched.setdefault(profile_id, set()).add(item_id)
    return watched


def _model_picks(
    model: ItemModel | None,
    viewers: list[Viewer],
    profile_ids: np.ndarray,
    histories: Histories,
    size: int,
) -> dict[int, list[Pick]]:
    picks: dict[int, list[Pick]] = {viewer.id: [] for viewer in viewers}
    if model is None or len(model.item_ids) == 0 or len(histories) == 0:
        return picks
    order = np.argsort(profile_ids)
    sorted_ids = profile_ids[order]
    history = model.history(histories, sorted_ids)
    scores = model.scores(history)
    _FACTS.ensure(model.item_ids.tolist())
    for row, viewer_index in enumerate(order.tolist()):
        viewer = viewers[viewer_index]
        history_row = history[row]
        if history_row.nnz == 0:
            continue
        allowed = _FACTS.allowed_items(model, viewer.region, viewer.maturity_level).copy()
        allowed[history_row.indices] = False
        columns = top_picks(scores[row], allowed, size)
        if len(columns) == 0:
            continue
        contributors = model.strongest_contributors(history_row, columns)
        picks[viewer.id] = [
            Pick(
                int(model.item_ids[column]),
                float(scores[row, column]),
                ReasonKind.BECAUSE_YOU_WATCHED,
                int(model.item_ids[contributor]),
            )
            for column, contributor in zip(columns.tolist(), contributors.tolist(), strict=True)
        ]
    return picks


def _popularity_fill(
    viewer: Viewer,
    sources: tuple[list[Pick], list[Pick]],
    watched: set[int],
    chosen: list[Pick],
    size: int,
) -> list[Pick]:
    """A few trending titles, then the segment's most watched, then more trending ones."""
    taken = watched | {pick.title_id for pick in chosen}
    fill: list[Pick] = []
    trending, popular = sources
    passes = ((trending, settings.RECOMMENDATION_TRENDING_PICKS), (popular, size), (trending, size))
    for source, room in passes:
        added = 0
        for pick in source:
            if len(chosen) + len(fill) >= size or added >= room:
                break
            if pick.title_id in taken:
                continue
            if _FACTS.allows(pick.title_id, viewer.region, viewer.maturity_level):
                fill.append(pick)
                taken.add(pick.title_id)
                added += 1
    return fill


# ---------------------------------------------------------------------------------------
# Storing


def refresh_profiles(model: ItemModel | None, first_id: int, last_id: int) -> int:
    """Score the profiles with ids in [first, last] and replace their rows; how many.

    Call inside a transaction. Each profile's row is locked (FOR NO KEY UPDATE, which
    does not hold back its new viewing events) so that two writers of one profile take
    turns; a profile whose stored list was computed after this run read its history
    keeps the newer list.
    """
    with connection.cursor() as cursor:
        # The database's clock, not this worker's: writers on different hosts compare it.
        cursor.execute("SELECT clock_timestamp()")
        computed_at = cursor.fetchone()[0]
    viewers = [
        Viewer(*row)
        for row in Profile.objects.filter(id__range=(first_id, last_id))
        .order_by("id")
        .values_list("id", "region", "age_band", "maturity_level")
    ]
    if not viewers:
        return 0
    histories = read_histories(first_id, last_id)
    picks = recommend(model, viewers, histories)
    with connection.cursor() as cursor:
        writable = _lock_profiles_to_write(cursor, [viewer.id for viewer in viewers], computed_at)
        cursor.execute("DELETE FROM audience_recommendation WHERE profile_id = ANY(%s)", [writable])
        _copy_rows(cursor, picks, writable, model, computed_at)
    return len(writable)


def _lock_profiles_to_write(
    cursor: CursorWrapper, profile_ids: list[int], computed_at: datetime
) -> list[int]:
    cursor.execute(
        "SELECT id FROM audience_profile WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
        [profile_ids],
    )
    existing = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """
        SELECT DISTINCT profile_id FROM audience_recommendation
        WHERE profile_id = ANY(%s) AND computed_at > %s
        """,
        [existing, computed_at],
    )
    newer = {row[0] for row in cursor.fetchall()}
    return [profile_id for profile_id in existing if profile_id not in newer]


def _copy_rows(
    cursor: CursorWrapper,
    picks: dict[int, list[Pick]],
    profile_ids: list[int],
    model: ItemModel | None,
    computed_at: datetime,
) -> None:
    columns = (
        "profile_id, title_id, rank, score, reason, because_you_watched_id, model_id, computed_at"
    )
    version = None if model is None else model.version
    with cursor.cursor.copy(f"COPY audience_recommendation ({columns}) FROM STDIN") as copy:
        for profile_id in profile_ids:
            for rank, pick in enumerate(picks.get(profile_id, ()), start=1):
                copy.write_row(
                    (
                        profile_id,
                        pick.title_id,
                        rank,
                        pick.score,
                        str(pick.reason),
                        pick.because_you_watched,
                        version if pick.because_you_watched else None,
                        computed_at,
                    )
                )


# ---------------------------------------------------------------------------------------
# Runs


@dataclass(frozen=True)
class RunReport:
    """What a call to the workers did; `skipped` when another run held the work."""

    run: int | None = None
    model_version: int | None = None
    chunks: int = 0
    profiles: int = 0
    skipped: bool = False
    chunk_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def start_full_refresh() -> RunReport:
    """Train a new model and split the profiles into chunks for the workers to score.

    Skipped while another run is starting (the advisory lock) or still has chunks to
    score, unless that run is older than RECOMMENDATION_RUN_TIMEOUT_SECONDS (its
    workers died): two overlapping schedules never score the same profiles twice. A
    skipped report lists the unfinished run's chunks still to score: sending them again
    is safe (a chunk done or being done is skipped) and recovers chunk tasks that were
    lost on their way to a worker.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if not try_lock(cursor, LOCK_KEY):
            return RunReport(skipped=True)
        unfinished = _unfinished_run()
        pending = [] if unfinished is None else _pending_chunks(unfinished)
        if unfinished is not None and not pending:
            # Every chunk is done but the run was not marked (its last worker stopped).
            _finish_run_if_done(unfinished.pk)
        elif unfinished is not None:
            return RunReport(
                run=unfinished.pk,
                model_version=unfinished.model_id,
                skipped=True,
                chunk_ids=pending,
            )
        model = train_model()
        _forget_old_models()
        _popularity_lists(fresh=True)  # once, before the chunks all need it
        run = RecommendationRun.objects.create(model=model, started_at=timezone.now())
        chunks = RecommendationChunk.objects.bulk_create(
            RecommendationChunk(run=run, first_profile_id=first, last_profile_id=last)
            for first, last in _profile_chunks(cursor, settings.RECOMMENDATION_CHUNK_PROFILES)
        )
        if not chunks:
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
    return RunReport(
        run=run.pk,
        model_version=model.pk,
        chunks=len(chunks),
        chunk_ids=[chunk.pk for chunk in chunks],
    )


def _forget_old_models() -> None:
    """Empty the weights of all but the RECOMMENDER_MODELS_KEPT newest models.

    A model's weights are tens of megabytes and a model is trained every night; its row
    stays, as the version that older recommendations name. Runs older than the oldest
    model kept go with their chunks.
    """
    kept = list(
        RecommenderModel.objects.order_by("-id").values_list("id", flat=True)[
            : settings.RECOMMENDER_MODELS_KEPT
        ]
    )
    if len(kept) < settings.RECOMMENDER_MODELS_KEPT:
        return
    oldest_kept = kept[-1]
    RecommenderModel.objects.filter(pk__lt=oldest_kept).exclude(weights=b"").update(weights=b"")
    RecommendationChunk.objects.filter(run__model_id__lt=oldest_kept).delete()
    RecommendationRun.objects.filter(model_id__lt=oldest_kept).delete()


def _pending_chunks(run: RecommendationRun) -> list[int]:
    return list(run.chunks.filter(done_at__isnull=True).values_list("pk", flat=True))


def _unfinished_run() -> RecommendationRun | None:
    timeout = timedelta(seconds=settings.RECOMMENDATION_RUN_TIMEOUT_SECONDS)
    return (
        RecommendationRun.objects.filter(
            finished_at__isnull=True, started_at__gt=timezone.now() - timeout
        )
        .order_by("-id")
        .first()
    )


def _profile_chunks(cursor: CursorWrapper, size: int) -> list[tuple[int, int]]:
    cursor.execute(
        """
        SELECT MIN(id), MAX(id) FROM (
            SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / %s AS chunk
            FROM audience_profile
        ) numbered
        GROUP BY chunk ORDER BY 1
        """,
        [size],
    )
    return [(first, last) for first, last in cursor.fetchall()]


def refresh_chunk(chunk_id: int) -> RunReport:
    """Score one chunk of a run, once: a chunk already done, or being done, is skipped."""
    with transaction.atomic():
        chunk = (
            RecommendationChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("run")
            .filter(pk=chunk_id, done_at__isnull=True)
            .first()
        )
        if chunk is None:
            return RunReport(skipped=True)
        model = load_model(chunk.run.model_id)
        chunk.profiles = refresh_profiles(model, chunk.first_profile_id, chunk.last_profile_id)
        chunk.done_at = timezone.now()
        chunk.save(update_fields=["profiles", "done_at"])
    _finish_run_if_done(chunk.run_id)
    return RunReport(
        run=chunk.run_id, model_version=model.version, chunks=1, profiles=chunk.profiles
    )


def _finish_run_if_done(run_id: int) -> None:
    finished = (
        RecommendationRun.objects.filter(pk=run_id, finished_at__isnull=True)
        .exclude(chunks__done_at__isnull=True)
        .update(finished_at=timezone.now())
    )
    if finished:
        # Every list was rewritten: without this, PostgreSQL planned a profile's 30 picks
        # as 20,000 rows (a parallel plan, 6 ms instead of 1) until autovacuum came by.
        analyze_tables([Recommendation._meta.db_table])


def recommendations_due(profile_ids: Iterable[int]) -> None:
    """New viewing: refresh these profiles' lists RECOMMENDATION_DEBOUNCE_SECONDS from now,
    unless a refresh is due already (one refresh per burst of events).

    Call in the transaction that stores the events: the mark commits with them, or not at
    all, and ingest touches neither Redis nor the profile rows that a refresh locks.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audience_recommendationdue (profile_id, due_at)
            SELECT id, now() + make_interval(secs => %s)
            FROM unnest(%s::bigint[]) AS id ORDER BY id
            ON CONFLICT (profile_id) DO NOTHING
            """,
            [settings.RECOMMENDATION_DEBOUNCE_SECONDS, sorted(set(profile_ids))],
        )


def refresh_due_profiles(*, most: int = 500) -> RunReport:
    """Refresh the profiles whose refresh is due, one transaction each; safe to run
    concurrently with itself.

    Each profile's due row is deleted in the transaction that writes its list, taken with
    SKIP LOCKED: two sweeps never refresh one profile, a sweep that dies leaves the row for
    the next, and events arriving during a refresh add the row again for the one after.
    """
    model = latest_model()
    refreshed = 0
    while refreshed < most:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                DELETE FROM audience_recommendationdue WHERE profile_id = (
                    SELECT profile_id FROM audience_recommendationdue WHERE due_at <= now()
                    ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED
                ) RETURNING profile_id
                """
            )
            row = cursor.fetchone()
            if row is None:
                break
            refresh_profiles(model, row[0], row[0])
        refreshed += 1
    return RunReport(model_version=None if model is None else model.version, profiles=refreshed)


def refresh_profile(profile_id: int) -> RunReport:
    """Recompute one profile's recommendations with the latest model."""
    model = latest_model()
    with transaction.atomic():
        profiles = refresh_profiles(model, profile_id, profile_id)
    return RunReport(model_version=None if model is None else model.version, profiles=profiles)
