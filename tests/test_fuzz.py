"""Queries and mutations generated from the schema, sent anonymously over HTTP.

Whatever a caller sends, the API answers with no server error, gives every error a code,
shows no staff-only data to an anonymous caller and lets them write nothing.

Which fields are staff-only comes from the schema itself: a field or type described
"Staff only" or "Staff: ...", and every type that only such fields lead to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import graphql
import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes
from strawberry.relay import to_base64

from config.schema import schema
from tests.factories import (
    ArtworkFactory,
    AuditionFactory,
    AvailabilityFactory,
    AwardFactory,
    BudgetLineFactory,
    CastCreditFactory,
    CrewCreditFactory,
    EpisodeFactory,
    GenreFactory,
    GenreSegmentHoursFactory,
    LocationFactory,
    MyListEntryFactory,
    PostTaskFactory,
    ProductionFactory,
    ProfileFactory,
    RatingFactory,
    ScriptDraftFactory,
    ShootDayFactory,
    SimilarTitleFactory,
    TitleFactory,
    TitlePopularityFactory,
    Top10EntryFactory,
    TrendingEntryFactory,
)
from tests.graphql import error_codes
from tests.graphql import graphql as graphql_request

GRAPHQL_SCHEMA: graphql.GraphQLSchema = schema._schema
# Both runs together stay under a minute on a two-core machine.
VALID_EXAMPLES = 300
STAFF_EXAMPLES = 300
INVALID_EXAMPLES = 100
FUZZ_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# What the schema says is staff-only


def _says_staff_only(description: str | None) -> bool:
    return description is not None and description.startswith(("Staff only", "Staff:"))


def _named_fields(type_: graphql.GraphQLNamedType) -> dict[str, graphql.GraphQLField]:
    if isinstance(type_, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
        return dict(type_.fields)
    return {}


def _reachable_object_types(
    starts: list[graphql.GraphQLNamedType], *, skip_staff_only: bool
) -> set[str]:
    """Object types that fields lead to from `starts`.

    Through unions and interfaces to their members, except the Node interface: `node(id:)`
    shows each type of node only as that type's own rules allow, which is what is tested.
    """
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        type_ = stack.pop()
        if type_.name in seen:
            continue
        seen.add(type_.name)
        if skip_staff_only and _says_staff_only(type_.description):
            continue
        if isinstance(type_, graphql.GraphQLUnionType):
            stack.extend(type_.types)
        elif isinstance(type_, graphql.GraphQLInterfaceType) and type_.name != "Node":
            stack.extend(GRAPHQL_SCHEMA.get_possible_types(type_))
        for field in _named_fields(type_).values():
            if not (skip_staff_only and _says_staff_only(field.description)):
                stack.append(graphql.get_named_type(field.type))
    return {
        name
        for name in seen
        if isinstance(GRAPHQL_SCHEMA.type_map[name], graphql.GraphQLObjectType)
    }


def _staff_only_fields_and_types() -> tuple[set[tuple[str, str]], set[str]]:
    fields = {
        (type_.name, name)
        for type_ in GRAPHQL_SCHEMA.type_map.values()
        for name, field in _named_fields(type_).items()
        if _says_staff_only(field.description)
    }
    roots = [GRAPHQL_SCHEMA.query_type, GRAPHQL_SCHEMA.mutation_type]
    public = _reachable_object_types([root for root in roots if root], skip_staff_only=True)
    staff_roots = [
        graphql.get_named_type(GRAPHQL_SCHEMA.type_map[type_name].fields[name].type)  # type: ignore[attr-defined]
        for type_name, name in fields
    ] + [
        type_
        for type_ in GRAPHQL_SCHEMA.type_map.values()
        if isinstance(type_, graphql.GraphQLObjectType) and _says_staff_only(type_.description)
    ]
    types = _reachable_object_types(staff_roots, skip_staff_only=False) - public
    return fields, types


STAFF_ONLY_FIELDS, STAFF_ONLY_TYPES = _staff_only_fields_and_types()


def test_the_schema_names_its_staff_only_fields_and_types() -> None:
    # The fuzzing below is only as good as this list: it must hold what staff alone may see.
    assert {
        ("Query", "productions"),
        ("Query", "production"),
        ("Query", "genreAffinity"),
        ("Production", "budgetUsd"),
        ("Mutation", "createProduction"),
        ("Mutation", "setBudgetLine"),
    } <= STAFF_ONLY_FIELDS
    assert {
        "Production",
        "BudgetSummary",
        "BudgetCategory",
        "CastingRole",
        "ScriptDraft",
        "GenreAffinity",
        "GreenlightScorecard",
    } <= STAFF_ONLY_TYPES
    assert not {"Title", "Person", "Genre", "Credit", "Profile", "PageInfo"} & STAFF_ONLY_TYPES


# Where staff-only data could appear in the response to a document


@dataclass(frozen=True)
class StaffOnlySelection:
    """A staff-only field selected on objects of `on_type` found at `path` in the data."""

    path: tuple[str, ...]
    on_type: str
    key: str


def _staff_only_selections(document: graphql.DocumentNode) -> list[StaffOnlySelection]:
    [operation] = document.definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    root = GRAPHQL_SCHEMA.get_root_type(operation.operation)
    assert root is not None
    return list(_selections_in(root, operation.selection_set, ()))


def _selections_in(
    parent: graphql.GraphQLNamedType, selection_set: graphql.SelectionSetNode, path: tuple[str, ...]
) -> Iterator[StaffOnlySelection]:
    for selection in selection_set.selections:
        if isinstance(selection, graphql.InlineFragmentNode):
            condition = selection.type_condition
            on_type = GRAPHQL_SCHEMA.type_map[condition.name.value] if condition else parent
            yield from _selections_in(on_type, selection.selection_set, path)
        elif isinstance(selection, graphql.FieldNode) and selection.name.value != "__typename":
            name = selection.name.value
            key = selection.alias.value if selection.alias else name
            if (parent.name, name) in STAFF_ONLY_FIELDS:
                yield StaffOnlySelection(path, parent.name, key)
            elif selection.selection_set is not None:
                field_type = graphql.get_named_type(_named_fields(parent)[name].type)
                yield from _selections_in(field_type, selection.selection_set, (*path, key))


def _objects_at(data: Any, path: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects_at(item, path)
    elif isinstance(data, dict):
        if not path:
            yield data
        elif path[0] in data:
            yield from _objects_at(data[path[0]], path[1:])


def _is_of_type(value: dict[str, Any], type_name: str) -> bool:
    concrete = GRAPHQL_SCHEMA.type_map.get(value.get("__typename", ""))
    abstract = GRAPHQL_SCHEMA.type_map[type_name]
    if not isinstance(concrete, graphql.GraphQLObjectType):
        return False
    if isinstance(abstract, graphql.GraphQLInterfaceType | graphql.GraphQLUnionType):
        return GRAPHQL_SCHEMA.is_sub_type(abstract, concrete)
    return concrete is abstract


def _typenames(data: Any) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            yield from _typenames(item)
    elif isinstance(data, dict):
        if isinstance(data.get("__typename"), str):
            yield data["__typename"]
        for value in data.values():
            yield from _typenames(value)


def staff_only_data(document: graphql.DocumentNode, data: Any) -> list[str]:
    """What of the staff-only data the response shows: fields with a value, staff-only objects."""
    leaks = [
        f"{'.'.join((*selection.path, selection.key))} on {selection.on_type}"
        for selection in _staff_only_selections(document)
        for value in _objects_at(data, selection.path)
        if _is_of_type(value, selection.on_type) and value.get(selection.key) is not None
    ]
    leaks += [f"an object of type {name}" for name in _typenames(data) if name in STAFF_ONLY_TYPES]
    return leaks


class _WithTypenames(graphql.Visitor):
    """Selects `__typename` in every selection set, so the data tells each object's type."""

    def leave_selection_set(self, node: graphql.SelectionSetNode, *_: Any) -> Any:
        typename = graphql.FieldNode(name=graphql.NameNode(value="__typename"))
        return graphql.SelectionSetNode(selections=(*node.selections, typename))


