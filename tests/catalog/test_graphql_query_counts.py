"""The number of SQL queries of a request does not grow with the size of its lists."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ArtworkFactory,
    AvailabilityFactory,
    CastCreditFactory,
    CrewCreditFactory,
    GenreFactory,
    PersonFactory,
    TitleFactory,
)
from tests.graphql import data_of

TITLES_WITH_CREDITS = """
query ($first: Int!, $roleType: RoleType) {
  titles(first: $first) {
    totalCount
    edges { node {
      name
      genres { name }
      credits(first: 10, roleType: $roleType) { edges { node { roleType person { name } } } }
      artwork { url kind }
      availability { region isActive }
    } }
  }
}
"""

PERSON_CREDITS = """
query ($id: ID!, $first: Int!) {
  person(id: $id) {
    name
    credits(first: $first) { edges { node { character title { name year genres { name } } } } }
  }
}
"""


def make_titles(count: int) -> None:
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    for _ in range(count):
        title = TitleFactory(genres=[drama, comedy])
        for _ in range(12):
            CastCreditFactory(title=title)
        CrewCreditFactory(title=title)
        ArtworkFactory(title=title)
        AvailabilityFactory(title=title, region="US")
        AvailabilityFactory(title=title, region="GB")


def count_queries(client: Client, query: str, variables: dict[str, object]) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        data = data_of(client, query, variables)
    return len(captured), data


@pytest.mark.parametrize("role_type", [None, "CAST"])
@pytest.mark.parametrize("page_size", [5, 50])
def test_a_page_of_titles_with_credits_runs_a_fixed_number_of_queries(
    db: None, page_size: int, role_type: str | None
) -> None:
    # given as many titles as the page holds, each with genres, 13 credits, artwork, availability
    make_titles(page_size)

    # when a front end asks for the page with all of it (or with only the cast)
    queries, data = count_queries(
        Client(), TITLES_WITH_CREDITS, {"first": page_size, "roleType": role_type}
    )

    # then: the page of titles, their total count, genres, credits with people
    # (window-limited), artwork, availability
    assert len(data["titles"]["edges"]) == page_size
    credits = [
        credit for edge in data["titles"]["edges"] for credit in edge["node"]["credits"]["edges"]
    ]
    assert len(credits) == 10 * page_size
    assert role_type is None or {credit["node"]["roleType"] for credit in credits} == {role_type}
    assert all(len(edge["node"]["genres"]) == 2 for edge in data["titles"]["edges"])
    assert queries == 6


@pytest.mark.parametrize(
    "selection", ["totalCount edges { node { name } }", "edges { node { name } }"]
)
def test_a_root_list_counts_apart_from_its_page_and_only_when_asked(
    db: None, selection: str
) -> None:
    # given more titles than a page
    TitleFactory.create_batch(7)

    # when a page of 3 is asked for, with or without its total count
    with CaptureQueriesContext(connection) as captured:
        data = data_of(Client(), f"{{ titles(first: 3) {{ {selection} }} }}")

    # then the page query reads no more than the page (no window over every match), and
    # the count is a query of its own, run only when selected
    statements = [query["sql"] for query in captured]
    counts = [sql for sql in statements if sql.startswith("SELECT COUNT(*)")]
    assert len(data["titles"]["edges"]) == 3
    assert not any("OVER ()" in sql for sql in statements)
    assert statements[0].endswith("LIMIT 4")
    if "totalCount" in selection:
        assert (data["titles"]["totalCount"], len(counts)) == (7, 1)
    else:
        assert counts == []


@pytest.mark.parametrize("credit_count", [3, 40])
def test_a_persons_credits_with_their_titles_genres_run_a_fixed_number_of_queries(
    db: None, credit_count: int
) -> None:
    # given a person credited on many titles, each with genres
    person = PersonFactory(name="Diane Keaton")
    genre = GenreFactory(name="Drama")
    for index in range(credit_count):
        title = TitleFactory(genres=[genre])
        if index % 2:
            CastCreditFactory(title=title, person=person)
        else:
            CrewCreditFactory(title=title, person=person)
    person_id = data_of(Client(), "{ people(first: 1) { edges { node { id } } } }")["people"][
        "edges"
    ][0]["node"]["id"]

    # when the person's page asks for every credit with its title's genres
    queries, data = count_queries(
        Client(), PERSON_CREDITS, {"id": person_id, "first": credit_count}
    )

    # then: person, credits with titles, genres of those titles
    credits = data["person"]["credits"]["edges"]
    assert len(credits) == credit_count
    assert all(edge["node"]["title"]["genres"] == [{"name": "Drama"}] for edge in credits)
    assert queries == 3


# A title page's lists, each with the least and the most a client may select: a field that
# the resolver reads but the client left out must not be loaded row by row.
TITLE_PAGE_SELECTIONS = {
    "crew of one department, job only": "crew(department: DIRECTING) { job }",
    "crew of one department, job and person": "crew(department: DIRECTING) { job person { name } }",
    "crew of one department, aliased": "directors: crew(department: DIRECTING) { job }",
    "crew, aliased twice": (
        "directors: crew(department: DIRECTING) { job person { name } } "
        "writers: crew(department: WRITING) { job }"
    ),
    "cast, aliased": "stars: cast(first: 3) { person { name } }",
    "crew of one department, everything": (
        "crew(department: DIRECTING) { id roleType department job character billingOrder "
        "person { id name birthDate } }"
    ),
    "whole crew, typename only": "crew { __typename }",
    "cast, character only": "cast(first: 20) { character }",
    "cast, everything": (
        "cast(first: 20) { id roleType department job character billingOrder "
        "person { id name birthPlace awards { category } } }"
    ),
    "credits of a department, job only": (
        "credits(first: 20, roleType: CREW, department: DIRECTING) { edges { node { job } } }"
    ),
    "credits, everything": (
        "credits(first: 20) { totalCount edges { cursor node { id roleType department job "
        "character billingOrder person { id name } } } }"
    ),
    "artwork, url only": "artwork(kind: POSTER) { url }",
    "availability, region only": "availability { region }",
    "availability, everything": "availability { region windowStart windowEnd isActive }",
}


COUNTRIES = ["US", "GB", "CA", "DE", "FR", "BR", "IN", "JP", "AU", "ES", "IT", "MX"]


def make_title_with_credits(people: int) -> str:
    title = TitleFactory(genres=[GenreFactory()])
    for index in range(people):
        CastCreditFactory(title=title, billing_order=index + 1)
        CrewCreditFactory(title=title, department="directing", job="Director")
        CrewCreditFactory(title=title, department="writing", job="Writer")
        ArtworkFactory(title=title)
        AvailabilityFactory(title=title, region=COUNTRIES[index % len(COUNTRIES)])
    return data_of(Client(), "{ titles(first: 1) { edges { node { id } } } }")["titles"]["edges"][
        0
    ]["node"]["id"]


@pytest.mark.parametrize("selection", TITLE_PAGE_SELECTIONS.values(), ids=TITLE_PAGE_SELECTIONS)
def test_a_title_pages_lists_take_as_many_queries_for_two_rows_as_for_twelve(
    db: None, selection: str
) -> None:
    query = f"query ($id: ID!) {{ title(id: $id) {{ name {selection} }} }}"
    counts = []
    for people in (2, 12):
        # given a title with that many cast, crew, artwork and availability rows
        title_id = make_title_with_credits(people)

        # when its page asks for the list
        queries, data = count_queries(Client(), query, {"id": title_id})
        assert data["title"]["name"]
        counts.append(queries)

    # then the count does not follow the list's length
    assert counts[0] == counts[1], counts
