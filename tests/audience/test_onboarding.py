"""A new viewer profile and its taste picker: createProfile, onboardingTitles, chooseTitles,
and the picks as history the recommender learns from."""

from __future__ import annotations

import threading
import time as clock
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery.worker import WorkController
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from audience.models import AgeBand, Profile, RatingValue, TastePick
from audience.personalization.training import read_histories, read_watched, train_model
from catalog.models import Genre, MaturityRating, Title, TitleStatus
from tests.audience.aggregates import refresh_aggregates
from tests.factories import (
    AvailabilityFactory,
    EpisodeFactory,
    GenreFactory,
    MaturityRatingFactory,
    ProfileFactory,
    RatingFactory,
    SeriesFactory,
    TastePickFactory,
    TitleFactory,
    TitlePopularityFactory,
    ViewerFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

CREATE = """
mutation ($name: String!, $region: String!, $ageBand: AgeBand!, $maturityLevel: Int!) {
  createProfile(name: $name, region: $region, ageBand: $ageBand, maturityLevel: $maturityLevel,
                language: "pt-BR") {
    id name region ageBand maturityLevel language
  }
}
"""
ONBOARDING = """
query ($profileId: ID!, $first: Int!) {
  onboardingTitles(profileId: $profileId, first: $first) { name genres { name } }
}
"""
CHOOSE = """
mutation ($profileId: ID!, $titleIds: [ID!]!) {
  chooseTitles(profileId: $profileId, titleIds: $titleIds) { name }
}
"""
RECOMMENDATIONS = """
query ($id: ID!) {
  profile(id: $id) {
    recommendations(first: 100) { title { name } reason { becauseYouWatched { name } } }
  }
}
"""


def gid(type_name: str, obj: Any) -> str:
    return to_base64(type_name, obj.pk)


def new_profile(**changes: Any) -> dict[str, Any]:
    return {"name": "Kids", "region": "US", "ageBand": "ADULT", "maturityLevel": 12} | changes


def available(title: Title, region: str = "US") -> Title:
    AvailabilityFactory(title=title, region=region)
    return title


# ---------------------------------------------------------------------------------------
# createProfile


@pytest.mark.django_db
def test_a_viewer_creates_a_profile_on_their_own_account() -> None:
    account = ViewerFactory()

    data = data_of(client_of(account), CREATE, new_profile(name="  Kids  ", region=" gb "))

    created = data["createProfile"]
    assert {key: value for key, value in created.items() if key != "id"} == {
        "name": "Kids",
        "region": "GB",
        "ageBand": "ADULT",
        "maturityLevel": 12,
        "language": "pt-BR",
    }
    profile = Profile.objects.get()
    assert created["id"] == gid("Profile", profile)
    assert profile.account == account
    assert profile.age_band == AgeBand.ADULT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"region": "XX"}, "BAD_USER_INPUT", "region"),
        ({"region": "USA"}, "BAD_USER_INPUT", "region"),
        ({"name": "   "}, "BAD_USER_INPUT", "name"),
        ({"name": "x" * 101}, "BAD_USER_INPUT", "name"),
        ({"maturityLevel": 19}, "BAD_USER_INPUT", "maturityLevel"),
        ({"maturityLevel": -1}, "BAD_USER_INPUT", "maturityLevel"),
    ],
)
def test_a_profile_with_bad_input_is_refused_and_nothing_is_written(
    changes: dict[str, Any], code: str, field: str
) -> None:
    body = graphql(client_of(ViewerFactory()), CREATE, new_profile(**changes))

    assert error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == field
    assert body["data"] is None
    assert not Profile.objects.exists()


@pytest.mark.django_db
def test_an_anonymous_caller_creates_no_profile() -> None:
    body = graphql(client_of(None), CREATE, new_profile())

    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert not Profile.objects.exists()


