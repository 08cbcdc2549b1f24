"""The personalization workers, on a real Celery worker: the model, the serving rules,
chunked full refreshes, on-demand refreshes and similar titles."""

from __future__ import annotations

import time as clock
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery.worker import WorkController
from django.db import connection, transaction
from strawberry.relay import to_base64

from audience import tasks
from audience.models import (
    Profile,
    ReasonKind,
    Recommendation,
    RecommendationChunk,
    RecommendationDue,
    RecommendationRun,
    RecommenderModel,
    SimilarTitle,
)
from audience.personalization import refresh as recommendations
from audience.personalization import similar_titles
from catalog.models import Title
from tests.factories import (
    AvailabilityFactory,
    EpisodeFactory,
    MaturityRatingFactory,
    ProfileFactory,
    SeasonFactory,
    SeriesFactory,
    TitleFactory,
    ViewerFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of

TASK_TIMEOUT = 60
NOW = datetime.now(UTC)


def watch(profile: Profile, title: Title, days_ago: float, *, completed: bool = True) -> None:
    ViewingEventFactory(
        profile=profile,
        title=title,
        started_at=NOW - timedelta(days=days_ago),
        completed=completed,
    )


def available(title: Title, *regions: str) -> Title:
    for region in regions or ("US",):
        AvailabilityFactory(title=title, region=region)
    return title


@pytest.fixture
def audience(transactional_db: None) -> dict[str, Any]:
    """Films and a series with clear co-viewing, and the profiles who show it.

    Fans of `first` go on to `sequel`; fans of `drama` go on to the series `saga`
    (through its episodes); `adult_only` goes with `first` too but is rated R; `abroad`
    goes with `first` but is available in Great Britain only.
    """
    rated_pg = MaturityRatingFactory(system="MPAA", code="PG", level=8)
    rated_r = MaturityRatingFactory(system="MPAA", code="R", level=17)
    films = {
        name: available(TitleFactory(name=name.title(), maturity_rating=rated_pg))
        for name in ("first", "sequel", "drama", "filler", "other")
    }
    films["adult_only"] = available(TitleFactory(name="Adult Only", maturity_rating=rated_r))
    films["abroad"] = available(TitleFactory(name="Abroad", maturity_rating=rated_pg), "GB")
    saga = available(SeriesFactory(name="Saga", maturity_rating=rated_pg))
    season = SeasonFactory(parent=saga, number=1)
    episodes = [EpisodeFactory(parent=season, number=n) for n in (1, 2)]
    fans = []
    for n in range(12):
        fan = ProfileFactory(name=f"Fan {n}")
        watch(fan, films["first"], 10)
        watch(fan, films["sequel"], 9)
        watch(fan, films["adult_only"], 8)
        watch(fan, films["abroad"], 7)
        fans.append(fan)
    for n in range(12):
        fan = ProfileFactory(name=f"Drama fan {n}")
        watch(fan, films["drama"], 10)
        for episode in episodes:
            watch(fan, episode, 9)
        fans.append(fan)
    for n in range(6):
        watch(fans[n], films["filler"], 6)
    viewer = ProfileFactory(name="Viewer", account=ViewerFactory())
    watch(viewer, films["drama"], 3)
    watch(viewer, films["first"], 1)
    child = ProfileFactory(name="Child", maturity_level=13)
    watch(child, films["first"], 1)
    newcomer = ProfileFactory(name="Newcomer")
    return {
        "films": films,
        "saga": saga,
        "episodes": episodes,
        "fans": fans,
        "viewer": viewer,
        "child": child,
        "newcomer": newcomer,
    }


def full_refresh() -> dict[str, Any]:
    report: dict[str, Any] = tasks.refresh_recommendations.delay().get(timeout=TASK_TIMEOUT)
    if report["run"] is not None and not report["skipped"]:
        wait_for_run(report["run"])
    return report


def wait_for_run(run_id: int) -> None:
    deadline = clock.monotonic() + TASK_TIMEOUT
    while clock.monotonic() < deadline:
        if RecommendationRun.objects.filter(pk=run_id, finished_at__isnull=False).exists():
            return
        clock.sleep(0.1)
    raise AssertionError(f"Run {run_id} did not finish")


def recommended(profile: Profile) -> list[Recommendation]:
    return list(
        Recommendation.objects.filter(profile=profile)
        .select_related("title", "because_you_watched")
        .order_by("rank")
    )


def because(row: Recommendation) -> str | None:
    return None if row.because_you_watched is None else row.because_you_watched.name


def names(rows: list[Recommendation]) -> list[str]:
    return [row.title.name for row in rows]


def test_a_full_refresh_recommends_what_fans_of_the_last_watched_title_watched_next(
    worker: WorkController, audience: dict[str, Any]
) -> None:
    report = full_refresh()

    rows = recommended(audience["viewer"])
    assert [row.rank for row in rows] == list(range(1, len(rows) + 1))
    # The latest title weighs most: First's companions come before Drama's.
    assert names(rows)[:3] == ["Sequel", "Adult Only", "Saga"]
    sequel, adult_only, saga = rows[:3]
    assert sequel.reason == ReasonKind.BECAUSE_YOU_WATCHED
    assert [because(row) for row in rows[:3]] == ["First", "First", "Drama"]
    assert sequel.score >= adult_only.score > saga.score > 0
    assert sequel.model_id == report["model_version"]


def test_watched_titles_episodes_other_regions_and_stronger_certificates_are_never_recommended(
    worker: WorkController, audience: dict[str, Any]
) -> None:
    full_refresh()

    viewer_titles = names(recommended(audience["viewer"]))
    assert "First" not in viewer_titles
    assert "Drama" not in viewer_titles
    assert "Abroad" not in viewer_titles
    assert "Adult Only" in viewer_titles
    assert not Recommendation.objects.filter(title__kind__in=["episode", "season"]).exists()
    child_titles = names(recommended(audience["child"]))
    assert "Sequel" in child_titles
    assert "Adult Only" not in child_titles
    for row in Recommendation.objects.select_related("title"):
        assert row.title.availabilities.filter(region="US").exists()


def test_a_profile_with_no_history_gets_what_is_trending_and_popular_in_its_segment(
    worker: WorkController, audience: dict[str, Any]
) -> None:
    tasks.rebuild_popularity.delay().get(timeout=TASK_TIMEOUT)
    full_refresh()

    rows = recommended(audience["newcomer"])
    reasons = [row.reason for row in rows]
    assert reasons[0] == ReasonKind.TRENDING_NOW
    assert ReasonKind.POPULAR_IN_YOUR_COUNTRY in reasons
    assert ReasonKind.BECAUSE_YOU_WATCHED not in reasons
    assert all(row.because_you_watched is None and row.model_id is None for row in rows)
    assert "Abroad" not in names(rows)
    assert len(set(names(rows))) == len(rows)


def test_a_full_refresh_is_shared_out_in_chunks_each_scored_once(
    worker: WorkController, audience: dict[str, Any], settings: Any
) -> None:
    settings.RECOMMENDATION_CHUNK_PROFILES = 7
    profiles = Profile.objects.count()
    tasks.rebuild_popularity.delay().get(timeout=TASK_TIMEOUT)

    report = full_refresh()

    chunks = RecommendationChunk.objects.filter(run_id=report["run"])
    assert report["chunks"] == chunks.count() == -(-profiles // 7)
    assert sum(chunk.profiles for chunk in chunks) == profiles
    assert all(chunk.done_at is not None for chunk in chunks)
    assert Recommendation.objects.values("profile").distinct().count() == profiles
    for fan in audience["fans"]:
        assert ReasonKind.BECAUSE_YOU_WATCHED in {row.reason for row in recommended(fan)}

    again = tasks.refresh_recommendation_chunk.delay(chunks[0].pk).get(timeout=TASK_TIMEOUT)
    assert again["skipped"] is True


def test_refreshing_again_gives_the_same_lists(
    worker: WorkController, audience: dict[str, Any]
) -> None:
    def lists() -> list[tuple[Any, ...]]:
        return sorted(
            Recommendation.objects.values_list(
                "profile_id", "rank", "title_id", "reason", "because_you_watched_id"
            )
        )

    full_refresh()
    first = lists()
    full_refresh()

    assert lists() == first


def test_a_refresh_skips_while_another_run_is_still_scoring(
    worker: WorkController, audience: dict[str, Any], settings: Any
) -> None:
    settings.RECOMMENDATION_CHUNK_PROFILES = 10
    first = full_refresh()
    chunk = RecommendationChunk.objects.filter(run_id=first["run"]).order_by("id").first()
    assert chunk is not None
    RecommendationChunk.objects.filter(pk=chunk.pk).update(done_at=None)
    RecommendationRun.objects.filter(pk=first["run"]).update(finished_at=None)

    with transaction.atomic():
        # As a worker scoring the chunk holds it.
        RecommendationChunk.objects.select_for_update().get(pk=chunk.pk)
        second = tasks.refresh_recommendations.delay().get(timeout=TASK_TIMEOUT)
        resent = tasks.refresh_recommendation_chunk.delay(chunk.pk).get(timeout=TASK_TIMEOUT)

    assert second["skipped"] is True
    assert second["run"] == first["run"]
    assert second["chunk_ids"] == [chunk.pk]
    assert resent["skipped"] is True
    assert RecommendationRun.objects.count() == 1


def test_a_refresh_resends_the_chunks_an_unfinished_run_still_has_to_score(
    worker: WorkController, audience: dict[str, Any], settings: Any
) -> None:
    settings.RECOMMENDATION_CHUNK_PROFILES = 10
    first = full_refresh()
    lost = RecommendationChunk.objects.filter(run_id=first["run"]).order_by("id").last()
    assert lost is not None
    lost.done_at = None
    lost.save()
    RecommendationRun.objects.filter(pk=first["run"]).update(finished_at=None)
    Recommendation.objects.filter(
        profile_id__gte=lost.first_profile_id, profile_id__lte=lost.last_profile_id
    ).delete()

    second = full_refresh()

    assert second["skipped"] is True
    assert second["chunk_ids"] == [lost.pk]
    wait_for_run(first["run"])
    assert Recommendation.objects.filter(
        profile_id__gte=lost.first_profile_id, profile_id__lte=lost.last_profile_id
    ).exists()
    assert RecommendationRun.objects.count() == 1


def test_a_refresh_skips_while_another_run_holds_the_lock(
    worker: WorkController, audience: dict[str, Any]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [recommendations.LOCK_KEY])
        try:
            report = full_refresh()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [recommendations.LOCK_KEY])

    assert report["skipped"] is True
    assert not Recommendation.objects.exists()


RECORD = """
mutation ($events: [ViewingEventInput!]!) {
  recordViewingEvents(events: $events) { accepted errors { code } }
}
"""


def record_viewing(profile: Profile, titles: list[Title]) -> None:
    client = client_of(profile.account)
    for title in titles:
        event = {
            "profileId": to_base64("Profile", profile.pk),
            "titleId": to_base64("Title", title.pk),
            "startedAt": datetime.now(UTC).isoformat(),
            "secondsWatched": 600,
            "device": "TV",
            "clientEventId": str(uuid.uuid4()),
        }
        result = data_of(client, RECORD, {"events": [event]})["recordViewingEvents"]
        assert result["accepted"] == 1


def due_profiles() -> list[int]:
    return list(RecommendationDue.objects.values_list("profile_id", flat=True))


def sweep() -> int:
    """What beat runs every few seconds, on the worker; how many profiles it refreshed."""
    report: dict[str, Any] = tasks.refresh_due_recommendations.delay().get(timeout=TASK_TIMEOUT)
    return int(report["profiles"])


def test_a_burst_of_new_viewing_refreshes_the_profile_once_after_the_burst(
    worker: WorkController, audience: dict[str, Any], settings: Any
) -> None:
    # Given a viewer with a list, and a delay longer than a burst takes on a loaded machine
    settings.RECOMMENDATION_DEBOUNCE_SECONDS = 3
    full_refresh()
    viewer = audience["viewer"]

    # When a burst of viewing comes in
    record_viewing(viewer, [audience["films"]["sequel"], audience["films"]["filler"]])

    # Then one refresh is due, and not before the delay has passed
    assert due_profiles() == [viewer.pk]
    assert sweep() == 0
    assert "Sequel" in names(recommended(viewer))
    clock.sleep(settings.RECOMMENDATION_DEBOUNCE_SECONDS)
    assert sweep() == 1
    titles = names(recommended(viewer))
    assert "Sequel" not in titles
    assert "Filler" not in titles
    assert "Saga" in titles
    assert (due_profiles(), sweep()) == ([], 0)


def test_viewing_after_a_refresh_makes_the_next_one_due(
    worker: WorkController, audience: dict[str, Any], settings: Any
) -> None:
    settings.RECOMMENDATION_DEBOUNCE_SECONDS = 0
    full_refresh()
    viewer = audience["viewer"]

    record_viewing(viewer, [audience["films"]["sequel"]])
    assert sweep() == 1
    record_viewing(viewer, [audience["saga"].children.get().children.first()])

    assert due_profiles() == [viewer.pk]
    assert sweep() == 1
    assert "Sequel" not in names(recommended(viewer))
    assert "Saga" not in names(recommended(viewer))


def test_a_refresh_that_fails_leaves_the_profile_due(
    audience: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a viewer whose refresh is due, and a worker that fails while scoring
    settings.RECOMMENDATION_DEBOUNCE_SECONDS = 0
    viewer = audience["viewer"]
    record_viewing(viewer, [audience["films"]["sequel"]])

    def failing(*args: object) -> int:
        raise RuntimeError("the worker died")

    monkeypatch.setattr(recommendations, "refresh_profiles", failing)

    # When the sweep runs
    with pytest.raises(RuntimeError):
        recommendations.refresh_due_profiles()

    # Then the refresh is still due, for the next sweep
    assert due_profiles() == [viewer.pk]


def test_similar_titles_rank_the_titles_their_viewers_also_watched(
    worker: WorkController, audience: dict[str, Any]
) -> None:
    report = tasks.refresh_similar_titles.delay().get(timeout=TASK_TIMEOUT)

    def similar_to(title: Title) -> list[str]:
        return [
            row.similar.name
            for row in SimilarTitle.objects.filter(title=title).select_related("similar")
        ]

    films = audience["films"]
    # First's own viewers include two who never watched Sequel, so it comes after the
    # titles that exactly Sequel's viewers watched (that tie goes to the older title).
    assert similar_to(films["sequel"]) == ["Adult Only", "Abroad", "First", "Filler"]
    assert similar_to(films["drama"]) == ["Saga"]
    assert "Drama" in similar_to(audience["saga"])
    assert report["pairs"] == SimilarTitle.objects.count()
    for title_id in SimilarTitle.objects.values_list("title_id", flat=True).distinct():
        ranks = list(SimilarTitle.objects.filter(title_id=title_id).values_list("rank", "score"))
        assert [rank for rank, _ in ranks] == list(range(1, len(ranks) + 1))
        assert [score for _, score in ranks] == sorted((s for _, s in ranks), reverse=True)

    first = sorted(SimilarTitle.objects.values_list("title_id", "rank", "similar_id"))
    again = tasks.refresh_similar_titles.delay().get(timeout=TASK_TIMEOUT)
    assert again["pairs"] == report["pairs"]
    assert sorted(SimilarTitle.objects.values_list("title_id", "rank", "similar_id")) == first


def test_similar_titles_skip_while_another_run_holds_the_lock(
    worker: WorkController, audience: dict[str, Any]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [similar_titles.LOCK_KEY])
        try:
            report = tasks.refresh_similar_titles.delay().get(timeout=TASK_TIMEOUT)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [similar_titles.LOCK_KEY])

    assert report["skipped"] is True
    assert not SimilarTitle.objects.exists()


def test_a_run_whose_chunks_are_all_done_but_unmarked_does_not_block_the_next(
    worker: WorkController, audience: dict[str, Any]
) -> None:
    first = full_refresh()
    RecommendationRun.objects.filter(pk=first["run"]).update(finished_at=None)

    second = full_refresh()

    assert second["skipped"] is False
    assert RecommendationRun.objects.filter(finished_at__isnull=True).count() == 0
    assert RecommendationRun.objects.count() == 2


def test_with_too_little_viewing_to_learn_from_every_profile_still_gets_popular_titles(
    worker: WorkController, transactional_db: None
) -> None:
    film = available(TitleFactory(name="Only Film"))
    other = available(TitleFactory(name="Other Film"))
    viewer = ProfileFactory()
    watch(viewer, film, 1)
    newcomer = ProfileFactory()
    watch(ProfileFactory(), other, 2)
    tasks.rebuild_popularity.delay().get(timeout=TASK_TIMEOUT)

    report = full_refresh()
    similar = tasks.refresh_similar_titles.delay().get(timeout=TASK_TIMEOUT)

    assert report["skipped"] is False
    assert similar["pairs"] == 0
    assert names(recommended(viewer)) == ["Other Film"]
    assert set(names(recommended(newcomer))) == {"Only Film", "Other Film"}


def test_only_the_newest_models_keep_their_weights(
    worker: WorkController, audience: dict[str, Any], settings: Any
) -> None:
    settings.RECOMMENDER_MODELS_KEPT = 2
    runs = [full_refresh()["run"] for _ in range(3)]

    weights = dict(RecommenderModel.objects.values_list("id", "weights"))
    newest = sorted(weights)[-2:]
    assert [bool(weights[version]) for version in sorted(weights)] == [False, True, True]
    assert list(RecommendationRun.objects.order_by("id").values_list("id", flat=True)) == runs[1:]
    assert set(Recommendation.objects.values_list("model_id", flat=True)) <= {None, newest[-1]}
