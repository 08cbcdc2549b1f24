"""The API serves as a subgraph of an Apollo Federation 2 supergraph."""

import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql import build_schema, parse, validate
from strawberry.relay import to_base64

from catalog.models import TitleStatus
from config.graphql.federation import MAX_REPRESENTATIONS
from tests.factories import (
    AvailabilityFactory,
    CastCreditFactory,
    EpisodeFactory,
    GenreFactory,
    PersonFactory,
    TitleFactory,
)
from tests.graphql import data_of, error_codes, graphql

PROJECT_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_SCRIPT = Path(__file__).resolve().parent / "compose_supergraph.cjs"
FEDERATION_DOC = PROJECT_ROOT / "docs" / "federation.md"
SCHEMA_FILE = PROJECT_ROOT / "schema.graphql"
CATALOG_URL = "https://catalog.studio.internal/graphql/"
REVIEWS_URL = "https://reviews.studio.internal/graphql"

SERVICE_SDL = "{ _service { sdl } }"

ENTITIES = """
query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Title {
      id name genres { name } credits(first: 5) { edges { node { person { name } } } }
    }
    ... on Person { id name credits(first: 5) { edges { node { title { name } } } } }
  }
}
"""


def documented_graphql(starting: str) -> str:
    """The GraphQL block of docs/federation.md that starts with `starting`."""
    blocks = re.findall(r"```graphql\n(.*?)```", FEDERATION_DOC.read_text(), flags=re.DOTALL)
    [block] = [block for block in blocks if block.startswith(starting)]
    return str(block)


# A second subgraph, as another team would write it: reviews of our titles.
REVIEWS_SUBGRAPH = documented_graphql("extend schema")


def title_ref(pk: int) -> dict[str, str]:
    return {"__typename": "Title", "id": to_base64("Title", pk)}


def person_ref(pk: int) -> dict[str, str]:
    return {"__typename": "Person", "id": to_base64("Person", pk)}


def entities(representations: list[Any]) -> dict[str, Any]:
    return graphql(Client(), ENTITIES, {"representations": representations})


def service_sdl() -> str:
    sdl: str = data_of(Client(), SERVICE_SDL)["_service"]["sdl"]
    return sdl