@pytest.mark.django_db
def test_an_account_holds_at_most_five_profiles() -> None:
    account = ViewerFactory()
    ProfileFactory.create_batch(4, account=account)
    ProfileFactory(account=ViewerFactory())  # someone else's does not count
    client = client_of(account)

    data_of(client, CREATE, new_profile(name="Fifth"))
    body = graphql(client, CREATE, new_profile(name="Sixth"))

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "account"
    assert Profile.objects.filter(account_id=account.pk).count() == 5
    assert not Profile.objects.filter(name="Sixth").exists()


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT EXISTS (SELECT 1 FROM pg_locks l
                           JOIN pg_database d ON d.oid = l.database
                           WHERE NOT l.granted AND d.datname = current_database())
            """
        )
        return bool(cursor.fetchone()[0])


def test_two_creates_at_once_cannot_make_a_sixth_profile(transactional_db: None) -> None:
    account = ViewerFactory()
    ProfileFactory.create_batch(4, account=account)
    client = client_of(account)
    answers: list[dict[str, Any]] = []

    def create_sixth() -> None:
        try:
            answers.append(graphql(client, CREATE, new_profile(name="Late")))
        finally:
            connection.close()

    # An earlier create holds the account's row while it adds the fifth profile.
    other = threading.Thread(target=create_sixth)
    with transaction.atomic():
        type(account).objects.select_for_update().get(pk=account.pk)
        other.start()
        deadline = clock.monotonic() + 30
        while not waiting_for_a_lock() and clock.monotonic() < deadline:
            clock.sleep(0.05)
        ProfileFactory(account=account, name="Early")
    other.join(timeout=30)

    (answer,) = answers
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert Profile.objects.filter(account_id=account.pk).count() == 5
    assert Profile.objects.filter(name="Early").exists()
    assert not Profile.objects.filter(name="Late").exists()


# ---------------------------------------------------------------------------------------
# onboardingTitles


@dataclass
class Shelf:
    titles: dict[str, Title]
    genres: dict[str, Genre]
    rated_pg: MaturityRating


def watched_by_the_segment(title: Title, hours: float) -> None:
    """Viewing by others of the US 25-34 segment, as the popularity lists count it."""
    ViewingEventFactory(
        profile=ProfileFactory(region="US", age_band=AgeBand.ADULT),
        title=title,
        seconds_watched=int(hours * 3600),
    )


@pytest.fixture
def shelf(db: None) -> Shelf:
    """Films the US 25-34 segment watched, most watched first; one is shown in Great
    Britain only and one is rated R."""
    genres = {name: GenreFactory(name=name) for name in ("Drama", "Comedy", "Horror")}
    rated_pg = MaturityRatingFactory(system="MPAA", code="PG", level=8)
    rated_r = MaturityRatingFactory(system="MPAA", code="R", level=17)
    specs = [
        ("Drama 1", ["Drama"], rated_pg, "US"),
        ("Abroad", ["Comedy"], rated_pg, "GB"),
        ("Drama 2", ["Drama"], rated_pg, "US"),
        ("Comedy 1", ["Comedy", "Drama"], rated_pg, "US"),
        ("Slasher", ["Horror"], rated_r, "US"),
        ("Drama 3", ["Drama", "Horror"], rated_pg, "US"),
        ("Horror 1", ["Horror"], rated_pg, "US"),
        ("Comedy 2", ["Comedy"], rated_pg, "US"),
    ]
    titles: dict[str, Title] = {}
    for hours, (name, genre_names, rating, region) in zip(range(10, 2, -1), specs, strict=True):
        title = TitleFactory(
            name=name, maturity_rating=rating, genres=[genres[genre] for genre in genre_names]
        )
        titles[name] = available(title, region)
        watched_by_the_segment(title, hours)
    refresh_aggregates()
    return Shelf(titles, genres, rated_pg)


def offered(profile: Profile, first: int = 12) -> list[str]:
    data = data_of(
        client_of(profile.account),
        ONBOARDING,
        {"profileId": gid("Profile", profile), "first": first},
    )
    return [title["name"] for title in data["onboardingTitles"]]


def test_onboarding_offers_one_title_per_first_genre_before_any_genre_repeats(
    shelf: Shelf,
) -> None:
    profile = ProfileFactory(region="US", age_band=AgeBand.ADULT)

    # By popularity: Drama 1, Drama 2, Comedy 1, Slasher, Drama 3, Horror 1, Comedy 2.
    assert offered(profile, 3) == ["Drama 1", "Comedy 1", "Slasher"]
    assert offered(profile) == [
        "Drama 1",
        "Comedy 1",
        "Slasher",
        "Drama 2",
        "Drama 3",
        "Horror 1",
        "Comedy 2",
    ]


def test_onboarding_offers_only_what_the_profile_may_watch_in_its_region(shelf: Shelf) -> None:
    child = ProfileFactory(region="US", age_band=AgeBand.ADULT, maturity_level=13)

    assert offered(child) == [
        "Drama 1",
        "Comedy 1",
        "Horror 1",
        "Drama 2",
        "Drama 3",
        "Comedy 2",
    ]


def test_onboarding_leaves_out_what_the_profile_watched_or_picked(shelf: Shelf) -> None:
    profile = ProfileFactory(region="US", age_band=AgeBand.ADULT)
    ViewingEventFactory(profile=profile, title=shelf.titles["Drama 1"])
    TastePickFactory(profile=profile, title=shelf.titles["Comedy 1"])

    assert offered(profile, 4) == ["Drama 2", "Slasher", "Comedy 2", "Drama 3"]


def test_onboarding_falls_back_to_the_region_then_to_the_worlds_popularity(
    shelf: Shelf,
) -> None:
    teen = ProfileFactory(region="US", age_band=AgeBand.TEEN)
    ViewingEventFactory(profile=teen, title=shelf.titles["Drama 2"])
    worldwide = available(TitleFactory(name="Worldwide", genres=[GenreFactory(name="Western")]))
    TitlePopularityFactory(title=worldwide, region="", views=1.0)
    TitlePopularityFactory(title=TitleFactory(name="Nowhere"), region="", views=9.0)

    # The teens' own list is empty; the region's comes next, then the world's.
    assert offered(teen, 5) == ["Drama 1", "Comedy 1", "Slasher", "Worldwide", "Drama 3"]


def test_a_series_is_offered_and_an_episode_never(shelf: Shelf) -> None:
    series = available(SeriesFactory(name="Saga", maturity_rating=shelf.rated_pg))
    series.genres.add(GenreFactory(name="Western"))
    episode = EpisodeFactory(parent__parent=series)
    for _ in range(3):
        watched_by_the_segment(episode, 20)
    refresh_aggregates()
    profile = ProfileFactory(region="US", age_band=AgeBand.ADULT)

    assert offered(profile, 4) == ["Saga", "Drama 1", "Comedy 1", "Slasher"]


@pytest.mark.django_db
@pytest.mark.parametrize("first", [0, 31, -1])
def test_onboarding_refuses_a_page_size_out_of_bounds(first: int) -> None:
    profile = ProfileFactory()

    body = graphql(
        client_of(profile.account),
        ONBOARDING,
        {"profileId": gid("Profile", profile), "first": first},
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "first"


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "code"), [("other viewer", "FORBIDDEN"), ("anonymous", None)])
def test_onboarding_is_for_the_profiles_account(who: str, code: str | None) -> None:
    profile = ProfileFactory()
    client = client_of(ViewerFactory() if who == "other viewer" else None)

    body = graphql(client, ONBOARDING, {"profileId": gid("Profile", profile), "first": 3})

    assert error_codes(body) == [code or "UNAUTHENTICATED"]
    assert body["data"] is None


def test_onboarding_takes_as_many_statements_for_thirty_titles_as_for_two(shelf: Shelf) -> None:
    for index in range(30):
        title = TitleFactory(name=f"More {index}", genres=[GenreFactory(name=f"Genre {index}")])
        watched_by_the_segment(available(title), 1)
    refresh_aggregates()
    profile = ProfileFactory(region="US", age_band=AgeBand.ADULT)
    client = client_of(profile.account)

    counts = []
    for first in (2, 30):
        with CaptureQueriesContext(connection) as captured:
            data = data_of(
                client, ONBOARDING, {"profileId": gid("Profile", profile), "first": first}
            )
        assert len(data["onboardingTitles"]) == first
        counts.append(len(captured))

    # session, user, profile, segment lists, popularity table, candidates, titles, genres
    assert counts == [8, 8]


# ---------------------------------------------------------------------------------------
# chooseTitles


@pytest.fixture
def sent_tasks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """The tasks sent to the workers, instead of sending them."""
    sent: list[tuple[str, tuple[Any, ...]]] = []

    def send_task(name: str, args: tuple[Any, ...] = (), **options: Any) -> None:
        sent.append((name, tuple(args)))

    monkeypatch.setattr("config.celery.app.send_task", send_task)
    return sent


def choose(client: Client, profile: Profile, titles: list[Any]) -> dict[str, Any]:
    variables = {
        "profileId": gid("Profile", profile),
        "titleIds": [title if isinstance(title, str) else gid("Title", title) for title in titles],
    }
    return graphql(client, CHOOSE, variables)


def picks_of(profile: Profile) -> set[str]:
    picks = TastePick.objects.filter(profile_id=profile.pk)
    return set(picks.values_list("title__name", flat=True))


def test_choosing_titles_records_them_and_recomputes_the_recommendations(
    shelf: Shelf,
    sent_tasks: list[tuple[str, tuple[Any, ...]]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    profile = ProfileFactory(name="Kids")
    chosen = [shelf.titles[name] for name in ("Drama 1", "Comedy 1", "Horror 1")]

    with django_capture_on_commit_callbacks(execute=True):
        body = choose(client_of(profile.account), profile, chosen)

    assert body["data"] == {"chooseTitles": {"name": "Kids"}}
    assert picks_of(profile) == {"Drama 1", "Comedy 1", "Horror 1"}
    assert sent_tasks == [("audience.tasks.refresh_profile_recommendations", (profile.pk,))]


def test_choosing_a_title_again_keeps_the_first_pick(shelf: Shelf) -> None:
    profile = ProfileFactory()
    client = client_of(profile.account)
    drama, comedy = shelf.titles["Drama 1"], shelf.titles["Comedy 1"]

    assert "errors" not in choose(client, profile, [drama])
    first_pick = TastePick.objects.get(profile_id=profile.pk)
    assert "errors" not in choose(client, profile, [comedy, drama])

    assert picks_of(profile) == {"Drama 1", "Comedy 1"}
    assert TastePick.objects.get(pk=first_pick.pk).picked_at == first_pick.picked_at


@pytest.mark.parametrize(("who", "code"), [("other viewer", "FORBIDDEN"), ("anonymous", None)])
def test_only_the_profiles_account_chooses_its_titles(
    shelf: Shelf, who: str, code: str | None
) -> None:
    profile = ProfileFactory()
    client = client_of(ViewerFactory() if who == "other viewer" else None)

    body = choose(client, profile, [shelf.titles["Drama 1"]])

    assert error_codes(body) == [code or "UNAUTHENTICATED"]
    assert not TastePick.objects.exists()


def refused_title(shelf: Shelf, kind: str) -> Any:
    if kind == "unknown":
        return to_base64("Title", 10**12)
    if kind == "abroad":
        return shelf.titles["Abroad"]
    if kind == "above the maturity level":
        return shelf.titles["Slasher"]
    if kind == "an episode":
        return EpisodeFactory(parent__parent=available(SeriesFactory()))
    if kind == "in production":
        return available(TitleFactory(status=TitleStatus.IN_PRODUCTION))
    if kind == "a person's id":
        return to_base64("Person", 1)
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("unknown", "NOT_FOUND"),
        ("in production", "NOT_FOUND"),
        ("abroad", "BAD_USER_INPUT"),
        ("above the maturity level", "BAD_USER_INPUT"),
        ("an episode", "BAD_USER_INPUT"),
        ("a person's id", "BAD_USER_INPUT"),
    ],
)
def test_a_title_the_profile_may_not_pick_refuses_the_whole_choice(
    shelf: Shelf, sent_tasks: list[tuple[str, tuple[Any, ...]]], kind: str, code: str
) -> None:
    child = ProfileFactory(maturity_level=13)

    body = choose(
        client_of(child.account), child, [shelf.titles["Drama 1"], refused_title(shelf, kind)]
    )

    assert error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == "titleIds"
    assert body["data"] is None
    assert not TastePick.objects.exists()
    assert sent_tasks == []


@pytest.mark.parametrize("count", [0, 21])
def test_choosing_none_or_more_than_twenty_titles_is_refused(shelf: Shelf, count: int) -> None:
    profile = ProfileFactory()
    titles = [available(TitleFactory(maturity_rating=shelf.rated_pg)) for _ in range(count)]

    body = choose(client_of(profile.account), profile, titles)

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "titleIds"
    assert not TastePick.objects.exists()


def test_choosing_a_title_twice_in_one_call_is_refused(shelf: Shelf) -> None:
    profile = ProfileFactory()
    drama = shelf.titles["Drama 1"]

    body = choose(client_of(profile.account), profile, [drama, drama])

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert not TastePick.objects.exists()


def test_twenty_titles_may_be_chosen_at_once(shelf: Shelf) -> None:
    profile = ProfileFactory()
    titles = [available(TitleFactory(maturity_rating=shelf.rated_pg)) for _ in range(20)]

    body = choose(client_of(profile.account), profile, titles)

    assert "errors" not in body
    assert TastePick.objects.filter(profile_id=profile.pk).count() == 20


# ---------------------------------------------------------------------------------------
# The picks as history


@pytest.mark.django_db
def test_the_recommenders_history_holds_the_picks_as_watched_when_picked() -> None:
    profile = ProfileFactory()
    someone_else = ProfileFactory()
    now = datetime.now(UTC).replace(microsecond=0)
    watched_then_picked, picked_then_watched, only_picked = (
        TitleFactory(name=name) for name in ("A", "B", "C")
    )
    series = SeriesFactory(name="S")
    ViewingEventFactory(
        profile=profile, title=watched_then_picked, started_at=now - timedelta(days=3)
    )
    TastePickFactory(profile=profile, title=watched_then_picked, picked_at=now - timedelta(days=1))
    TastePickFactory(profile=profile, title=picked_then_watched, picked_at=now - timedelta(days=2))
    ViewingEventFactory(
        profile=profile, title=picked_then_watched, started_at=now - timedelta(hours=1)
    )
    TastePickFactory(profile=profile, title=only_picked, picked_at=now - timedelta(days=4))
    RatingFactory(profile=profile, title=only_picked, value=RatingValue.LOVE)
    ViewingEventFactory(
        profile=profile,
        title=EpisodeFactory(parent__parent=series),
        started_at=now - timedelta(days=5),
    )
    TastePickFactory(profile=profile, title=series, picked_at=now - timedelta(days=6))
    TastePickFactory(profile=someone_else, title=only_picked)

    watched = read_watched(profile.pk, profile.pk)

    rows = sorted(
        zip(
            watched.profile_ids.tolist(),
            watched.item_ids.tolist(),
            watched.last_watched.tolist(),
            watched.ratings.tolist(),
            strict=True,
        )
    )

    def at(moment: datetime) -> int:
        return int(moment.timestamp())

    assert rows == sorted(
        [
            (profile.pk, watched_then_picked.pk, at(now - timedelta(days=1)), 0),
            (profile.pk, picked_then_watched.pk, at(now - timedelta(hours=1)), 0),
            (profile.pk, only_picked.pk, at(now - timedelta(days=4)), RatingValue.LOVE),
            (profile.pk, series.pk, at(now - timedelta(days=5)), 0),
        ]
    )
    histories = read_histories(profile.pk, someone_else.pk)
    assert sorted(histories.item_ids.tolist()) == sorted(
        [watched_then_picked.pk, picked_then_watched.pk, only_picked.pk, series.pk, only_picked.pk]
    )


# ---------------------------------------------------------------------------------------
# On a real worker: a new profile's picks give it recommendations at once

COMPANIONS = 11
RECOMMENDATIONS_TIMEOUT = 30


def fans_of(anchor: Title, companions: list[Title], fans: int = 3) -> None:
    """Profiles who watched `anchor` and went on to each of `companions`."""
    for _ in range(fans):
        fan = ProfileFactory()
        ViewingEventFactory(
            profile=fan, title=anchor, started_at=datetime.now(UTC) - timedelta(days=9)
        )
        for title in companions:
            ViewingEventFactory(profile=fan, title=title)


def recommendations_of(client: Client, profile_id: str) -> list[dict[str, Any]]:
    data = data_of(client, RECOMMENDATIONS, {"id": profile_id})
    rows: list[dict[str, Any]] = data["profile"]["recommendations"]
    return rows


def test_a_new_profiles_picks_give_it_a_full_list_of_recommendations(
    worker: WorkController, settings: Any
) -> None:
    anchors = [available(TitleFactory(name=name)) for name in ("Heat", "Alien", "Clue")]
    for anchor in anchors:
        companions = [
            available(TitleFactory(name=f"After {anchor.name} {n}")) for n in range(COMPANIONS)
        ]
        fans_of(anchor, companions)
    assert 3 * COMPANIONS >= settings.RECOMMENDATIONS_PER_PROFILE
    train_model()
    client = client_of(ViewerFactory())
    profile_id = data_of(client, CREATE, new_profile(maturityLevel=18))["createProfile"]["id"]

    body = graphql(
        client,
        CHOOSE,
        {"profileId": profile_id, "titleIds": [gid("Title", anchor) for anchor in anchors]},
    )
    assert "errors" not in body, body

    rows: list[dict[str, Any]] = []
    deadline = clock.monotonic() + RECOMMENDATIONS_TIMEOUT
    while len(rows) < settings.RECOMMENDATIONS_PER_PROFILE and clock.monotonic() < deadline:
        clock.sleep(0.1)
        rows = recommendations_of(client, profile_id)
    assert len(rows) == settings.RECOMMENDATIONS_PER_PROFILE
    reasons = {(row["reason"]["becauseYouWatched"] or {}).get("name") for row in rows}
    assert reasons & {"Heat", "Alien", "Clue"}
    assert not {row["title"]["name"] for row in rows} & {"Heat", "Alien", "Clue"}
