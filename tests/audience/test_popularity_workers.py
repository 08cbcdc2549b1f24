"""The popularity workers, on a real Celery worker: incremental, idempotent, exact."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from celery.worker import WorkController
from django.db import connection, transaction

from audience import tasks
from audience.models import (
    AggregationWatermark,
    DailyTitleStats,
    GenreSegmentHours,
    TitlePopularity,
    Top10Entry,
    TrendingEntry,
)
from audience.popularity.refresh import LOCK_KEY
from tests.factories import (
    EpisodeFactory,
    GenreFactory,
    ProfileFactory,
    SeasonFactory,
    TitleFactory,
    ViewingEventFactory,
)

TASK_TIMEOUT = 60
MONDAY = date(2026, 11, 2)


def at(day: date, hour: int = 20) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def run(task: Any) -> dict[str, Any]:
    result: dict[str, Any] = task.delay().get(timeout=TASK_TIMEOUT)
    return result


def aggregates() -> dict[str, list[tuple[Any, ...]]]:
    """Every aggregate table's rows, without ids or computation times."""
    return {
        "daily": sorted(
            DailyTitleStats.objects.values_list(
                "title_id",
                "day",
                "region",
                "age_band",
                "gender",
                "plays",
                "seconds_viewed",
                "completions",
                "viewers",
            )
        ),
        "genres": sorted(
            GenreSegmentHours.objects.values_list(
                "age_band", "gender", "region", "genre_id", "seconds_viewed"
            )
        ),
        "top10": sorted(
            Top10Entry.objects.values_list(
                "week_start",
                "region",
                "category",
                "rank",
                "title_id",
                "seconds_viewed",
                "weeks_in_top10",
            )
        ),
        "trending": sorted(
            TrendingEntry.objects.values_list("region", "rank", "title_id", "as_of")
        ),
        "popularity": sorted(
            TitlePopularity.objects.values_list(
                "title_id", "region", "seconds_viewed", "rank", "window_start", "window_end"
            )
        ),
    }


def watch(profile: Any, title: Any, day: date, seconds: int = 3600, **kwargs: Any) -> Any:
    return ViewingEventFactory(
        profile=profile, title=title, started_at=at(day), seconds_watched=seconds, **kwargs
    )


@pytest.fixture
def audience_history(transactional_db: None) -> dict[str, Any]:
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    films = [TitleFactory(runtime_minutes=100, genres=[drama]) for _ in range(3)]
    season = SeasonFactory()
    episodes = [EpisodeFactory(parent=season, runtime_minutes=50) for _ in range(2)]
    season.parent.genres.add(comedy)
    for episode in episodes:
        episode.genres.add(comedy)
    viewers = [
        ProfileFactory(region="US", age_band="18-24", gender="female"),
        ProfileFactory(region="US", age_band="55+", gender="male"),
        ProfileFactory(region="GB", age_band="18-24", gender=""),
    ]
    for day_offset in range(10):
        day = MONDAY + timedelta(days=day_offset)
        watch(viewers[0], films[0], day, 6000, completed=True)
        watch(viewers[1], films[1], day, 1200)
        watch(viewers[2], episodes[day_offset % 2], day, 3000, completed=True)
    return {"films": films, "season": season, "episodes": episodes, "viewers": viewers}


def refresh() -> None:
    """What the beat schedule does: fold new events in, then re-rank."""
    run(tasks.refresh_popularity)
    run(tasks.refresh_rankings)


def test_refreshing_twice_changes_nothing_the_second_time(
    worker: WorkController, audience_history: dict[str, Any]
) -> None:
    first = run(tasks.refresh_popularity)
    ranked = run(tasks.refresh_rankings)
    before = aggregates()

    second = run(tasks.refresh_popularity)
    ranked_again = run(tasks.refresh_rankings)

    assert first["events"] == 30
    assert second["events"] == 0
    assert second["from_event_id"] == second["to_event_id"] == first["to_event_id"]
    assert ranked["to_event_id"] == ranked_again["to_event_id"] == first["to_event_id"]
    assert ranked_again["from_event_id"] == ranked_again["to_event_id"]
    assert aggregates() == before


def test_incremental_refreshes_give_the_tables_a_rebuild_gives(
    worker: WorkController, audience_history: dict[str, Any]
) -> None:
    films, viewers = audience_history["films"], audience_history["viewers"]
    refresh()
    # A second wave: new days, plus late events for days already aggregated.
    watch(viewers[1], films[2], MONDAY + timedelta(days=12), 5400)
    watch(viewers[0], films[1], MONDAY + timedelta(days=1), 600)
    run(tasks.refresh_popularity)
    watch(viewers[2], films[2], MONDAY + timedelta(days=3), 900)
    refresh()
    incremental = aggregates()

    rebuilt = run(tasks.rebuild_popularity)

    assert rebuilt["events"] == 33
    assert aggregates() == incremental


def test_a_late_event_corrects_the_day_it_belongs_to(
    worker: WorkController, audience_history: dict[str, Any]
) -> None:
    films, viewers = audience_history["films"], audience_history["viewers"]
    run(tasks.refresh_popularity)
    day = MONDAY + timedelta(days=2)

    watch(viewers[2], films[0], day, 1000, completed=True)
    run(tasks.refresh_popularity)

    rows = DailyTitleStats.objects.filter(title=films[0], day=day).order_by("region")
    assert [(r.region, r.plays, r.seconds_viewed, r.completions, r.viewers) for r in rows] == [
        ("GB", 1, 1000, 1, 1),
        ("US", 1, 6000, 1, 1),
    ]


def test_two_refreshes_at_once_fold_each_event_in_once(
    worker: WorkController, audience_history: dict[str, Any]
) -> None:
    results = [tasks.refresh_popularity.delay() for _ in range(2)]
    reports = [result.get(timeout=TASK_TIMEOUT) for result in results]

    folded = sum(report["events"] for report in reports)
    assert folded == 30
    assert AggregationWatermark.objects.get().last_event_id == max(
        report["to_event_id"] for report in reports
    )
    assert DailyTitleStats.objects.filter(title=audience_history["films"][0]).count() == 10
    run(tasks.refresh_rankings)
    snapshot = aggregates()
    run(tasks.rebuild_popularity)
    assert aggregates() == snapshot


def test_a_refresh_skips_while_another_run_holds_the_lock(
    worker: WorkController, audience_history: dict[str, Any]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            report = run(tasks.refresh_popularity)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    assert report["skipped"] is True
    assert not DailyTitleStats.objects.exists()
    assert run(tasks.refresh_popularity)["events"] == 30


def test_an_insert_in_flight_is_waited_for_then_folded_in_by_a_later_run(
    worker: WorkController, audience_history: dict[str, Any], settings: Any
) -> None:
    settings.EVENTS_LOCK_TIMEOUT = "300ms"
    films, viewers = audience_history["films"], audience_history["viewers"]

    with transaction.atomic():
        watch(viewers[0], films[2], MONDAY, 1200)  # not committed while the refresh runs
        during = run(tasks.refresh_popularity)
    after = run(tasks.refresh_popularity)

    assert during["skipped"] is True
    assert after["events"] == 31
    assert DailyTitleStats.objects.filter(title=films[2]).count() == 1