def compose(subgraphs: list[dict[str, str]]) -> dict[str, Any]:
    """Compose subgraph SDLs with @apollo/composition, as `rover supergraph compose` does."""
    node = shutil.which("node")
    if node is None or not (PROJECT_ROOT / "node_modules" / "@apollo" / "composition").is_dir():
        pytest.fail("Node and the npm packages are needed: run `npm ci` at the project root.")
    completed = subprocess.run(
        [node, str(COMPOSE_SCRIPT)],
        input=json.dumps(subgraphs),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def test_the_service_sdl_links_federation_2_and_keys_titles_and_people_by_id(db: None) -> None:
    sdl = service_sdl()

    assert 'schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])' in sdl
    assert 'type Title implements Node @key(fields: "id") {' in sdl
    assert 'type Person implements Node @key(fields: "id") {' in sdl
    assert "union _Entity = Person | Title" in sdl
    # `file: ./schema.graphql` in a supergraph config reads the same subgraph
    assert sdl.strip() == SCHEMA_FILE.read_text().strip()


def test_entities_resolve_titles_and_people_by_their_global_ids_in_order(db: None) -> None:
    heat = TitleFactory(name="Heat", genres=[GenreFactory(name="Crime")])
    pacino = PersonFactory(name="Al Pacino")
    CastCreditFactory(title=heat, person=pacino)
    episode = EpisodeFactory(name="The Target")

    body = entities([person_ref(pacino.pk), title_ref(heat.pk), title_ref(episode.pk)])

    assert "errors" not in body
    assert body["data"] == {
        "_entities": [
            {
                "__typename": "Person",
                "id": to_base64("Person", pacino.pk),
                "name": "Al Pacino",
                "credits": {"edges": [{"node": {"title": {"name": "Heat"}}}]},
            },
            {
                "__typename": "Title",
                "id": to_base64("Title", heat.pk),
                "name": "Heat",
                "genres": [{"name": "Crime"}],
                "credits": {"edges": [{"node": {"person": {"name": "Al Pacino"}}}]},
            },
            {
                "__typename": "Title",
                "id": to_base64("Title", episode.pk),
                "name": "The Target",
                "genres": [],
                "credits": {"edges": []},
            },
        ]
    }


def test_an_id_that_names_nothing_resolves_to_null_as_title_and_person_do(db: None) -> None:
    # given a deleted title and person, and one title that title(id:) shows
    kept = TitleFactory(name="Kept")
    deleted_title, deleted_person = TitleFactory(), PersonFactory()
    gone_title_id, gone_person_id = deleted_title.pk, deleted_person.pk
    deleted_title.delete()
    deleted_person.delete()

    # when a router asks for all of them
    body = entities([title_ref(gone_title_id), title_ref(kept.pk), person_ref(gone_person_id)])

    # then the ones title(id:) and person(id:) don't show are null, with no error
    assert "errors" not in body
    assert [entity and entity["name"] for entity in body["data"]["_entities"]] == [
        None,
        "Kept",
        None,
    ]
    by_id = data_of(
        Client(),
        "query ($t: ID!, $p: ID!) { title(id: $t) { name } person(id: $p) { name } }",
        {"t": to_base64("Title", gone_title_id), "p": to_base64("Person", gone_person_id)},
    )
    assert by_id == {"title": None, "person": None}


def test_entities_show_a_title_wherever_title_id_shows_it(db: None) -> None:
    # given titles in every state: announced, available somewhere, with an expired window
    announced = TitleFactory(name="Announced", status=TitleStatus.ANNOUNCED)
    AvailabilityFactory(title=(available := TitleFactory(name="Available")), region="FR")
    expired = TitleFactory(name="Expired")
    AvailabilityFactory(title=expired, window_end=timezone.now() - timedelta(days=1))
    titles = [announced, available, expired]

    # when the same ids are asked of _entities and of title(id:), anonymously
    body = entities([title_ref(title.pk) for title in titles])
    one_by_one = [
        data_of(
            Client(), "query ($id: ID!) { title(id: $id) { name } }", {"id": title_ref(t.pk)["id"]}
        )
        for t in titles
    ]

    # then both give the same titles
    assert [entity["name"] for entity in body["data"]["_entities"]] == [
        answer["title"]["name"] for answer in one_by_one
    ]
    assert [entity["name"] for entity in body["data"]["_entities"]] == [
        "Announced",
        "Available",
        "Expired",
    ]


@pytest.mark.parametrize(
    ("representation", "message"),
    [
        ({"__typename": "Title", "id": "not a global id"}, "must be the global id of a Title"),
        ({"__typename": "Title", "id": to_base64("Person", 1)}, "must be the id of a Title"),
        ({"__typename": "Title", "id": to_base64("Title", "x")}, "is not the id of any Title"),
        ({"__typename": "Title"}, "must be the global id of a Title"),
        ({"__typename": "Person", "id": 7}, "must be the global id of a Person"),
        ({"__typename": "Genre", "id": to_base64("Genre", 1)}, "entity of this subgraph"),
        ({"id": to_base64("Title", 1)}, "entity of this subgraph"),
        ("Title:1", "must be an object"),
    ],
)
def test_a_bad_representation_is_bad_input_at_its_index_and_the_rest_resolve(
    db: None, representation: Any, message: str
) -> None:
    heat = TitleFactory(name="Heat")

    body = entities([title_ref(heat.pk), representation])

    assert body["data"]["_entities"][0]["name"] == "Heat"
    assert body["data"]["_entities"][1] is None
    [error] = body["errors"]
    assert error["path"] == ["_entities", 1]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "representations"}
    assert message in error["message"]


def test_too_many_representations_at_once_are_bad_input(db: None) -> None:
    body = entities([title_ref(pk) for pk in range(1, MAX_REPRESENTATIONS + 2)])

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["data"] is None


def make_credited_titles(count: int) -> tuple[list[int], list[int]]:
    """`count` titles with genres and three cast credits each; their ids and the people's."""
    genres = [GenreFactory(name="Drama"), GenreFactory(name="Thriller")]
    title_ids, person_ids = [], []
    for _ in range(count):
        title = TitleFactory(genres=genres)
        title_ids.append(title.pk)
        for _ in range(3):
            person_ids.append(CastCreditFactory(title=title).person.pk)
    return title_ids, person_ids


@pytest.mark.parametrize("count", [2, 20])
def test_entities_take_a_fixed_number_of_queries_however_many_are_asked(
    db: None, count: int
) -> None:
    # given titles with genres and credits, and the people credited
    title_ids, person_ids = make_credited_titles(count)
    representations = [title_ref(pk) for pk in title_ids] + [person_ref(pk) for pk in person_ids]

    # when a router resolves all of them with their genres and credits
    with CaptureQueriesContext(connection) as captured:
        body = entities(representations)

    # then: titles, their genres, their credits (with people); people, their credits
    # (with titles): the same five queries for 2 titles and 6 people as for 20 and 60
    assert "errors" not in body
    assert len(body["data"]["_entities"]) == count * 4
    assert all(entity is not None for entity in body["data"]["_entities"])
    assert len(captured) == 5, [query["sql"] for query in captured]


