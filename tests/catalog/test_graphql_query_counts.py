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

    # then: titles with their total count, genres, credits with people (window-limited),
    # artwork, availability
    assert len(data["titles"]["edges"]) == page_size
    credits = [
        credit for edge in data["titles"]["edges"] for credit in edge["node"]["credits"]["edges"]
    ]
    assert len(credits) == 10 * page_size
    assert role_type is None or {credit["node"]["roleType"] for credit in credits} == {role_type}
    assert all(len(edge["node"]["genres"]) == 2 for edge in data["titles"]["edges"])
    assert queries == 5


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