def with_typenames(document: graphql.DocumentNode) -> graphql.DocumentNode:
    return graphql.visit(document, _WithTypenames())  # type: ignore[no-any-return]


# Data for the generated arguments to find


def seed_catalog() -> dict[str, list[str]]:
    """A small catalog, audience and production slate; the global ids of what it made."""
    now = datetime.now(UTC)
    drama = GenreFactory(name="Drama")
    heat = TitleFactory(name="Heat", genres=[drama])
    episode = EpisodeFactory(name="Pilot")
    season, series = episode.parent, episode.parent.parent
    for title in (heat, series):
        AvailabilityFactory(title=title, region="US")
        ArtworkFactory(title=title)
        TitlePopularityFactory(title=title, region="")
        TrendingEntryFactory(title=title)
    cast = CastCreditFactory(title=heat)
    crew = CrewCreditFactory(title=heat)
    AwardFactory(title=heat, person=cast.person)
    SimilarTitleFactory(title=heat, similar=series)
    Top10EntryFactory(title=heat, week_start=(now - timedelta(days=now.weekday())).date())
    GenreSegmentHoursFactory(genre=drama)
    profile = ProfileFactory()
    rating = RatingFactory(profile=profile, title=heat)
    saved = MyListEntryFactory(profile=profile, title=series)
    production = ProductionFactory(budget_usd=95_000_000)
    BudgetLineFactory(production=production, planned_usd=1_000_000, actual_usd=2_000_000)
    draft = ScriptDraftFactory(production=production)
    audition = AuditionFactory(role__production=production)
    location = LocationFactory(production=production)
    shoot_day = ShootDayFactory(production=production, location=location)
    post_task = PostTaskFactory(production=production)
    objects = {
        "Title": [heat, episode, season, series, production.title],
        "Person": [cast.person, crew.person, audition.person],
        "Genre": [drama],
        "Credit": [cast, crew],
        "Profile": [profile],
        "Rating": [rating],
        "MyListEntry": [saved],
        "Production": [production],
        "ScriptDraft": [draft],
        "CastingRole": [audition.role],
        "Audition": [audition],
        "Location": [location],
        "ShootDay": [shoot_day],
        "PostTask": [post_task],
    }
    return {
        type_name: [to_base64(type_name, obj.pk) for obj in objs]
        for type_name, objs in objects.items()
    }


