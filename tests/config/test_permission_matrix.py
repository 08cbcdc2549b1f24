"""Who may read and change what: every protected part of the schema, for four callers.

The callers: anonymous, a viewer, another viewer, and staff. The schema says what is
protected (its root fields, its Node types, the types only protected fields reach, the
fields described as staff only); the first tests fail when the schema gains one that this
matrix does not list, the others ask every protected field as every caller.

The production mutations have their own matrix (anonymous, a viewer, staff without the
permission to change productions) in tests/production/test_production_mutations.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from strawberry.relay import to_base64

from audience.models import MyListEntry, Profile, Rating, RatingValue, TastePick, ViewingEvent
from production.tasks import refresh_greenlight_scorecard
from tests.config.surface import (
    described_as_staff_only,
    every_field,
    node_types,
    object_type,
    reachable_types,
    root_fields,
)
from tests.factories import (
    AuditionFactory,
    AvailabilityFactory,
    BudgetLineFactory,
    CastCreditFactory,
    CastingRoleFactory,
    GenreFactory,
    GenreSegmentHoursFactory,
    LocationFactory,
    MarketingMilestoneFactory,
    MyListEntryFactory,
    PersonFactory,
    PostTaskFactory,
    ProductionFactory,
    ProfileFactory,
    RatingFactory,
    RecommendationFactory,
    ReleaseFactory,
    ScoutingVisitFactory,
    ScriptDraftFactory,
    ShootDayFactory,
    StaffUserFactory,
    TitleFactory,
    TitlePopularityFactory,
    Top10EntryFactory,
    TrendingEntryFactory,
    ViewerFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql
from tests.production.test_production_mutations import MUTATIONS as PRODUCTION_MUTATIONS

CALLERS = ("anonymous", "viewer", "other viewer", "staff")
# What each caller gets: None, the data; otherwise the error code.
Rule = dict[str, str | None]
STAFF_ONLY: Rule = {
    "anonymous": "UNAUTHENTICATED",
    "viewer": "FORBIDDEN",
    "other viewer": "FORBIDDEN",
    "staff": None,
}
# The viewer's profile and everything in it: its account's, and staff's.
THE_VIEWERS_OWN: Rule = {
    "anonymous": "UNAUTHENTICATED",
    "viewer": None,
    "other viewer": "FORBIDDEN",
    "staff": None,
}
# Anyone signed in, each about their own account.
SIGNED_IN: Rule = {
    "anonymous": "UNAUTHENTICATED",
    "viewer": None,
    "other viewer": None,
    "staff": None,
}

# The catalog and its public charts: anyone, signed in or not.
PUBLIC_QUERIES = {
    "node",
    "nodes",
    "title",
    "person",
    "titles",
    "search",
    "people",
    "genres",
    "top10",
    "trending",
    "_entities",
    "_service",
}
PUBLIC_NODE_TYPES = {"Title", "Person", "Credit", "Genre"}
# A title in production is confidential: staff alone see it and its credits.
CONFIDENTIAL_TITLE = "Night Train"
AUDIENCE_MUTATIONS = {
    "createProfile",
    "recordViewingEvents",
    "rateTitle",
    "addToMyList",
    "removeFromMyList",
    "chooseTitles",
}
# Reached only through protected root fields and hidden nodes.
PRIVATE_TYPES = {
    # a viewer profile's data
    "Profile",
    "ContinueWatching",
    "Recommendation",
    "RecommendationReason",
    "Rating",
    "RatingConnection",
    "RatingEdge",
    "MyListEntry",
    "MyListEntryConnection",
    "MyListEntryEdge",
    "Home",
    "HomeRow",
    "HomeItem",
    "RecordViewingEventsPayload",
    "ViewingEventError",
    # audience insights
    "GenreAffinity",
    # productions and their work
    "Production",
    "ProductionConnection",
    "ProductionEdge",
    "StageTransition",
    "TargetSegment",
    "ScriptDraft",
    "CastingRole",
    "Audition",
    "CastingInsight",
    "Location",
    "ScoutingVisit",
    "ShootDay",
    "PostTask",
    "MarketingMilestone",
    "Release",
    "BudgetCategory",
    "BudgetSummary",
    # the greenlight scorecard
    "GreenlightScorecard",
    "GreenlightFigure",
    "GreenlightFigureInput",
    "GreenlightDemand",
    "GreenlightSegmentDemand",
    "GreenlightGenreDemand",
    "GreenlightViewersLikeThese",
    "GreenlightComparables",
    "GreenlightComparable",
    "GreenlightTalent",
    "TalentRecord",
    "TrackRecordTitle",
    "GreenlightBudget",
    "GreenlightMethod",
    "GreenlightSectionWeight",
    "GreenlightTrackRecord",
    "GreenlightCalibrationBand",
}
STAFF_ONLY_FIELDS = {
    "Production",
    "Production.budgetUsd",
    "Query.genreAffinity",
    "Query.productions",
    "Query.production",
    *(f"Mutation.{name}" for name in PRODUCTION_MUTATIONS),
}


def gid(type_name: str, obj: Any) -> str:
    return to_base64(type_name, obj.pk)


# ---------------------------------------------------------------------------------------
# The schema's protected surface, and this matrix, agree


def public_types() -> set[str]:
    query = root_fields("Query")
    return reachable_types([query[name] for name in PUBLIC_QUERIES], nodes=PUBLIC_NODE_TYPES)


def test_every_root_field_is_public_or_in_the_matrix() -> None:
    assert set(root_fields("Query")) == PUBLIC_QUERIES | set(PROTECTED_QUERIES)
    assert set(root_fields("Mutation")) == AUDIENCE_MUTATIONS | set(PRODUCTION_MUTATIONS)


def test_every_node_type_is_public_or_in_the_matrix() -> None:
    assert node_types() == PUBLIC_NODE_TYPES | set(HIDDEN_NODES)


def test_every_field_described_as_staff_only_is_in_the_matrix() -> None:
    assert described_as_staff_only() == STAFF_ONLY_FIELDS


def test_a_titles_budget_stays_out_of_the_api() -> None:
    """Title.budget_usd is for staff in the admin; the public Title type has no such field."""
    assert not {"budget", "budgetUsd"} & set(object_type("Title").fields)


def test_no_public_field_reaches_a_private_type() -> None:
    query, mutation = root_fields("Query"), root_fields("Mutation")
    protected = [query[name] for name in PROTECTED_QUERIES] + list(mutation.values())
    reached = reachable_types(protected, nodes=set(HIDDEN_NODES))

    # A private type a public field reached would leave this set; a new one would join it.
    assert reached - public_types() == PRIVATE_TYPES


# ---------------------------------------------------------------------------------------
# The data every caller asks about


@dataclass
class World:
    accounts: dict[str, Any]
    profile: Any  # the viewer's
    other_profile: Any
    heat: Any
    ronin: Any
    rating: Any
    entry: Any
    production: Any
    nodes: dict[str, Any]

    def client(self, caller: str) -> Client:
        return client_of(self.accounts[caller])


@pytest.fixture(autouse=True)
def room_for_every_field(settings: Any) -> None:
    """The matrix asks for every field of a type in one request, over the cost and token
    limits a front end keeps to (their own tests check them); the depth limit stays."""
    settings.GRAPHQL_MAX_COST = 10_000_000
    settings.GRAPHQL_MAX_TOKENS = 50_000


@pytest.fixture
def world(db: None) -> World:
    viewer, other_viewer = ViewerFactory(), ViewerFactory()
    profile = ProfileFactory(account=viewer, name="Kids")
    other_profile = ProfileFactory(account=other_viewer, name="Grown-ups")
    drama = GenreFactory(name="Drama")
    heat = TitleFactory(name="Heat", genres=[drama])
    ronin = TitleFactory(name="Ronin", genres=[drama])
    for title in (heat, ronin):
        AvailabilityFactory(title=title, region="US")
    rating = RatingFactory(profile=profile, title=heat, value=RatingValue.LOVE)
    RatingFactory(profile=other_profile, title=heat, value=RatingValue.THUMBS_DOWN)
    entry = MyListEntryFactory(profile=profile, title=heat)
    MyListEntryFactory(profile=other_profile, title=ronin)
    ViewingEventFactory(profile=profile, title=heat, seconds_watched=600)
    ViewingEventFactory(profile=other_profile, title=ronin, seconds_watched=600)
    RecommendationFactory(profile=profile, title=ronin, because_you_watched=heat, rank=1)
    RecommendationFactory(profile=other_profile, title=heat, because_you_watched=ronin, rank=1)
    GenreSegmentHoursFactory(genre=drama, seconds_viewed=7200)
    Top10EntryFactory(title=heat, region="US", rank=1)
    TrendingEntryFactory(title=heat, region="US", rank=1)
    TitlePopularityFactory(title=ronin, region="US")

    production = ProductionFactory(
        title__name=CONFIDENTIAL_TITLE, logline="A heist goes wrong.", budget_usd=20_000_000
    )
    person = PersonFactory(name="Pat Actor")
    CastCreditFactory(title=heat, person=person)
    role = CastingRoleFactory(production=production, character="Conductor", cast_person=person)
    CastCreditFactory(title=production.title, person=person, character="Conductor")
    location = LocationFactory(production=production, name="Old mill")
    ScoutingVisitFactory(location=location)
    BudgetLineFactory(production=production, category="Cast", planned_usd=5_000_000)
    MarketingMilestoneFactory(production=production)
    ReleaseFactory(production=production)
    refresh_greenlight_scorecard.apply(args=[production.pk])
    hidden = {
        "Profile": profile,
        "Rating": rating,
        "MyListEntry": entry,
        "Production": production,
        "ScriptDraft": ScriptDraftFactory(production=production),
        "CastingRole": role,
        "Audition": AuditionFactory(role=role, person=person),
        "Location": location,
        "ShootDay": ShootDayFactory(production=production, location=location),
        "PostTask": PostTaskFactory(production=production, assignee=person),
    }
    return World(
        accounts={
            "anonymous": None,
            "viewer": viewer,
            "other viewer": other_viewer,
            "staff": StaffUserFactory(),
        },
        profile=profile,
        other_profile=other_profile,
        heat=heat,
        ronin=ronin,
        rating=rating,
        entry=entry,
        production=production,
        nodes=hidden,
    )


def asked_by(world: World, caller: str, document: str, variables: dict[str, Any]) -> Any:
    return graphql(world.client(caller), document, variables)


def assert_refused(body: dict[str, Any], code: str) -> None:
    assert error_codes(body) == [code], body
    assert body["data"] is None


# ---------------------------------------------------------------------------------------
# Protected root fields: every field beneath them, as every caller


@dataclass(frozen=True)
class RootCase:
    rule: Rule
    returns: str  # the named type of the field
    arguments: str
    variables: Callable[[World], dict[str, Any]]
    served: Callable[[World, str, Any], None]  # checks what an allowed caller got


def served_profile(world: World, caller: str, profile: Any) -> None:
    assert profile["name"] == "Kids"
    ratings = [edge["node"] for edge in profile["ratings"]["edges"]]
    assert [(rating["title"]["name"], rating["rating"]) for rating in ratings] == [("Heat", "LOVE")]
    assert [edge["node"]["title"]["name"] for edge in profile["myList"]["edges"]] == ["Heat"]
    assert [row["title"]["name"] for row in profile["continueWatching"]] == ["Heat"]
    assert [pick["title"]["name"] for pick in profile["recommendations"]] == ["Ronin"]


def served_home(world: World, caller: str, home: Any) -> None:
    continue_watching = home["rows"][0]
    assert continue_watching["kind"] == "CONTINUE_WATCHING"
    assert [item["title"]["name"] for item in continue_watching["items"]] == ["Heat"]


def served_my_profiles(world: World, caller: str, profiles: Any) -> None:
    own = {"viewer": ["Kids"], "other viewer": ["Grown-ups"], "staff": []}[caller]
    assert [profile["name"] for profile in profiles] == own


def served_onboarding_titles(world: World, caller: str, titles: Any) -> None:
    # Heat the profile watched; Ronin it has not.
    assert [title["name"] for title in titles] == ["Ronin"]


def served_genre_affinity(world: World, caller: str, rows: Any) -> None:
    assert [(row["genre"]["name"], row["hoursViewed"]) for row in rows] == [("Drama", 2.0)]


def served_production(world: World, caller: str, production: Any) -> None:
    assert production["logline"] == "A heist goes wrong."
    assert production["budgetUsd"] == 20_000_000
    assert production["budget"]["plannedUsd"] == 5_000_000
    assert [role["character"] for role in production["roles"]] == ["Conductor"]
    assert [day["location"]["name"] for day in production["schedule"]] == ["Old mill"]
    assert production["greenlight"]["recommendation"] in {"GREENLIGHT", "DEVELOP", "PASS"}


def served_productions(world: World, caller: str, connection: Any) -> None:
    assert connection["totalCount"] == 1
    served_production(world, caller, connection["edges"][0]["node"])


PROTECTED_QUERIES: dict[str, RootCase] = {
    "profile": RootCase(
        THE_VIEWERS_OWN,
        "Profile",
        "(id: $id)",
        lambda world: {"id": gid("Profile", world.profile)},
        served_profile,
    ),
    "home": RootCase(
        THE_VIEWERS_OWN,
        "Home",
        "(profileId: $id)",
        lambda world: {"id": gid("Profile", world.profile)},
        served_home,
    ),
    "onboardingTitles": RootCase(
        THE_VIEWERS_OWN,
        "Title",
        "(profileId: $id)",
        lambda world: {"id": gid("Profile", world.profile)},
        served_onboarding_titles,
    ),
    "myProfiles": RootCase(SIGNED_IN, "Profile", "", lambda world: {}, served_my_profiles),
    "genreAffinity": RootCase(
        STAFF_ONLY, "GenreAffinity", "", lambda world: {}, served_genre_affinity
    ),
    "production": RootCase(
        STAFF_ONLY,
        "Production",
        "(id: $id)",
        lambda world: {"id": gid("Production", world.production)},
        served_production,
    ),
    "productions": RootCase(
        STAFF_ONLY,
        "ProductionConnection",
        "(first: 5)",
        lambda world: {},
        served_productions,
    ),
}


def every_field_of(root: str, case: RootCase) -> str:
    public = public_types()
    selection = every_field(case.returns, expand=lambda name: name not in public)
    declaration = "($id: ID!)" if "$id" in case.arguments else ""
    return f"query {declaration} {{ {root}{case.arguments} {selection} }}"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("root", list(PROTECTED_QUERIES))
def test_a_protected_query_serves_every_field_only_to_whom_it_may(
    world: World, root: str, caller: str
) -> None:
    case = PROTECTED_QUERIES[root]

    body = asked_by(world, caller, every_field_of(root, case), case.variables(world))

    code = case.rule[caller]
    if code is None:
        assert "errors" not in body, body["errors"]
        case.served(world, caller, body["data"][root])
    else:
        assert_refused(body, code)


# ---------------------------------------------------------------------------------------
# The public catalog: every field, to anonymous callers


def public_selection(type_name: str, *, depth: int = 2) -> str:
    public = public_types()
    return every_field(type_name, expand=lambda name: name in public, depth=depth)


# Per public root field: its arguments, the type it returns, and a value it must show.
PUBLIC_QUERY_CASES: dict[str, tuple[str, str, str]] = {
    "node": ("(id: $title)", "Title", "Heat"),
    "nodes": ("(ids: [$title])", "Title", "Heat"),
    "title": ("(id: $title)", "Title", "Heat"),
    "person": ("(id: $person)", "Person", "Pat Actor"),
    "titles": ("(first: 5)", "TitleConnection", "Heat"),
    "search": ('(query: "heat", first: 5)', "TitleConnection", "Heat"),
    "people": ("(first: 5)", "PersonConnection", "Pat Actor"),
    "genres": ("", "Genre", "Drama"),
    "top10": ('(kind: FILMS, region: "US")', "Top10List", "Heat"),
    "trending": ('(region: "US")', "TrendingEntry", "Heat"),
    "_entities": ('(representations: [{__typename: "Title", id: $title}])', "Title", "Heat"),
    "_service": ("", "_Service", "type Title"),
}
THROUGH_AN_INTERFACE = {"node", "nodes", "_entities"}


def test_every_public_query_is_in_the_catalog_matrix() -> None:
    assert set(PUBLIC_QUERY_CASES) == PUBLIC_QUERIES


@pytest.mark.parametrize("root", sorted(PUBLIC_QUERY_CASES))
def test_anonymous_callers_read_every_field_of_the_public_catalog(world: World, root: str) -> None:
    arguments, returns, shown = PUBLIC_QUERY_CASES[root]
    if root in THROUGH_AN_INTERFACE:
        selection = f"{{ ... on Title {public_selection(returns, depth=3)} }}"
    else:
        selection = public_selection(returns)
    variables = {
        "title": gid("Title", world.heat),
        "person": gid("Person", world.heat.credits.get().person),
    }
    used = {name: value for name, value in variables.items() if f"${name}" in arguments}
    declarations = ", ".join(f"${name}: ID!" for name in used)
    document = f"query ({declarations}) {{ {root}{arguments} {selection} }}".replace("()", "")

    data = data_of(world.client("anonymous"), document, used)

    assert shown in json.dumps(data[root])
    assert CONFIDENTIAL_TITLE not in json.dumps(data[root])


# ---------------------------------------------------------------------------------------
# node(id:) and nodes(ids:): a hidden object is null, never an error that confirms it

HIDDEN_NODES: dict[str, Rule] = {
    "Profile": THE_VIEWERS_OWN,
    "Rating": THE_VIEWERS_OWN,
    "MyListEntry": THE_VIEWERS_OWN,
    "Production": STAFF_ONLY,
    "ScriptDraft": STAFF_ONLY,
    "CastingRole": STAFF_ONLY,
    "Audition": STAFF_ONLY,
    "Location": STAFF_ONLY,
    "ShootDay": STAFF_ONLY,
    "PostTask": STAFF_ONLY,
}


def node_document(type_name: str) -> str:
    public = public_types()
    selection = every_field(type_name, expand=lambda name: name not in public, depth=2)
    return f"""
    query ($id: ID!) {{
      node(id: $id) {{ __typename ... on {type_name} {selection} }}
      nodes(ids: [$id]) {{ __typename ... on {type_name} {{ id }} }}
    }}
    """


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("type_name", list(HIDDEN_NODES))
def test_node_shows_a_hidden_object_only_to_whom_it_may(
    world: World, type_name: str, caller: str
) -> None:
    node_id = gid(type_name, world.nodes[type_name])

    data = data_of(world.client(caller), node_document(type_name), {"id": node_id})

    if HIDDEN_NODES[type_name][caller] is None:
        assert data["node"]["__typename"] == type_name
        assert data["node"]["id"] == node_id
        assert data["nodes"] == [{"__typename": type_name, "id": node_id}]
    else:
        assert data == {"node": None, "nodes": [None]}


@pytest.mark.parametrize("type_name", sorted(PUBLIC_NODE_TYPES))
def test_node_shows_the_catalog_to_anyone(world: World, type_name: str) -> None:
    objects = {
        "Title": world.heat,
        "Genre": world.heat.genres.get(),
        "Credit": world.heat.credits.get(),
        "Person": world.heat.credits.get().person,
    }
    node_id = gid(type_name, objects[type_name])

    data = data_of(world.client("anonymous"), node_document(type_name), {"id": node_id})

    assert data["node"]["id"] == node_id
    assert data["nodes"] == [{"__typename": type_name, "id": node_id}]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("type_name", ["Title", "Credit"])
def test_node_shows_a_title_in_production_and_its_credits_to_staff_alone(
    world: World, type_name: str, caller: str
) -> None:
    title = world.production.title
    node_id = gid(type_name, title if type_name == "Title" else title.credits.get())

    data = data_of(world.client(caller), node_document(type_name), {"id": node_id})

    if STAFF_ONLY[caller] is None:
        assert data["node"]["id"] == node_id
        assert data["nodes"] == [{"__typename": type_name, "id": node_id}]
    else:
        assert data == {"node": None, "nodes": [None]}


def test_the_typed_lookups_refuse_the_id_of_a_hidden_object(world: World) -> None:
    profile_id = gid("Profile", world.profile)
    anonymous = world.client("anonymous")

    title = graphql(anonymous, "query ($id: ID!) { title(id: $id) { name } }", {"id": profile_id})
    person = graphql(anonymous, "query ($id: ID!) { person(id: $id) { name } }", {"id": profile_id})

    assert error_codes(title) == ["BAD_USER_INPUT"]
    assert error_codes(person) == ["BAD_USER_INPUT"]
    assert title["data"] == {"title": None}
    assert person["data"] == {"person": None}


def test_entities_resolve_the_catalog_and_refuse_anything_else(world: World) -> None:
    document = """
    query ($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on Title { name } }
    }
    """
    representations = [
        {"__typename": "Title", "id": gid("Title", world.heat)},
        {"__typename": "Profile", "id": gid("Profile", world.profile)},
    ]

    body = graphql(world.client("other viewer"), document, {"representations": representations})

    assert body["data"]["_entities"] == [{"name": "Heat"}, None]
    assert error_codes(body) == ["BAD_USER_INPUT"]


# ---------------------------------------------------------------------------------------
# Nesting and foreign keys: a visible object never brings a hidden row along


NESTED = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Profile {
      name
      ratings(first: 10) { totalCount edges { node { rating title { name } } } }
      myList(first: 10) { totalCount edges { node { title { name } } } }
      continueWatching { title { name } }
      recommendations { title { name } reason { becauseYouWatched { name } } }
    }
    ... on Rating { title { name } }
  }
}
"""


