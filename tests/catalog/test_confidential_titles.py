"""A title in production is confidential: studio staff see it, nobody else sees it or
anything that would reveal it (its credits, awards, seasons, place in the audience's lists).
Announced and released titles are public."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from strawberry.relay import to_base64

from audience.models import MyListEntry, Rating, ViewingEvent
from catalog.models import Credit, Title, TitleStatus
from production import services as production_services
from tests.catalog.test_admin import title_form_data
from tests.factories import (
    ArtworkFactory,
    AvailabilityFactory,
    AwardFactory,
    CastCreditFactory,
    CrewCreditFactory,
    EpisodeFactory,
    MyListEntryFactory,
    PersonFactory,
    ProfileFactory,
    RatingFactory,
    RecommendationFactory,
    SeasonFactory,
    SeriesFactory,
    SimilarTitleFactory,
    StaffUserFactory,
    TitleFactory,
    Top10EntryFactory,
    TrendingEntryFactory,
    ViewerFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

CALLERS = ("anonymous", "viewer", "staff")
PUBLIC_TITLES = {"Heat", "Moon Harbour", "Ozark", "Ozark: Season 1"}
CONFIDENTIAL_TITLES = {
    "Untitled Heist Project",
    "Ozark: Season 2",
    "Ozark: The Return",
    "Night Shift",
    "Night Shift: Season 1",
    "Night Shift: Pilot",
}


@dataclass
class Catalog:
    heat: Title  # released
    moon_harbour: Title  # announced
    heist: Title  # in production, with a cast member chosen through casting
    ozark: Title  # a released series...
    season_2: Title  # ...whose second season is in production
    episode: Title  # an episode of that season: released, but its season is not
    pilot: Title  # a released episode of a released season of a series in production
    pacino: Any
    heist_director: Any


def gid(type_name: str, obj: Any) -> str:
    return to_base64(type_name, obj.pk)


@pytest.fixture
def catalog(db: None) -> Catalog:
    pacino = PersonFactory(name="Al Pacino")
    heat = TitleFactory(name="Heat", year=1995)
    CastCreditFactory(title=heat, person=pacino, character="Vincent Hanna")
    AwardFactory(title=heat, person=pacino, category="Best actor")
    moon_harbour = TitleFactory(name="Moon Harbour", year=2027, status=TitleStatus.ANNOUNCED)

    # A production starts on an announced title and casts Al Pacino in it.
    heist = TitleFactory(name="Untitled Heist Project", year=2027, status=TitleStatus.ANNOUNCED)
    production = production_services.production_create(title_id=heist.pk)
    role = production_services.casting_role_add(
        production_id=production.pk, character="The Conductor"
    )
    production_services.role_cast(role_id=role.pk, person_id=pacino.pk)
    director = PersonFactory(name="Kathryn Bigelow")
    CrewCreditFactory(title=heist, person=director)
    AwardFactory(title=heist, person=pacino, category="Most anticipated")
    ArtworkFactory(title=heist)

    ozark = SeriesFactory(name="Ozark")
    SeasonFactory(parent=ozark, number=1, name="Ozark: Season 1")
    season_2 = SeasonFactory(
        parent=ozark, number=2, name="Ozark: Season 2", status=TitleStatus.IN_PRODUCTION
    )
    episode = EpisodeFactory(parent=season_2, number=1, name="Ozark: The Return")
    CastCreditFactory(title=episode, person=pacino, character="Guest")
    night_shift = SeriesFactory(name="Night Shift", status=TitleStatus.IN_PRODUCTION)
    night_shift_season = SeasonFactory(parent=night_shift, number=1, name="Night Shift: Season 1")
    pilot = EpisodeFactory(parent=night_shift_season, number=1, name="Night Shift: Pilot")

    heist.refresh_from_db()
    assert heist.status == TitleStatus.IN_PRODUCTION
    return Catalog(heat, moon_harbour, heist, ozark, season_2, episode, pilot, pacino, director)


def client_for(caller: str) -> Client:
    accounts = {"anonymous": None, "viewer": ViewerFactory(), "staff": StaffUserFactory()}
    return client_of(accounts[caller])


def shown_to(caller: str, everyone: Any, staff: Any) -> Any:
    return staff if caller == "staff" else everyone


# ---------------------------------------------------------------------------------------
# Listing and searching


TITLES = "{ titles(first: 20) { totalCount edges { node { name status } } } }"


@pytest.mark.parametrize("caller", CALLERS)
def test_titles_lists_titles_in_production_to_staff_alone(catalog: Catalog, caller: str) -> None:
    data = data_of(client_for(caller), TITLES)

    names = {edge["node"]["name"] for edge in data["titles"]["edges"]}
    expected = shown_to(caller, PUBLIC_TITLES, PUBLIC_TITLES | CONFIDENTIAL_TITLES)
    assert names == expected
    assert data["titles"]["totalCount"] == len(expected)
    statuses = {edge["node"]["name"]: edge["node"]["status"] for edge in data["titles"]["edges"]}
    assert statuses["Moon Harbour"] == "ANNOUNCED"
    assert statuses["Heat"] == "RELEASED"


SEARCHES = """
query ($text: String!) {
  search(query: $text, first: 10) { totalCount edges { node { name } } }
  titles(first: 10, filters: {search: $text}) { totalCount edges { node { name } } }
}
"""


@pytest.mark.parametrize("text", ["heist", "untitled hiest"])  # full text, and a typo
@pytest.mark.parametrize("caller", CALLERS)
def test_search_finds_a_title_in_production_for_staff_alone(
    catalog: Catalog, caller: str, text: str
) -> None:
    data = data_of(client_for(caller), SEARCHES, {"text": text})

    expected = shown_to(caller, [], ["Untitled Heist Project"])
    for field in ("search", "titles"):
        assert [edge["node"]["name"] for edge in data[field]["edges"]] == expected
        assert data[field]["totalCount"] == len(expected)


@pytest.mark.parametrize("caller", CALLERS)
def test_the_people_and_titles_filters_reveal_no_credit_on_a_title_in_production(
    catalog: Catalog, caller: str
) -> None:
    document = """
    query ($title: ID!, $person: ID!) {
      people(first: 10, filters: {titleId: $title}) { edges { node { name } } }
      titles(first: 10, filters: {personId: $person}) { edges { node { name } } }
    }
    """
    variables = {"title": gid("Title", catalog.heist), "person": gid("Person", catalog.pacino)}

    data = data_of(client_for(caller), document, variables)

    assert [edge["node"]["name"] for edge in data["people"]["edges"]] == shown_to(
        caller, [], ["Al Pacino", "Kathryn Bigelow"]
    )
    assert [edge["node"]["name"] for edge in data["titles"]["edges"]] == shown_to(
        caller, ["Heat"], ["Heat", "Ozark: The Return", "Untitled Heist Project"]
    )


# ---------------------------------------------------------------------------------------
# By id: title(id:), node(id:), nodes(ids:), _entities


BY_ID = """
query ($id: ID!, $representations: [_Any!]!) {
  title(id: $id) { name }
  node(id: $id) { ... on Title { name } }
  nodes(ids: [$id]) { ... on Title { name } }
  _entities(representations: $representations) { ... on Title { name } }
}
"""


@pytest.mark.parametrize("hidden", ["heist", "season_2", "episode", "pilot"])
@pytest.mark.parametrize("caller", CALLERS)
def test_a_title_in_production_by_id_is_null_to_all_but_staff(
    catalog: Catalog, caller: str, hidden: str
) -> None:
    title = getattr(catalog, hidden)
    title_id = gid("Title", title)
    variables = {"id": title_id, "representations": [{"__typename": "Title", "id": title_id}]}

    body = graphql(client_for(caller), BY_ID, variables)

    assert "errors" not in body, body["errors"]
    found = shown_to(caller, None, {"name": title.name})
    assert body["data"] == {
        "title": found,
        "node": found,
        "nodes": [found],
        "_entities": [found],
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_released_and_announced_titles_stay_public(catalog: Catalog, caller: str) -> None:
    document = """
    query ($ids: [ID!]!) {
      nodes(ids: $ids) {
        ... on Title {
          name status
          cast { character person { name } }
          awards { category }
          children { name }
        }
      }
    }
    """
    ids = [gid("Title", title) for title in (catalog.heat, catalog.moon_harbour)]

    data = data_of(client_for(caller), document, {"ids": ids})

    assert data["nodes"] == [
        {
            "name": "Heat",
            "status": "RELEASED",
            "cast": [{"character": "Vincent Hanna", "person": {"name": "Al Pacino"}}],
            "awards": [{"category": "Best actor"}],
            "children": [],
        },
        {"name": "Moon Harbour", "status": "ANNOUNCED", "cast": [], "awards": [], "children": []},
    ]


# ---------------------------------------------------------------------------------------
# Through nesting and foreign keys


PERSON = """
query ($id: ID!) {
  person(id: $id) {
    name
    credits(first: 10) { totalCount edges { node { character title { name } } } }
    awards { category title { name } }
  }
}
"""


@pytest.mark.parametrize(
    ("caller", "queries"),
    # person; credits with their titles; awards with their titles (+ session and account)
    [("anonymous", 3), ("viewer", 5), ("staff", 5)],
)
def test_a_persons_credits_and_awards_leave_out_titles_in_production(
    catalog: Catalog, caller: str, queries: int
) -> None:
    client = client_for(caller)

    with CaptureQueriesContext(connection) as captured:
        data = data_of(client, PERSON, {"id": gid("Person", catalog.pacino)})

    person = data["person"]
    credits = [
        (edge["node"]["character"], edge["node"]["title"]["name"])
        for edge in person["credits"]["edges"]
    ]
    awards = [(award["category"], award["title"]["name"]) for award in person["awards"]]
    public_credits = [("Vincent Hanna", "Heat")]
    confidential_credits = [
        ("The Conductor", "Untitled Heist Project"),
        ("Guest", "Ozark: The Return"),
    ]
    assert sorted(credits) == sorted(
        shown_to(caller, public_credits, public_credits + confidential_credits)
    )
    assert person["credits"]["totalCount"] == len(credits)
    assert sorted(awards) == shown_to(
        caller,
        [("Best actor", "Heat")],
        [("Best actor", "Heat"), ("Most anticipated", "Untitled Heist Project")],
    )
    # The credits' and awards' own queries leave the hidden rows out: no query more.
    assert len(captured) == queries


@pytest.mark.parametrize("caller", CALLERS)
def test_a_credit_on_a_title_in_production_is_null_to_all_but_staff(
    catalog: Catalog, caller: str
) -> None:
    credit = Credit.objects.get(title=catalog.heist, person=catalog.pacino)
    document = """
    query ($id: ID!) {
      node(id: $id) { ... on Credit { character title { name cast { person { name } } } } }
    }
    """

    data = data_of(client_for(caller), document, {"id": gid("Credit", credit)})

    assert data["node"] == shown_to(
        caller,
        None,
        {
            "character": "The Conductor",
            "title": {
                "name": "Untitled Heist Project",
                "cast": [{"person": {"name": "Al Pacino"}}],
            },
        },
    )


@pytest.mark.parametrize("caller", CALLERS)
def test_a_series_shows_its_season_in_production_to_staff_alone(
    catalog: Catalog, caller: str
) -> None:
    document = """
    query ($series: ID!, $episodes: [ID!]!) {
      title(id: $series) { children { name children { name parent { name } } } }
      nodes(ids: $episodes) { ... on Title { name parent { name parent { name } } } }
    }
    """
    variables = {"series": gid("Title", catalog.ozark), "episodes": [gid("Title", catalog.episode)]}

    data = data_of(client_for(caller), document, variables)

    seasons = data["title"]["children"]
    assert [season["name"] for season in seasons] == shown_to(
        caller, ["Ozark: Season 1"], ["Ozark: Season 1", "Ozark: Season 2"]
    )
    assert data["nodes"] == shown_to(
        caller,
        [None],
        [
            {
                "name": "Ozark: The Return",
                "parent": {"name": "Ozark: Season 2", "parent": {"name": "Ozark"}},
            }
        ],
    )


# ---------------------------------------------------------------------------------------
# Announcing


def test_announcing_a_production_in_the_admin_makes_its_title_and_cast_public(
    catalog: Catalog, staff_client: Client
) -> None:
    heist = catalog.heist
    change_page = reverse("admin:catalog_title_change", args=[heist.pk])

    response = staff_client.post(
        change_page,
        title_form_data(name=heist.name, year="2027", status=TitleStatus.ANNOUNCED),
    )

    assert response.status_code == 302
    anonymous = Client()
    data = data_of(
        anonymous,
        "query ($id: ID!) { title(id: $id) { name status } }",
        {"id": gid("Title", heist)},
    )
    assert data["title"] == {"name": "Untitled Heist Project", "status": "ANNOUNCED"}
    person = data_of(anonymous, PERSON, {"id": gid("Person", catalog.pacino)})["person"]
    assert {edge["node"]["title"]["name"] for edge in person["credits"]["edges"]} == {
        "Heat",
        "Untitled Heist Project",
    }


# ---------------------------------------------------------------------------------------
# The audience: lists and the viewers' mutations


@pytest.fixture
def audience(catalog: Catalog) -> Any:
    """A viewer's profile with rows on the title from before it went into production: a
    rating, a My List entry, a started session, a pick; and the charts that list it."""
    profile = ProfileFactory(region="US")
    heist, heat = catalog.heist, catalog.heat
    for rank, title in enumerate((heist, heat), start=1):
        AvailabilityFactory(title=title, region="US")
        RatingFactory(profile=profile, title=title)
        MyListEntryFactory(profile=profile, title=title)
        ViewingEventFactory(profile=profile, title=title, seconds_watched=600)
        TrendingEntryFactory(title=title, region="US", rank=rank)
        Top10EntryFactory(title=title, region="US", rank=rank)
    other = TitleFactory(name="Ronin")
    AvailabilityFactory(title=other, region="US")
    RecommendationFactory(profile=profile, title=heist, because_you_watched=heat, rank=1)
    RecommendationFactory(profile=profile, title=other, because_you_watched=heist, rank=2)
    SimilarTitleFactory(title=heat, similar=heist, rank=1)
    SimilarTitleFactory(title=heat, similar=other, rank=2)
    return profile


PROFILE = """
query ($id: ID!, $heat: ID!) {
  profile(id: $id) {
    ratings(first: 10) { edges { node { title { name } } } }
    myList(first: 10) { edges { node { title { name } } } }
    continueWatching { title { name } }
    recommendations { title { name } }
  }
  home(profileId: $id) { rows { kind items { title { name } } } }
  title(id: $heat) { similar { title { name } } }
  top10(kind: FILMS, region: "US") { entries { title { name } } }
  trending(region: "US") { title { name } }
}
"""


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["title"]["name"] for row in rows]


@pytest.mark.parametrize("caller", ["viewer", "staff"])
def test_the_audiences_lists_leave_out_a_title_in_production(
    catalog: Catalog, audience: Any, caller: str
) -> None:
    client = client_of(audience.account if caller == "viewer" else StaffUserFactory())
    variables = {"id": gid("Profile", audience), "heat": gid("Title", catalog.heat)}

    data = data_of(client, PROFILE, variables)

    # The profile's own rows follow the caller, as the mutations that write them do...
    profile = data["profile"]
    own_rows = shown_to(caller, ["Heat"], ["Heat", "Untitled Heist Project"])
    assert sorted(names([edge["node"] for edge in profile["ratings"]["edges"]])) == own_rows
    assert sorted(names([edge["node"] for edge in profile["myList"]["edges"]])) == own_rows
    # ...what is picked and charted for viewers holds public titles only, for everyone.
    assert names(profile["continueWatching"]) == ["Heat"]
    assert names(profile["recommendations"]) == []  # a pick of it, a pick because of it
    home_titles = {item["title"]["name"] for row in data["home"]["rows"] for item in row["items"]}
    assert "Untitled Heist Project" not in home_titles
    assert "Heat" in home_titles
    assert names(data["title"]["similar"]) == ["Ronin"]
    assert names(data["top10"]["entries"]) == ["Heat"]
    assert names(data["trending"]) == ["Heat"]


MUTATIONS = {
    "rateTitle": """mutation ($profile: ID!, $title: ID!) {
      rateTitle(profileId: $profile, titleId: $title, rating: LOVE) { title { name } }
    }""",
    "addToMyList": """mutation ($profile: ID!, $title: ID!) {
      addToMyList(profileId: $profile, titleId: $title) { title { name } }
    }""",
    "recordViewingEvents": """mutation ($profile: ID!, $title: ID!) {
      recordViewingEvents(events: [{profileId: $profile, titleId: $title, device: TV,
        startedAt: "%s", secondsWatched: 60, clientEventId: "%s"}]) {
        accepted errors { code field }
      }
    }""",
}


def mutation_document(name: str) -> str:
    if name != "recordViewingEvents":
        return MUTATIONS[name]
    started_at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    return MUTATIONS[name] % (started_at, uuid.uuid4())


def written(name: str, profile: Any, title: Title) -> bool:
    rows = {"rateTitle": Rating, "addToMyList": MyListEntry, "recordViewingEvents": ViewingEvent}
    return rows[name].objects.filter(profile=profile, title=title).exists()


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_viewer_may_not_rate_list_or_watch_a_title_in_production(
    catalog: Catalog, mutation: str
) -> None:
    profile = ProfileFactory()
    variables = {"profile": gid("Profile", profile), "title": gid("Title", catalog.heist)}

    body = graphql(client_of(profile.account), mutation_document(mutation), variables)

    if mutation == "recordViewingEvents":
        assert "errors" not in body, body["errors"]
        assert body["data"][mutation] == {
            "accepted": 0,
            "errors": [{"code": "NOT_FOUND", "field": "titleId"}],
        }
    else:
        assert error_codes(body) == ["NOT_FOUND"]
        assert body["errors"][0]["message"] == "No title has this id."
    assert not written(mutation, profile, catalog.heist)


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_staff_may_rate_list_and_watch_a_title_in_production(
    catalog: Catalog, mutation: str
) -> None:
    staff = StaffUserFactory()
    profile = ProfileFactory(account=staff)
    variables = {"profile": gid("Profile", profile), "title": gid("Title", catalog.heist)}

    data = data_of(client_of(staff), mutation_document(mutation), variables)

    if mutation == "recordViewingEvents":
        assert data[mutation] == {"accepted": 1, "errors": []}
    else:
        assert data[mutation] == {"title": {"name": "Untitled Heist Project"}}
    assert written(mutation, profile, catalog.heist)
