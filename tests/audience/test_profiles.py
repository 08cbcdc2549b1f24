"""A profile's lists and history: visible and writable only by its account and staff."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from audience.models import MyListEntry, Rating
from tests.audience.callers import PROFILE_CALLERS, profile_caller
from tests.factories import (
    EpisodeFactory,
    GenreFactory,
    MyListEntryFactory,
    ProfileFactory,
    RatingFactory,
    SeriesFactory,
    TitleFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

PROFILE = """
query ($id: ID!) {
  profile(id: $id) {
    name region ageBand gender maturityLevel
    myList(first: 10) { totalCount edges { node { title { name genres { name } } } } }
    ratings(first: 10) { edges { node { rating title { name } } } }
    continueWatching(first: 10) { title { name genres { name } } secondsWatched progress }
  }
}
"""
RATE = """
mutation ($profileId: ID!, $titleId: ID!, $rating: RatingValue!) {
  rateTitle(profileId: $profileId, titleId: $titleId, rating: $rating) { rating title { name } }
}
"""
ADD = """
mutation ($profileId: ID!, $titleId: ID!) {
  addToMyList(profileId: $profileId, titleId: $titleId) { title { name } }
}
"""
REMOVE = """
mutation ($profileId: ID!, $titleId: ID!) {
  removeFromMyList(profileId: $profileId, titleId: $titleId)
}
"""


def gid(type_name: str, obj: Any) -> str:
    return to_base64(type_name, obj.pk)


@pytest.mark.django_db
def test_continue_watching_lists_unfinished_titles_latest_first_with_progress() -> None:
    profile = ProfileFactory()
    now = datetime.now(UTC)
    finished, paused, rewatched = (TitleFactory(name=n, runtime_minutes=100) for n in "ABC")
    episode = EpisodeFactory(name="Pilot", runtime_minutes=50)
    ViewingEventFactory(
        profile=profile,
        title=finished,
        started_at=now - timedelta(hours=5),
        completed=True,
        seconds_watched=6000,
    )
    ViewingEventFactory(
        profile=profile, title=paused, started_at=now - timedelta(hours=4), seconds_watched=1500
    )
    ViewingEventFactory(
        profile=profile, title=episode, started_at=now - timedelta(hours=3), seconds_watched=1500
    )
    # Finished once, then started again: the latest session decides.
    ViewingEventFactory(
        profile=profile,
        title=rewatched,
        started_at=now - timedelta(hours=9),
        completed=True,
        seconds_watched=6000,
    )
    ViewingEventFactory(
        profile=profile, title=rewatched, started_at=now - timedelta(hours=1), seconds_watched=600
    )
    ViewingEventFactory(title=finished)  # someone else's

    data = data_of(client_of(profile.account), PROFILE, {"id": gid("Profile", profile)})

    assert [
        (item["title"]["name"], item["secondsWatched"], item["progress"])
        for item in data["profile"]["continueWatching"]
    ] == [("C", 600, 0.1), ("Pilot", 1500, 0.5), ("B", 1500, 0.25)]


@pytest.mark.django_db
def test_rating_again_replaces_the_rating() -> None:
    profile = ProfileFactory()
    movie = TitleFactory(name="Heat")
    client = client_of(profile.account)
    variables = {"profileId": gid("Profile", profile), "titleId": gid("Title", movie)}

    data_of(client, RATE, {**variables, "rating": "THUMBS_DOWN"})
    data = data_of(client, RATE, {**variables, "rating": "LOVE"})

    assert data["rateTitle"] == {"rating": "LOVE", "title": {"name": "Heat"}}
    assert list(Rating.objects.values_list("profile", "title", "value")) == [
        (profile.pk, movie.pk, 2)
    ]


@pytest.mark.django_db
def test_my_list_adds_once_and_removes() -> None:
    profile = ProfileFactory()
    series = SeriesFactory(name="Dark")
    client = client_of(profile.account)
    variables = {"profileId": gid("Profile", profile), "titleId": gid("Title", series)}

    data_of(client, ADD, variables)
    data_of(client, ADD, variables)
    assert MyListEntry.objects.filter(profile_id=profile.pk).count() == 1

    assert data_of(client, REMOVE, variables) == {"removeFromMyList": True}
    assert data_of(client, REMOVE, variables) == {"removeFromMyList": False}
    assert not MyListEntry.objects.exists()


@pytest.mark.django_db
def test_an_episode_cannot_go_on_my_list() -> None:
    profile = ProfileFactory()
    variables = {"profileId": gid("Profile", profile), "titleId": gid("Title", EpisodeFactory())}

    body = graphql(client_of(profile.account), ADD, variables)

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "titleId"
    assert not MyListEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(PROFILE_CALLERS))
def test_only_the_owner_and_staff_read_a_profile(who: str) -> None:
    profile = ProfileFactory(name="Kids")
    RatingFactory(profile=profile)

    body = graphql(profile_caller(who, profile), PROFILE, {"id": gid("Profile", profile)})

    if PROFILE_CALLERS[who] is None:
        assert body["data"]["profile"]["name"] == "Kids"
    else:
        assert error_codes(body) == [PROFILE_CALLERS[who]]
        assert body["data"] is None


NODE = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Profile { name }
    ... on Rating { rating }
    ... on MyListEntry { title { name } }
  }
}
"""


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(PROFILE_CALLERS))
def test_node_never_shows_a_profiles_data_to_someone_else(who: str) -> None:
    profile = ProfileFactory(name="Kids")
    rating = RatingFactory(profile=profile, value=2)
    entry = MyListEntryFactory(profile=profile, title=TitleFactory(name="Heat"))
    ids = [gid("Profile", profile), gid("Rating", rating), gid("MyListEntry", entry)]

    data = data_of(profile_caller(who, profile), NODE, {"ids": ids})

    visible = PROFILE_CALLERS[who] is None
    expected = [{"name": "Kids"}, {"rating": "LOVE"}, {"title": {"name": "Heat"}}]
    assert data["nodes"] == (expected if visible else [None, None, None])


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(PROFILE_CALLERS))
@pytest.mark.parametrize("mutation", ["rate", "add", "remove"])
def test_only_the_owner_and_staff_change_a_profiles_lists(who: str, mutation: str) -> None:
    profile = ProfileFactory()
    movie = TitleFactory()
    listed = MyListEntryFactory(profile=profile, title=TitleFactory())
    document, title = {
        "rate": (RATE, movie),
        "add": (ADD, movie),
        "remove": (REMOVE, listed.title),
    }[mutation]
    variables = {"profileId": gid("Profile", profile), "titleId": gid("Title", title)}
    if mutation == "rate":
        variables["rating"] = "THUMBS_UP"

    body = graphql(profile_caller(who, profile), document, variables)

    changed = (
        Rating.objects.exists()
        or MyListEntry.objects.count() != 1
        or not MyListEntry.objects.filter(pk=listed.pk).exists()
    )
    if PROFILE_CALLERS[who] is None:
        assert "errors" not in body
        assert changed
    else:
        assert error_codes(body) == [PROFILE_CALLERS[who]]
        assert not changed


def make_history(profile: Any, count: int) -> None:
    drama = GenreFactory(name="Drama")
    for index in range(count):
        title = TitleFactory(genres=[drama])
        MyListEntryFactory(profile=profile, title=title)
        RatingFactory(profile=profile, title=title)
        ViewingEventFactory(
            profile=profile, title=title, started_at=datetime.now(UTC) - timedelta(hours=index + 1)
        )


@pytest.mark.django_db
def test_a_profiles_lists_take_the_same_queries_for_3_or_30_titles() -> None:
    small, large = ProfileFactory(), ProfileFactory()
    make_history(small, 3)
    make_history(large, 30)
    counts = []
    for profile, size in ((small, 3), (large, 30)):
        client = client_of(profile.account)
        with CaptureQueriesContext(connection) as captured:
            data = data_of(client, PROFILE, {"id": gid("Profile", profile)})
        assert len(data["profile"]["continueWatching"]) == min(size, 10)
        counts.append(len(captured))

    assert counts == [8, 8]