@pytest.mark.subprocess
def test_the_subgraph_composes_into_a_federation_2_supergraph(db: None) -> None:
    # given this API's SDL as a router fetches it, and a reviews subgraph extending Title
    subgraphs = [
        {"name": "catalog", "url": CATALOG_URL, "sdl": service_sdl()},
        {
            "name": "reviews",
            "url": REVIEWS_URL,
            "sdl": REVIEWS_SUBGRAPH,
        },
    ]

    # when they are composed, as `rover supergraph compose` does
    result = compose(subgraphs)

    # then composition succeeds and Title is one entity that both subgraphs resolve by id
    assert result["errors"] == []
    supergraph = result["supergraphSdl"]
    assert f'CATALOG @join__graph(name: "catalog", url: "{CATALOG_URL}")' in supergraph
    assert (
        '@join__type(graph: CATALOG, key: "id")\n  @join__type(graph: REVIEWS, key: "id")\n{'
        in (supergraph[supergraph.index("type Title") :])
    )
    assert "reviews: [Review!]! @join__field(graph: REVIEWS)" in supergraph


@pytest.mark.subprocess
def test_the_documented_queries_run_on_the_composed_supergraph(db: None) -> None:
    # given the supergraph of this API and the documented reviews subgraph
    result = compose(
        [
            {"name": "catalog", "url": CATALOG_URL, "sdl": SCHEMA_FILE.read_text()},
            {"name": "reviews", "url": REVIEWS_URL, "sdl": REVIEWS_SUBGRAPH},
        ]
    )
    api_schema = build_schema(result["apiSchemaSdl"])

    # when the documented front-end queries are checked against what the router serves
    problems = {
        name: [error.message for error in validate(api_schema, parse(documented_graphql(name)))]
        for name in ("query TitlePage", "query LatestReviews")
    }

    # then both are valid there, across the two subgraphs
    assert problems == {"query TitlePage": [], "query LatestReviews": []}
    assert "reviews: [Review!]!" in result["apiSchemaSdl"]


def test_the_documented_entities_request_of_the_router_runs_here(db: None) -> None:
    heat = TitleFactory(name="Heat", year=1995)

    body = graphql(
        Client(),
        documented_graphql("query ($representations"),
        {"representations": [title_ref(heat.pk)]},
    )

    assert "errors" not in body
    assert body["data"] == {"_entities": [{"name": "Heat", "year": 1995, "artwork": []}]}


@pytest.mark.subprocess
def test_composition_reports_a_subgraph_that_contradicts_this_one(db: None) -> None:
    # given a subgraph that gives Title.name another type than this API does
    conflicting = REVIEWS_SUBGRAPH.replace("id: ID!\n  reviews", "id: ID!\n  name: Int!\n  reviews")
    assert "name: Int!" in conflicting
    subgraphs = [
        {"name": "catalog", "url": CATALOG_URL, "sdl": service_sdl()},
        {
            "name": "reviews",
            "url": REVIEWS_URL,
            "sdl": conflicting,
        },
    ]

    result = compose(subgraphs)

    assert result["supergraphSdl"] is None
    assert any("Title.name" in error for error in result["errors"]), result["errors"]


@pytest.mark.django_db
def test_where_introspection_is_off_the_sdl_is_for_the_router_and_staff_alone(
    settings: Any, staff_client: Client
) -> None:
    settings.GRAPHQL_INTROSPECTION_ENABLED = False
    settings.FEDERATION_SDL_TOKEN = "router-secret"

    anonymous = graphql(Client(), SERVICE_SDL)
    guessing = graphql(Client(headers={"X-Subgraph-Token": "router-secre"}), SERVICE_SDL)
    router = data_of(Client(headers={"X-Subgraph-Token": "router-secret"}), SERVICE_SDL)
    staff = data_of(staff_client, SERVICE_SDL)

    for refused in (anonymous, guessing):
        assert refused["data"] is None
        assert error_codes(refused) == ["FORBIDDEN"]
    assert router["_service"]["sdl"] == staff["_service"]["sdl"]
    assert "type Production" in router["_service"]["sdl"]


@pytest.mark.django_db
def test_without_a_router_token_the_sdl_is_staffs_alone(settings: Any) -> None:
    settings.GRAPHQL_INTROSPECTION_ENABLED = False
    settings.FEDERATION_SDL_TOKEN = ""

    body = graphql(Client(headers={"X-Subgraph-Token": ""}), SERVICE_SDL)

    assert error_codes(body) == ["FORBIDDEN"]
