"""The recommendation refresh: the rows the workers write for every profile.

The workers (`audience.tasks`) call `start_full_refresh`, then `refresh_chunk` for each
chunk of profiles; new viewing marks its profiles due (`recommendations_due`) and
`refresh_due_profiles` re-scores them, or `refresh_profile` one on demand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from audience.models import (
    Profile,
    ReasonKind,
    Recommendation,
    RecommendationChunk,
    RecommendationRun,
    RecommenderModel,
    TastePick,
)
from audience.personalization.model import (
    ItemModel,
)
from audience.personalization.picks import Lists, Pick, Viewer, popularity_lists, recommend
from audience.personalization.training import latest_model, load_model, read_histories, train_model
from audience.popularity.refresh import try_lock
from config.planner_statistics import analyze_tables

# pg_advisory_xact_lock key of a full refresh's start ("reco" in ASCII).
LOCK_KEY = 0x7265636F

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
    lists = recommend(model, viewers, histories)
    _name_the_chosen(lists, first_id, last_id)
    with connection.cursor() as cursor:
        writable = _lock_profiles_to_write(cursor, [viewer.id for viewer in viewers], computed_at)
        cursor.execute("DELETE FROM audience_recommendation WHERE profile_id = ANY(%s)", [writable])
        cursor.execute(
            "DELETE FROM audience_newtitlerecommendation WHERE profile_id = ANY(%s)", [writable]
        )
        _copy_rows(cursor, lists.picks, writable, model, computed_at)
        _copy_new_title_rows(cursor, lists.new_titles, writable, computed_at)
    return len(writable)


def _name_the_chosen(lists: Lists, first_id: int, last_id: int) -> None:
    """A pick behind which stands a title the profile chose as to its taste (onboarding),
    not one it watched, says so: "Because you chose Heat"."""
    chosen = set(
        TastePick.objects.filter(profile__id__range=(first_id, last_id)).values_list(
            "profile_id", "title_id"
        )
    )
    if not chosen:
        return
    for profile_id, picks in lists.picks.items():
        picks[:] = [
            replace(pick, reason=ReasonKind.BECAUSE_YOU_CHOSE)
            if pick.reason == ReasonKind.BECAUSE_YOU_WATCHED
            and (profile_id, pick.because_you_watched) in chosen
            else pick
            for pick in picks
        ]


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
        "profile_id, title_id, rank, score, reason, because_you_watched_id, link, model_id, "
        "computed_at"
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
                        pick.link,
                        version if pick.because_you_watched else None,
                        computed_at,
                    )
                )


def _copy_new_title_rows(
    cursor: CursorWrapper,
    rows: dict[int, list[Pick]],
    profile_ids: list[int],
    computed_at: datetime,
) -> None:
    columns = "profile_id, title_id, rank, score, computed_at"
    with cursor.cursor.copy(f"COPY audience_newtitlerecommendation ({columns}) FROM STDIN") as copy:
        for profile_id in profile_ids:
            for rank, pick in enumerate(rows.get(profile_id, ()), start=1):
                copy.write_row((profile_id, pick.title_id, rank, pick.score, computed_at))


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
        popularity_lists(fresh=True)  # once, before the chunks all need it
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
