"""recordViewingEvents: valid events stored once, invalid ones reported by index."""

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from strawberry.relay import to_base64

from audience.models import ViewingEvent
from config.embedded_redis import embedded_redis_url, stop_embedded_redis
from config.settings.workers import CACHE_REDIS_TIMEOUT_SECONDS
from tests.factories import (
    EpisodeFactory,
    ProfileFactory,
    SeriesFactory,
    StaffUserFactory,
    TitleFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

RECORD = """
mutation ($events: [ViewingEventInput!]!) {
  recordViewingEvents(events: $events) {
    accepted duplicates errors { index code message field }
  }
}
"""


def event(profile: Any, title: Any, **overrides: Any) -> dict[str, Any]:
    values = {
        "profileId": to_base64("Profile", profile.pk),
        "titleId": to_base64("Title", title.pk),
        "startedAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "secondsWatched": 1800,
        "completed": False,
        "device": "TV",
        "clientEventId": str(uuid.uuid4()),
    }
    return {**values, **overrides}


def record(client: Client, events: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = data_of(client, RECORD, {"events": events})["recordViewingEvents"]
    return result


@pytest.mark.django_db
def test_valid_events_are_stored_with_the_viewers_segment() -> None:
    profile = ProfileFactory(region="BR", age_band="18-24", gender="male")
    movie, episode = TitleFactory(), EpisodeFactory()

    result = record(client_of(profile.account), [event(profile, movie), event(profile, episode)])

    assert result == {"accepted": 2, "duplicates": 0, "errors": []}
    stored = ViewingEvent.objects.order_by("title_id")
    assert [(e.title_id, e.region, e.age_band, e.gender) for e in stored] == [
        (movie.pk, "BR", "18-24", "male"),
        (episode.pk, "BR", "18-24", "male"),
    ]


@pytest.mark.django_db
def test_each_invalid_event_is_reported_by_index_and_the_valid_ones_are_stored() -> None:
    profile, stranger = ProfileFactory(), ProfileFactory()
    movie, series = TitleFactory(), SeriesFactory()
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    events = [
        event(profile, movie),
        event(profile, movie, titleId=to_base64("Title", 10**9)),
        event(profile, movie, secondsWatched=-5),
        event(profile, movie, startedAt=future),
        event(stranger, movie),
        event(profile, series),
        event(profile, movie, profileId=to_base64("Profile", 10**9)),
        event(profile, movie, titleId=to_base64("Person", movie.pk)),
        event(profile, movie, startedAt="0001-01-01T00:00:00+05:00"),
        event(profile, movie, startedAt="2026-01-01T20:00:00"),
        event(profile, movie),
    ]

    result = record(client_of(profile.account), events)

    assert result["accepted"] == 2
    assert result["duplicates"] == 0
    assert [(e["index"], e["code"], e["field"]) for e in result["errors"]] == [
        (1, "NOT_FOUND", "titleId"),
        (2, "BAD_USER_INPUT", "secondsWatched"),
        (3, "BAD_USER_INPUT", "startedAt"),
        (4, "FORBIDDEN", "profileId"),
        (5, "BAD_USER_INPUT", "titleId"),
        (6, "NOT_FOUND", "profileId"),
        (7, "BAD_USER_INPUT", "titleId"),
        (8, "BAD_USER_INPUT", "startedAt"),
        (9, "BAD_USER_INPUT", "startedAt"),
    ]
    assert result["errors"][2]["message"] == "startedAt lies in the future."
    assert result["errors"][7]["message"] == "startedAt is more than 30 days ago."
    assert result["errors"][8]["message"] == "startedAt needs a UTC offset."
    assert ViewingEvent.objects.count() == 2
    assert not ViewingEvent.objects.filter(profile_id=stranger.pk).exists()


@pytest.mark.django_db
def test_the_same_batch_sent_twice_is_stored_once() -> None:
    profile = ProfileFactory()
    client = client_of(profile.account)
    batch = [event(profile, TitleFactory()) for _ in range(3)]

    first, second = record(client, batch), record(client, batch)

    assert first == {"accepted": 3, "duplicates": 0, "errors": []}
    assert second == {"accepted": 0, "duplicates": 3, "errors": []}
    assert ViewingEvent.objects.count() == 3


@pytest.mark.django_db
def test_an_event_repeated_within_a_batch_is_one_event_and_one_duplicate() -> None:
    profile = ProfileFactory()
    once = event(profile, TitleFactory())

    result = record(client_of(profile.account), [once, once])

    assert result == {"accepted": 1, "duplicates": 1, "errors": []}


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_the_same_batch_store_each_event_once() -> None:
    profile = ProfileFactory()
    titles = [TitleFactory() for _ in range(20)]
    batch = [event(profile, title) for title in titles]
    results: list[dict[str, Any]] = []
    start = threading.Barrier(2)

    def send() -> None:
        client = client_of(profile.account)
        start.wait()
        try:
            results.append(record(client, batch))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(result["accepted"] for result in results) == 20
    assert sum(result["duplicates"] for result in results) == 20
    assert ViewingEvent.objects.count() == 20


@pytest.mark.django_db
def test_staff_may_record_events_for_any_profile() -> None:
    profile = ProfileFactory()

    result = record(client_of(StaffUserFactory()), [event(profile, TitleFactory())])

    assert result["accepted"] == 1


@pytest.mark.django_db
def test_anonymous_callers_are_unauthenticated_and_nothing_is_stored() -> None:
    profile = ProfileFactory()

    body = graphql(Client(), RECORD, {"events": [event(profile, TitleFactory())]})

    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert ViewingEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_batch_over_the_limit_is_refused_whole(settings: Any) -> None:
    settings.VIEWING_EVENTS_MAX_BATCH = 3
    profile = ProfileFactory()
    movie = TitleFactory()

    body = graphql(
        client_of(profile.account), RECORD, {"events": [event(profile, movie) for _ in range(4)]}
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "A batch holds at most 3 events, not 4."
    assert ViewingEvent.objects.count() == 0


@pytest.fixture
def frozen_cache_redis(tmp_path: Path, settings: Any) -> Iterator[None]:
    """A Redis of the test's own behind the cache, frozen (SIGSTOP) as a stalled server is."""
    url = embedded_redis_url(tmp_path)
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": url, "KEY_PREFIX": "frozen"}
    }
    pid = int((tmp_path / "redis.pid").read_text())
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)
        stop_embedded_redis(tmp_path)


def test_a_frozen_redis_holds_ingest_up_no_longer_than_its_timeouts(
    transactional_db: None, frozen_cache_redis: None
) -> None:
    # Given a viewer, and the cache's Redis frozen
    profile = ProfileFactory()
    client = client_of(profile.account)

    # When the viewer's app sends an event
    started = time.monotonic()
    result = record(client, [event(profile, TitleFactory())])
    took = time.monotonic() - started

    # Then the event is stored, and the request waited on the debounce key only as long as
    # the cache's timeouts (a lookup and the clean-up), not Redis's 10 s of retries
    assert result == {"accepted": 1, "duplicates": 0, "errors": []}
    assert ViewingEvent.objects.filter(profile_id=profile.pk).count() == 1
    assert took < 4 * CACHE_REDIS_TIMEOUT_SECONDS + 1.0