def _string(value: object) -> graphql.StringValueNode:
    return nodes.String(value)


def _object(**fields: graphql.ValueNode) -> graphql.ObjectValueNode:
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)
            for name, value in fields.items()
        ]
    )


def _mostly(
    usual: st.SearchStrategy[Any], *unusual: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """`usual` about four times in five, else one of `unusual`."""
    # Not at 0 or 4: Hypothesis favours the ends of a range.
    return st.integers(0, 4).flatmap(lambda n: st.one_of(*unusual) if n == 2 else usual)


def custom_scalars(
    ids_by_type: dict[str, list[str]],
) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Argument values that mostly get past the resolvers' checks: ids of real objects."""
    global_ids = [global_id for ids in ids_by_type.values() for global_id in ids]
    ids = _mostly(
        st.sampled_from(global_ids),
        st.sampled_from(global_ids).map(lambda gid: gid[:-2]),  # malformed
        st.builds(to_base64, st.sampled_from(["Title", "Person", "Production"]), st.integers()),
        st.text(max_size=12),
    )
    representation = st.builds(
        lambda typename, gid: _object(__typename=_string(typename), id=_string(gid)),
        _mostly(st.sampled_from(["Title", "Person"]), st.sampled_from(["Production", "Genre"])),
        ids,
    )
    return {
        "ID": ids.map(_string),
        "Date": st.dates(date(1990, 1, 1), date(2035, 12, 31)).map(
            lambda day: _string(day.isoformat())
        ),
        "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda at: _string(at.isoformat())),
        "Time": st.times().map(lambda at: _string(at.isoformat())),
        "UUID": st.uuids().map(_string),
        "_Any": _mostly(representation, st.text(max_size=8).map(_string)),
    }


FAR_DATES = ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"]
FAR_MOMENTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1970-01-01T00:00:00Z"]
INT_BOUNDS = [0, -1, 1, 2**31 - 1, -(2**31), 100_000, 2_000_000_001]
ODD_TEXT = ["", " ", "\x00", "%_" * 100, "a" * 5_000, "e\u0301" * 2_000, "\u202e\ufeff", "'; --"]


def boundary_scalars(
    ids_by_type: dict[str, list[str]],
) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """`custom_scalars`, with the values at and past the edges a fifth of the time: far
    dates and moments, the ends of Int, long, empty and odd text."""

    def edgy(usual: st.SearchStrategy[Any], *edges: Any) -> st.SearchStrategy[Any]:
        return _mostly(usual, st.sampled_from(edges))

    usual = custom_scalars(ids_by_type)
    return {
        **usual,
        "Date": edgy(usual["Date"], *map(_string, FAR_DATES)),
        "DateTime": edgy(usual["DateTime"], *map(_string, FAR_MOMENTS)),
        "Int": edgy(
            st.integers(-1_000, 1_000).map(lambda n: graphql.IntValueNode(value=str(n))),
            *(graphql.IntValueNode(value=str(n)) for n in INT_BOUNDS),
        ),
        "String": edgy(st.text(max_size=30).map(_string), *map(_string, ODD_TEXT)),
    }


def operations(
    ids_by_type: dict[str, list[str]],
    mode: Mode = Mode.POSITIVE,
    *,
    scalars: dict[str, st.SearchStrategy[graphql.ValueNode]] | None = None,
) -> st.SearchStrategy[graphql.DocumentNode]:
    """Documents of one root field each, so that one field's error does not void the others."""
    roots = [GRAPHQL_SCHEMA.query_type, GRAPHQL_SCHEMA.mutation_type]
    # A schema violation needs an argument to break.
    root_fields = sorted(
        name
        for root in roots
        if root
        for name, field in root.fields.items()
        if mode is Mode.POSITIVE or field.args
    )
    scalars = scalars or custom_scalars(ids_by_type)
    return st.sampled_from(root_fields).flatmap(
        lambda name: from_schema(
            GRAPHQL_SCHEMA,
            fields=[name],
            custom_scalars=scalars,
            allow_x00=False,
            print_ast=with_typenames,
            mode=mode,
        )
    )


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@dataclass
class Response:
    status: int
    body: dict[str, Any]


def post_anonymously(document: graphql.DocumentNode) -> Response:
    response = Client().post(
        "/graphql/",
        data={"query": graphql.print_ast(document)},
        content_type="application/json",
    )
    body = response.json() if response.headers.get("Content-Type") == "application/json" else {}
    return Response(response.status_code, body)


def check_anonymous_response(document: graphql.DocumentNode) -> None:
    response = post_anonymously(document)

    assert response.status < 500, (response.status, graphql.print_ast(document))
    errors = response.body.get("errors", [])
    assert all((error.get("extensions") or {}).get("code") for error in errors), errors
    assert staff_only_data(document, response.body.get("data")) == [], graphql.print_ast(document)


def test_the_leak_check_finds_the_staff_data_that_staff_see(staff_client: Client) -> None:
    # given a production, and a request for it in a list and by id next to a title's
    ids = seed_catalog()
    document = with_typenames(
        graphql.parse(
            """query ($production: ID!, $title: ID!) {
                productions(first: 5) { edges { node { budgetUsd title { name } } } }
                production: node(id: $production) { ... on Production { budgetUsd } }
                title: node(id: $title) { ... on Title { name } ... on Production { logline } }
            }"""
        )
    )
    variables = {"production": ids["Production"][0], "title": ids["Title"][0]}

    # when staff and an anonymous caller send it
    staff = graphql_request(staff_client, graphql.print_ast(document), variables)
    anonymous = graphql_request(Client(), graphql.print_ast(document), variables)

    # then the check finds the staff-only data in what staff get, and none in the other
    assert staff_only_data(document, staff["data"]) == [
        "productions on Query",
        "production.budgetUsd on Production",
        "an object of type ProductionConnection",
        "an object of type ProductionEdge",
        "an object of type Production",
        "an object of type Production",
    ]
    assert staff["data"]["title"] == {"__typename": "Title", "name": "Heat"}
    assert anonymous["data"] is None
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


@pytest.mark.slow
def test_generated_queries_and_mutations_never_fail_or_show_staff_data_anonymously(
    db: None,
) -> None:
    ids = seed_catalog()
    rows_before = row_counts()

    @settings(FUZZ_SETTINGS, max_examples=VALID_EXAMPLES)
    @given(operations(ids))
    def anonymous_request(document: graphql.DocumentNode) -> None:
        check_anonymous_response(document)

    anonymous_request()

    assert row_counts() == rows_before, "an anonymous request wrote to the database"


@pytest.mark.slow
def test_documents_that_break_the_schema_are_bad_input_not_server_errors(db: None) -> None:
    ids = seed_catalog()

    @settings(FUZZ_SETTINGS, max_examples=INVALID_EXAMPLES)
    @given(operations(ids, Mode.NEGATIVE))
    def anonymous_request(document: graphql.DocumentNode) -> None:
        response = post_anonymously(document)

        assert response.status < 500, (response.status, graphql.print_ast(document))
        assert response.body["errors"], graphql.print_ast(document)
        assert all(
            error["extensions"]["code"] == "BAD_USER_INPUT" for error in response.body["errors"]
        )
        assert response.body.get("data") is None

    anonymous_request()


@pytest.mark.slow
@pytest.mark.django_db
def test_staff_requests_with_values_at_every_edge_are_answered_or_refused_with_a_code(
    staff_client: Client,
) -> None:
    """Every argument of every query and mutation, as a superuser sends them, with far dates,
    the ends of Int and long, empty and odd text: no server error, no INTERNAL, and no
    statement over the API's timeout (it is a coded TIMEOUT, which fails this too)."""
    ids = seed_catalog()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '10s'")

    @settings(FUZZ_SETTINGS, max_examples=STAFF_EXAMPLES)
    @given(operations(ids, scalars=boundary_scalars(ids)))
    def staff_request(document: graphql.DocumentNode) -> None:
        printed = graphql.print_ast(document)
        # staff_client's user is a superuser: every mutation is open to it
        response = staff_client.post(
            "/graphql/", data={"query": printed}, content_type="application/json"
        )
        assert response.status_code < 500, (response.status_code, printed)
        errors = response.json().get("errors", [])
        codes = [(error.get("extensions") or {}).get("code") for error in errors]
        assert None not in codes, (codes, printed)
        assert "INTERNAL" not in codes, (response.json(), printed)
        assert "TIMEOUT" not in codes, (response.json(), printed)

    staff_request()
