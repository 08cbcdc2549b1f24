"""`search` and `people`: finding titles and people by what a viewer types."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import CastCreditFactory, PersonFactory, SeriesFactory, TitleFactory
from tests.graphql import data_of, error_codes, graphql

SEARCH = """
query ($query: String!, $kind: [TitleKind!], $first: Int) {
  search(query: $query, kind: $kind, first: $first) { totalCount edges { node { name year } } }
}
"""


def search(query: str, **variables: object) -> list[str]:
    data = data_of(Client(), SEARCH, {"query": query, **variables})
    return [edge["node"]["name"] for edge in data["search"]["edges"]]


def make_godfathers() -> None:
    TitleFactory(name="The Godfather: Part II", year=1974)
    TitleFactory(name="The Godfather", year=1972)
    TitleFactory(name="Tokyo Godfathers", year=2003)
    TitleFactory(name="Goodfellas", year=1990, synopsis="A mob story, no godfather in the name.")
    TitleFactory(name="Heat", year=1995)


def test_search_ranks_the_exact_name_first(db: None) -> None:
    make_godfathers()

    assert search("godfather") == [
        "The Godfather",
        "The Godfather: Part II",
        "Tokyo Godfathers",
        "Goodfellas",
    ]


def test_search_tolerates_a_misspelling(db: None) -> None:
    make_godfathers()

    assert search("godfahter")[0] == "The Godfather"
    assert "Heat" not in search("godfahter")


def test_search_can_be_limited_to_kinds(db: None) -> None:
    make_godfathers()
    SeriesFactory(name="Godfather of Harlem", year=2019)

    assert search("godfather", kind=["SERIES"]) == ["Godfather of Harlem"]


def test_an_empty_search_is_bad_input(db: None) -> None:
    body = graphql(Client(), SEARCH, {"query": "   "})

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "The search query must not be empty."


def test_people_are_found_by_part_of_their_name_and_by_a_misspelling(db: None) -> None:
    PersonFactory(name="Marlon Brando")
    PersonFactory(name="Al Pacino")
    query = "query ($s: String) { people(filters: {search: $s}) { edges { node { name } } } }"

    def people(text: str) -> list[str]:
        return [e["node"]["name"] for e in data_of(Client(), query, {"s": text})["people"]["edges"]]

    assert people("brando") == ["Marlon Brando"]
    assert people("pacinno") == ["Al Pacino"]


def test_a_person_shows_their_credits_with_titles_and_awards(db: None) -> None:
    person = PersonFactory(name="Marlon Brando")
    title = TitleFactory(name="The Godfather", year=1972)
    CastCreditFactory(person=person, title=title, character="Vito Corleone")
    person.awards.create(ceremony_year=1973, category="Best actor", title=title)

    data = data_of(
        Client(),
        """{ people(first: 1) { edges { node {
            name
            credits { edges { node { character title { name year } } } }
            awards { ceremonyYear category isWinner title { name } }
        } } } }""",
    )

    assert data["people"]["edges"][0]["node"] == {
        "name": "Marlon Brando",
        "credits": {
            "edges": [
                {
                    "node": {
                        "character": "Vito Corleone",
                        "title": {"name": "The Godfather", "year": 1972},
                    }
                }
            ]
        },
        "awards": [
            {
                "ceremonyYear": 1973,
                "category": "Best actor",
                "isWinner": True,
                "title": {"name": "The Godfather"},
            }
        ],
    }


def test_punctuation_alone_finds_nothing_without_reading_any_name(db: None) -> None:
    """200 characters of LIKE wildcards have no word and no trigram: they read every name
    (0.6-0.7 s on 100,000 titles, as much again on people) to find nothing."""
    make_godfathers()
    PersonFactory(name="Al Pacino")
    wildcards = "%_" * 100
    document = """
    query ($q: String!) {
      search(query: $q, first: 10) { totalCount edges { node { name } } }
      titles(filters: {search: $q}, first: 10) { totalCount edges { node { name } } }
      people(filters: {search: $q}, first: 10) { totalCount edges { node { name } } }
    }
    """

    with CaptureQueriesContext(connection) as captured:
        data = data_of(Client(), document, {"q": wildcards})

    for field in ("search", "titles", "people"):
        assert data[field] == {"totalCount": 0, "edges": []}
    names_read = [
        q["sql"] for q in captured if "catalog_title" in q["sql"] or "catalog_person" in q["sql"]
    ]
    assert names_read == []


def test_a_word_said_again_changes_nothing(db: None) -> None:
    make_godfathers()

    assert (
        search("Godfather godfather GODFATHER " * 10)
        == search("godfather")
        == [
            "The Godfather",
            "The Godfather: Part II",
            "Tokyo Godfathers",
            "Goodfellas",
        ]
    )