def test_a_profiles_rows_are_its_own_though_others_have_rows_on_the_same_titles(
    world: World,
) -> None:
    ids = [
        gid("Profile", world.other_profile),
        gid("Profile", world.profile),
        gid("Rating", world.rating),
    ]

    data = data_of(world.client("other viewer"), NESTED, {"ids": ids})

    own, viewers_profile, viewers_rating = data["nodes"]
    assert own == {
        "name": "Grown-ups",
        "ratings": {
            "totalCount": 1,
            "edges": [{"node": {"rating": "THUMBS_DOWN", "title": {"name": "Heat"}}}],
        },
        "myList": {"totalCount": 1, "edges": [{"node": {"title": {"name": "Ronin"}}}]},
        "continueWatching": [{"title": {"name": "Ronin"}}],
        "recommendations": [
            {"title": {"name": "Heat"}, "reason": {"becauseYouWatched": {"name": "Ronin"}}}
        ],
    }
    assert viewers_profile is None
    assert viewers_rating is None


def test_staff_see_a_profiles_rows_and_no_other_profiles(world: World) -> None:
    data = data_of(world.client("staff"), NESTED, {"ids": [gid("Profile", world.profile)]})

    (profile,) = data["nodes"]
    assert profile["ratings"]["totalCount"] == 1
    assert profile["ratings"]["edges"][0]["node"]["rating"] == "LOVE"
    assert [edge["node"]["title"]["name"] for edge in profile["myList"]["edges"]] == ["Heat"]


