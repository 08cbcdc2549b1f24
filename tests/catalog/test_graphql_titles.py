"""The `titles`, `title`, `node(s)` and `genres` queries, as a front end sends them."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from strawberry.relay import to_base64

from catalog.models import ArtworkKind, Department, ExternalIdSource
from tests.factories import (
    ArtworkFactory,
    AvailabilityFactory,
    CastCreditFactory,
    CrewCreditFactory,
    EpisodeFactory,
    ExternalIdFactory,
    GenreFactory,
    MaturityRatingFactory,
    PersonFactory,
    SeasonFactory,
    SeriesFactory,
    TitleFactory,
)
from tests.graphql import data_of, error_codes, graphql

TITLE_NAMES = """
query ($filters: TitleFilter, $order: TitleOrder, $first: Int, $after: String) {
  titles(filters: $filters, order: $order, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { name } }
  }
}
"""


def names(variables: dict[str, object]) -> list[str]:
    data = data_of(Client(), TITLE_NAMES, variables)
    return [edge["node"]["name"] for edge in data["titles"]["edges"]]


def global_id(type_name: str, pk: int) -> str:
    return to_base64(type_name, pk)


@pytest.fixture
def shelf(db: None) -> None:
    drama, crime, comedy = (
        GenreFactory(name="Drama", slug="drama"),
        GenreFactory(name="Crime", slug="crime"),
        GenreFactory(name="Comedy", slug="comedy"),
    )
    r_rated = MaturityRatingFactory(system="MPAA", code="R", level=17)
    pg = MaturityRatingFactory(system="MPAA", code="PG", level=8)
    TitleFactory(
        name="The Godfather",
        year=1972,
        runtime_minutes=175,
        genres=[drama, crime],
        maturity_rating=r_rated,
        original_language="en",
    )
    TitleFactory(
        name="Amélie",
        year=2001,
        runtime_minutes=122,
        genres=[comedy],
        maturity_rating=r_rated,
        original_language="fr",
        original_name="Le Fabuleux Destin d'Amélie Poulain",
    )
    TitleFactory(
        name="Paddington",
        year=2014,
        runtime_minutes=95,
        genres=[comedy],
        maturity_rating=pg,
        is_original=True,
    )
    SeriesFactory(name="A Long Series", year=2014, genres=[drama])


def test_titles_sort_by_name_ignoring_leading_articles_by_default(shelf: None) -> None:
    assert names({}) == ["Amélie", "The Godfather", "A Long Series", "Paddington"]


def test_titles_order_by_year_descending_breaks_ties_by_id(shelf: None) -> None:
    assert names({"order": {"year": "DESC"}}) == [
        "Paddington",
        "A Long Series",
        "Amélie",
        "The Godfather",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": ["SERIES"]}, ["A Long Series"]),
        ({"genres": ["crime", "comedy"]}, ["Amélie", "The Godfather", "Paddington"]),
        ({"year": {"gte": 2000, "lte": 2010}}, ["Amélie"]),
        ({"runtimeMinutes": {"lte": 130}}, ["Amélie", "Paddington"]),
        ({"maturityRating": ["PG"]}, ["Paddington"]),
        ({"originalLanguage": "fr"}, ["Amélie"]),
        ({"isOriginal": True}, ["Paddington"]),
        ({"genres": ["drama"], "kind": ["MOVIE"]}, ["The Godfather"]),
    ],
)
def test_titles_filters_select_exactly_the_matching_titles(
    shelf: None, filters: dict[str, object], expected: list[str]
) -> None:
    assert names({"filters": filters}) == expected


def test_titles_available_in_a_region_follow_windows_and_series(db: None) -> None:
    # given a movie open in GB, one whose window closed, one not yet open, and an episode
    now = datetime.now(UTC)
    AvailabilityFactory(title=TitleFactory(name="Open"), region="GB")
    AvailabilityFactory(
        title=TitleFactory(name="Closed"),
        region="GB",
        window_start=now - timedelta(days=60),
        window_end=now - timedelta(days=1),
    )
    AvailabilityFactory(
        title=TitleFactory(name="Upcoming"), region="GB", window_start=now + timedelta(days=5)
    )
    AvailabilityFactory(title=TitleFactory(name="Elsewhere"), region="US")
    series = SeriesFactory(name="Show")
    AvailabilityFactory(title=series, region="GB")
    EpisodeFactory(name="Pilot", parent=SeasonFactory(name="Season 1", parent=series, number=1))

    # when listing what is available in GB now
    # then the open movie, the series and its season and episode are there
    assert names({"filters": {"availableIn": "gb"}}) == ["Open", "Pilot", "Season 1", "Show"]


def test_titles_of_a_person_lists_every_title_they_are_credited_on(db: None) -> None:
    person = PersonFactory(name="Al Pacino")
    CastCreditFactory(person=person, title=TitleFactory(name="Heat"))
    CrewCreditFactory(person=person, title=TitleFactory(name="Looking for Richard"))
    CastCreditFactory(title=TitleFactory(name="Alien"))

    assert names({"filters": {"personId": global_id("Person", person.pk)}}) == [
        "Heat",
        "Looking for Richard",
    ]


def test_titles_search_filter_ranks_by_relevance(shelf: None) -> None:
    assert names({"filters": {"search": "godfather"}}) == ["The Godfather"]
    assert names({"filters": {"search": "Poulain"}}) == ["Amélie"]


def test_ordering_by_relevance_without_a_search_is_bad_input(shelf: None) -> None:
    body = graphql(Client(), TITLE_NAMES, {"order": {"relevance": "DESC"}})

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "Ordering by relevance needs a search filter."


def test_titles_paginate_with_cursors_and_count_every_match(shelf: None) -> None:
    first_page = data_of(Client(), TITLE_NAMES, {"first": 3})["titles"]
    second_page = data_of(
        Client(), TITLE_NAMES, {"first": 3, "after": first_page["pageInfo"]["endCursor"]}
    )["titles"]

    assert first_page["totalCount"] == 4
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["name"] for edge in second_page["edges"]] == ["Paddington"]
    assert second_page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("first", "message"),
    [
        (101, "Argument 'first' cannot be higher than 100."),
        (-1, "Argument 'first' must be a non-negative integer."),
    ],
)
def test_page_sizes_outside_0_to_100_are_rejected_with_a_clear_error(
    db: None, first: int, message: str
) -> None:
    body = graphql(Client(), TITLE_NAMES, {"first": first})

    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == message


def test_an_invalid_filter_is_named_as_the_api_names_it(db: None) -> None:
    body = graphql(
        Client(),
        "query ($r: String) { titles(filters: {availableIn: $r}) { totalCount } }",
        {"r": "U1"},
    )

    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"] == (
        "Invalid filter availableIn: Expected a two-letter ISO 3166-1 region code such as US."
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "availableIn"}


def test_nested_page_sizes_are_capped_too(db: None) -> None:
    TitleFactory()
    body = graphql(Client(), "{ titles { edges { node { cast(first: 500) { character } } } } }")

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "Argument 'first' cannot be higher than 100."


def test_a_title_page_shows_everything_about_the_title(db: None) -> None:
    # given a title with ids, people, artwork and availability
    title = TitleFactory(
        name="The Godfather",
        year=1972,
        release_date=date(1972, 3, 24),
        runtime_minutes=175,
        maturity_rating=MaturityRatingFactory(system="MPAA", code="R", level=17),
        genres=[GenreFactory(name="Crime", slug="crime")],
    )
    title.keywords.create(name="mafia")
    ExternalIdFactory(title=title, source=ExternalIdSource.IMDB, value="tt0068646")
    CastCreditFactory(
        title=title, person=PersonFactory(name="Al Pacino"), character="Michael", billing_order=2
    )
    CastCreditFactory(
        title=title, person=PersonFactory(name="Marlon Brando"), character="Vito", billing_order=1
    )
    CrewCreditFactory(title=title, person=PersonFactory(name="Francis Ford Coppola"))
    CrewCreditFactory(
        title=title,
        person=PersonFactory(name="Nino Rota"),
        department=Department.MUSIC,
        job="Composer",
    )
    ArtworkFactory(title=title, kind=ArtworkKind.POSTER, url="https://img.test/p.jpg")
    ArtworkFactory(title=title, kind=ArtworkKind.BACKDROP, url="https://img.test/b.jpg")
    AvailabilityFactory(title=title, region="US")

    # when its page is asked for by id
    data = data_of(
        Client(),
        """query ($id: ID!) { title(id: $id) {
            kind name sortName year releaseDate runtimeMinutes status isOriginal keywords
            maturityRating { system code level } genres { name slug }
            externalIds { source value }
            cast(first: 5) { character billingOrder person { name } }
            crew(department: MUSIC) { job person { name } }
            directors: credits(roleType: CREW, department: DIRECTING) {
              edges { node { job person { name } } }
            }
            credits(first: 10) { totalCount }
            posters: artwork(kind: POSTER) { url }
            availability { region isActive windowEnd }
        } }""",
        {"id": global_id("Title", title.pk)},
    )

    # then
    assert data["title"] == {
        "kind": "MOVIE",
        "name": "The Godfather",
        "sortName": "Godfather, The",
        "year": 1972,
        "releaseDate": "1972-03-24",
        "runtimeMinutes": 175,
        "status": "RELEASED",
        "isOriginal": False,
        "keywords": ["mafia"],
        "maturityRating": {"system": "MPAA", "code": "R", "level": 17},
        "genres": [{"name": "Crime", "slug": "crime"}],
        "externalIds": [{"source": "IMDB", "value": "tt0068646"}],
        "cast": [
            {"character": "Vito", "billingOrder": 1, "person": {"name": "Marlon Brando"}},
            {"character": "Michael", "billingOrder": 2, "person": {"name": "Al Pacino"}},
        ],
        "crew": [{"job": "Composer", "person": {"name": "Nino Rota"}}],
        "directors": {
            "edges": [{"node": {"job": "Director", "person": {"name": "Francis Ford Coppola"}}}]
        },
        "credits": {"totalCount": 4},
        "posters": [{"url": "https://img.test/p.jpg"}],
        "availability": [{"region": "US", "isActive": True, "windowEnd": None}],
    }


def test_a_series_lists_its_seasons_and_episodes_in_order(db: None) -> None:
    series = SeriesFactory(name="The Wire")
    second = SeasonFactory(parent=series, number=2, name="Season 2")
    first = SeasonFactory(parent=series, number=1, name="Season 1")
    EpisodeFactory(parent=first, number=2, name="The Detail")
    EpisodeFactory(parent=first, number=1, name="The Target")
    EpisodeFactory(parent=second, number=1, name="Ebb Tide")

    data = data_of(
        Client(),
        """query ($id: ID!) { title(id: $id) {
            name children { number name parent { name } children { number name kind } }
        } }""",
        {"id": global_id("Title", series.pk)},
    )

    assert data["title"] == {
        "name": "The Wire",
        "children": [
            {
                "number": 1,
                "name": "Season 1",
                "parent": {"name": "The Wire"},
                "children": [
                    {"number": 1, "name": "The Target", "kind": "EPISODE"},
                    {"number": 2, "name": "The Detail", "kind": "EPISODE"},
                ],
            },
            {
                "number": 2,
                "name": "Season 2",
                "parent": {"name": "The Wire"},
                "children": [{"number": 1, "name": "Ebb Tide", "kind": "EPISODE"}],
            },
        ],
    }


def test_node_and_nodes_resolve_global_ids_of_any_type(db: None) -> None:
    title = TitleFactory(name="Heat")
    person = PersonFactory(name="Val Kilmer")

    data = data_of(
        Client(),
        """query ($title: ID!, $ids: [ID!]!) {
            node(id: $title) { __typename ... on Title { name } }
            nodes(ids: $ids) { __typename ... on Person { name } ... on Title { name } }
        }""",
        {
            "title": global_id("Title", title.pk),
            "ids": [global_id("Person", person.pk), global_id("Title", title.pk)],
        },
    )

    assert data == {
        "node": {"__typename": "Title", "name": "Heat"},
        "nodes": [
            {"__typename": "Person", "name": "Val Kilmer"},
            {"__typename": "Title", "name": "Heat"},
        ],
    }


def test_an_unknown_id_gives_null(db: None) -> None:
    data = data_of(
        Client(), "query ($id: ID!) { title(id: $id) { name } }", {"id": global_id("Title", 999)}
    )

    assert data == {"title": None}


def test_genres_lists_the_vocabulary_by_name(db: None) -> None:
    GenreFactory(name="Western", slug="western")
    GenreFactory(name="Animation", slug="animation")

    data = data_of(Client(), "{ genres { name slug } }")

    assert data["genres"] == [
        {"name": "Animation", "slug": "animation"},
        {"name": "Western", "slug": "western"},
    ]


def test_a_person_filter_that_names_a_title_id_of_the_wrong_type_is_bad_input(db: None) -> None:
    body = graphql(
        Client(),
        "query ($id: ID!) { titles(filters: {personId: $id}) { totalCount } }",
        {"id": global_id("Title", 1)},
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "personId must be the id of a Person."


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",  # not base64
        to_base64("arrayconnection", "abc"),  # an offset that is not a number
        to_base64("arrayconnection", "-5"),  # a negative offset
        to_base64("Title", "1"),  # a global id, not a cursor
        to_base64("arrayconnection", "²"),  # a digit, but not an ASCII one
        to_base64("arrayconnection", "9" * 23),  # past PostgreSQL's bigint
    ],
)
def test_a_cursor_this_api_did_not_return_is_bad_input(shelf: None, cursor: str) -> None:
    body = graphql(Client(), TITLE_NAMES, {"first": 2, "after": cursor})

    assert body["data"] is None
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "Argument 'after' is not a cursor returned by this list."
    assert body["errors"][0]["extensions"]["field"] == "after"


def test_a_bad_cursor_on_a_nested_list_is_bad_input_at_its_path(db: None) -> None:
    TitleFactory()
    body = graphql(
        Client(),
        '{ titles { edges { node { credits(first: 2, before: "zz") { totalCount } } } } }',
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["titles", "edges", 0, "node", "credits"]
    assert body["errors"][0]["extensions"]["field"] == "before"


@pytest.mark.parametrize(
    ("query", "node_id", "message"),
    [
        ("node(id: $id) { id }", "garbage", 'Value cannot represent a GlobalID: "garbage".'),
        (
            "node(id: $id) { id }",
            to_base64("Studio", "1"),
            "Cannot resolve. GlobalID requires a GraphQL type, received `Studio`.",
        ),
        (
            "node(id: $id) { id }",
            to_base64("Title", "abc"),
            "Argument 'id' is not the id of any Title.",
        ),
        (
            "title(id: $id) { name }",
            to_base64("Title", "²"),
            "Argument 'id' is not the id of any Title.",
        ),
        (
            "title(id: $id) { name }",
            to_base64("Title", "٣"),  # an Arabic-Indic three, not title 3
            "Argument 'id' is not the id of any Title.",
        ),
        (
            "title(id: $id) { name }",
            to_base64("Person", "1"),
            "Argument 'id' must be the id of a Title.",
        ),
        (
            "person(id: $id) { name }",
            to_base64("Title", "1"),
            "Argument 'id' must be the id of a Person.",
        ),
    ],
)
def test_an_id_that_cannot_name_an_object_of_the_asked_type_is_bad_input(
    db: None, query: str, node_id: str, message: str
) -> None:
    body = graphql(Client(), f"query ($id: ID!) {{ {query} }}", {"id": node_id})

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == message


def test_nodes_rejects_the_whole_list_when_one_id_is_malformed(db: None) -> None:
    title = TitleFactory()
    body = graphql(
        Client(),
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [global_id("Title", title.pk), to_base64("Title", "x")]},
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "ids"


@pytest.mark.parametrize("region", ["USA", "U", "1A"])
def test_available_in_takes_a_two_letter_region_code(db: None, region: str) -> None:
    body = graphql(Client(), TITLE_NAMES, {"filters": {"availableIn": region}})

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "availableIn"
    assert "two-letter ISO 3166-1 region code" in body["errors"][0]["message"]


@pytest.mark.parametrize("node_id", ["x", "²", "9" * 23])
def test_a_person_filter_with_an_id_that_names_no_row_is_bad_input(db: None, node_id: str) -> None:
    body = graphql(
        Client(),
        "query ($id: ID!) { titles(filters: {personId: $id}) { totalCount } }",
        {"id": to_base64("Person", node_id)},
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "personId"


CREDITS_OF_ONE_ROLE = """
fragment Credits on Title {
  name
  credits(roleType: $roleType, department: $department) {
    edges { node { character job person { name } } }
  }
}
query ($id: ID!, $roleType: RoleType, $department: Department) {
  title(id: $id) { ...Credits }
  titles(first: 10) { edges { node { ...Credits } } }
}
"""


@pytest.mark.parametrize(
    ("arguments", "credited"),
    [
        ({"roleType": "CAST"}, [("Hanna", "", "Al Pacino")]),
        ({"roleType": "CREW", "department": "DIRECTING"}, [("", "Director", "Michael Mann")]),
        ({"department": "MUSIC"}, [("", "Composer", "Elliot Goldenthal")]),
    ],
)
def test_credits_of_one_role_on_a_title_and_on_a_page_of_titles(
    db: None, arguments: dict[str, str], credited: list[tuple[str, str, str]]
) -> None:
    heat = TitleFactory(name="Heat")
    CastCreditFactory(title=heat, person=PersonFactory(name="Al Pacino"), character="Hanna")
    CrewCreditFactory(title=heat, person=PersonFactory(name="Michael Mann"))
    CrewCreditFactory(
        title=heat,
        person=PersonFactory(name="Elliot Goldenthal"),
        department=Department.MUSIC,
        job="Composer",
    )
    TitleFactory(name="Ronin")

    data = data_of(Client(), CREDITS_OF_ONE_ROLE, {"id": global_id("Title", heat.pk), **arguments})

    heat_credits = {
        "name": "Heat",
        "credits": {
            "edges": [
                {"node": {"character": character, "job": job, "person": {"name": person}}}
                for character, job, person in credited
            ]
        },
    }
    assert data["title"] == heat_credits
    assert [edge["node"] for edge in data["titles"]["edges"]] == [
        heat_credits,
        {"name": "Ronin", "credits": {"edges": []}},
    ]


def test_a_persons_credits_of_one_role(db: None) -> None:
    person = PersonFactory(name="Clint Eastwood")
    CastCreditFactory(person=person, title=TitleFactory(name="Unforgiven"), character="Munny")
    CrewCreditFactory(person=person, title=TitleFactory(name="Mystic River"))

    data = data_of(
        Client(),
        """query ($id: ID!) { person(id: $id) {
            credits(roleType: CREW) { edges { node { job title { name } } } }
        } }""",
        {"id": global_id("Person", person.pk)},
    )

    assert data["person"]["credits"] == {
        "edges": [{"node": {"job": "Director", "title": {"name": "Mystic River"}}}]
    }