FOREIGN_KEYS = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on ShootDay { location { name visits { visitedOn } } }
    ... on Audition { person { name } }
    ... on PostTask { assignee { name } }
  }
}
"""


@pytest.mark.parametrize("caller", CALLERS)
def test_a_foreign_key_to_a_staff_only_row_is_followed_for_staff_alone(
    world: World, caller: str
) -> None:
    """The optimizer follows a shoot day's location (a prefetch through the location type's
    own queryset, which hides it from all but staff), an audition's person and a post task's
    assignee: staff get the related rows, everyone else a null node and nothing of them."""
    ids = [gid(name, world.nodes[name]) for name in ("ShootDay", "Audition", "PostTask")]

    data = data_of(world.client(caller), FOREIGN_KEYS, {"ids": ids})

    if STAFF_ONLY[caller] is None:
        shoot_day, audition, post_task = data["nodes"]
        assert shoot_day["location"]["name"] == "Old mill"
        assert len(shoot_day["location"]["visits"]) == 1
        assert audition == {"person": {"name": "Pat Actor"}}
        assert post_task == {"assignee": {"name": "Pat Actor"}}
    else:
        assert data["nodes"] == [None, None, None]


# ---------------------------------------------------------------------------------------
# The viewers' mutations, on the viewer's profile


@dataclass(frozen=True)
class MutationCase:
    document: str
    variables: Callable[[World], dict[str, Any]]
    done: Callable[[World], bool]  # whether the write happened
    refusal: Callable[[dict[str, Any]], list[str]] = error_codes
    rule: Rule = field(default_factory=lambda: THE_VIEWERS_OWN)


def rejected_events(body: dict[str, Any]) -> list[str]:
    """recordViewingEvents refuses a signed-in caller per event, and anonymous ones whole."""
    if body.get("data") and body["data"]["recordViewingEvents"]:
        return [error["code"] for error in body["data"]["recordViewingEvents"]["errors"]]
    return error_codes(body)


def new_event(world: World) -> dict[str, Any]:
    return {
        "events": [
            {
                "profileId": gid("Profile", world.profile),
                "titleId": gid("Title", world.heat),
                "startedAt": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
                "secondsWatched": 900,
                "device": "TV",
                "clientEventId": str(uuid.uuid4()),
            }
        ]
    }


AUDIENCE_MUTATION_CASES: dict[str, MutationCase] = {
    "createProfile": MutationCase(
        """mutation {
          createProfile(name: "Guests", region: "US", ageBand: ADULT) { name }
        }""",
        lambda world: {},
        lambda world: Profile.objects.filter(name="Guests").exists(),
        rule=SIGNED_IN,
    ),
    "chooseTitles": MutationCase(
        """mutation ($profileId: ID!, $titleIds: [ID!]!) {
          chooseTitles(profileId: $profileId, titleIds: $titleIds) { name }
        }""",
        lambda world: {
            "profileId": gid("Profile", world.profile),
            "titleIds": [gid("Title", world.ronin)],
        },
        lambda world: TastePick.objects.filter(profile_id=world.profile.pk).exists(),
    ),
    "recordViewingEvents": MutationCase(
        """mutation ($events: [ViewingEventInput!]!) {
          recordViewingEvents(events: $events) { accepted errors { code } }
        }""",
        new_event,
        lambda world: ViewingEvent.objects.filter(seconds_watched=900).exists(),
        rejected_events,
    ),
    "rateTitle": MutationCase(
        """mutation ($profileId: ID!, $titleId: ID!) {
          rateTitle(profileId: $profileId, titleId: $titleId, rating: THUMBS_DOWN) { rating }
        }""",
        lambda world: {
            "profileId": gid("Profile", world.profile),
            "titleId": gid("Title", world.heat),
        },
        lambda world: Rating.objects.get(pk=world.rating.pk).value == RatingValue.THUMBS_DOWN,
    ),
    "addToMyList": MutationCase(
        """mutation ($profileId: ID!, $titleId: ID!) {
          addToMyList(profileId: $profileId, titleId: $titleId) { title { name } }
        }""",
        lambda world: {
            "profileId": gid("Profile", world.profile),
            "titleId": gid("Title", TitleFactory(name="Thief")),
        },
        lambda world: MyListEntry.objects.filter(
            profile=world.profile, title__name="Thief"
        ).exists(),
    ),
    "removeFromMyList": MutationCase(
        """mutation ($profileId: ID!, $titleId: ID!) {
          removeFromMyList(profileId: $profileId, titleId: $titleId)
        }""",
        lambda world: {
            "profileId": gid("Profile", world.profile),
            "titleId": gid("Title", world.heat),
        },
        lambda world: not MyListEntry.objects.filter(pk=world.entry.pk).exists(),
    ),
}


def test_every_audience_mutation_is_in_the_matrix() -> None:
    assert set(AUDIENCE_MUTATION_CASES) == AUDIENCE_MUTATIONS


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("mutation", sorted(AUDIENCE_MUTATIONS))
def test_only_the_account_and_staff_change_a_profile(
    world: World, mutation: str, caller: str
) -> None:
    case = AUDIENCE_MUTATION_CASES[mutation]

    body = asked_by(world, caller, case.document, case.variables(world))

    code = case.rule[caller]
    if code is None:
        assert "errors" not in body, body["errors"]
        assert case.refusal(body) == []
        assert case.done(world)
    else:
        assert case.refusal(body) == [code]
        assert not case.done(world)
