"""The staff API's writes: a production from development to released over GraphQL, who may
write, and bad input that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.test import Client
from strawberry.relay import to_base64

from catalog.models import Availability, Credit, RoleType, Title, TitleKind, TitleStatus
from production.models import Production, Stage
from tests.factories import (
    AuditionFactory,
    BudgetLineFactory,
    CastingRoleFactory,
    EpisodeFactory,
    GenreFactory,
    LocationFactory,
    PersonFactory,
    PostTaskFactory,
    ProductionFactory,
    ScriptDraftFactory,
    ShootDayFactory,
    StaffUserFactory,
    TitleFactory,
    ViewerFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

TODAY = datetime.now(UTC).date()


def gid(type_name: str, obj: Any) -> str:
    return to_base64(type_name, obj.pk)


def production_rows() -> dict[str, int]:
    """How many rows each production table holds: a failed write leaves them as they were."""
    counts = {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("production").get_models()
    }
    counts["Credit"] = Credit.objects.count()
    counts["Availability"] = Availability.objects.count()
    return counts


def one_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None or all(value is None for value in body["data"].values()), body
    (error,) = body["errors"]
    return {"code": error["extensions"]["code"], "field": error["extensions"].get("field")}


# ---------------------------------------------------------------------------------------
# Documents

CREATE = """
mutation ($input: CreateProductionInput!) {
  createProduction(input: $input) {
    id stage version logline budgetUsd title { name }
    targetSegments { region ageBand }
  }
}
"""
UPDATE = """
mutation ($input: UpdateProductionInput!) {
  updateProduction(input: $input) { logline budgetUsd targetSegments { region ageBand } }
}
"""
BUDGET = """
mutation ($id: ID!, $category: String!, $planned: Int!, $actual: Int!) {
  setBudgetLine(productionId: $id, category: $category, plannedUsd: $planned, actualUsd: $actual) {
    category plannedUsd actualUsd isOver
  }
}
"""
SUBMIT_DRAFT = """
mutation ($input: SubmitScriptDraftInput!) {
  submitScriptDraft(input: $input) { id number revisionLabel pageCount authors { name } approvedOn }
}
"""
APPROVE_DRAFT = """
mutation ($id: ID!, $on: Date) { approveScriptDraft(draftId: $id, approvedOn: $on) { approvedOn } }
"""
ADVANCE = """
mutation ($id: ID!, $expected: ProductionStage) {
  advanceStage(productionId: $id, expectedStage: $expected) { stage version }
}
"""
REVERT = """
mutation ($id: ID!, $reason: String!) {
  revertStage(productionId: $id, reason: $reason) { stage history { fromStage toStage reason } }
}
"""
CANCEL = """
mutation ($id: ID!, $reason: String!) {
  cancelProduction(productionId: $id, reason: $reason) { stage }
}
"""
ADD_ROLE = """
mutation ($id: ID!, $character: String!, $lead: Boolean!) {
  addCastingRole(productionId: $id, character: $character, isLead: $lead) { id character isLead }
}
"""
AUDITION = """
mutation ($input: ScheduleAuditionInput!) {
  scheduleAudition(input: $input) { id person { name } outcome }
}
"""
OUTCOME = """
mutation ($id: ID!, $outcome: AuditionOutcome!) {
  recordAuditionOutcome(auditionId: $id, outcome: $outcome) { outcome }
}
"""
CAST = """
mutation ($role: ID!, $person: ID!) {
  castRole(roleId: $role, personId: $person) { character castPerson { name } auditions { outcome } }
}
"""
ADD_LOCATION = """
mutation ($input: AddLocationInput!) {
  addLocation(input: $input) { id name kind status latitude longitude dailyCostUsd }
}
"""
VISIT = """
mutation ($id: ID!, $on: Date!, $notes: String!) {
  recordScoutingVisit(locationId: $id, visitedOn: $on, notes: $notes) { visitedOn notes }
}
"""
APPROVE_LOCATION = """
mutation ($id: ID!) { approveLocation(locationId: $id) { status visits { visitedOn } } }
"""
SHOOT_DAY = """
mutation ($input: ScheduleShootDayInput!) {
  scheduleShootDay(input: $input) { id date callTime status location { name } }
}
"""
WRAP = """
mutation ($id: ID!, $at: Time!) { wrapShootDay(shootDayId: $id, wrapTime: $at) { status wrapTime } }
"""
ADD_TASK = """
mutation ($input: AddPostTaskInput!) {
  addPostTask(input: $input) { id kind status assignee { name } dueOn }
}
"""
COMPLETE_TASK = """
mutation ($id: ID!) { completePostTask(taskId: $id) { status } }
"""
RELEASE = """
mutation ($input: ReleaseTitleInput!) {
  releaseTitle(input: $input) {
    stage release { releaseOn regions }
    title { status }
    history { fromStage toStage movedBy }
  }
}
"""


def run(client: Client, document: str, **variables: Any) -> dict[str, Any]:
    """The one field a mutation returns, asserting it succeeded."""
    (value,) = data_of(client, document, variables).values()
    result: dict[str, Any] = value
    return result


# ---------------------------------------------------------------------------------------
# From development to released, one mutation at a time


@pytest.mark.django_db
def test_staff_take_a_production_from_development_to_released_through_the_api() -> None:
    staff = StaffUserFactory(username="line-producer")
    client = client_of(staff)
    title: Title = TitleFactory(
        name="Night Train", status=TitleStatus.ANNOUNCED, genres=[GenreFactory()]
    )
    writer, ann, bo, editor = (PersonFactory(name=name) for name in ("Wes", "Ann", "Bo", "Eda"))

    production = run(
        client,
        CREATE,
        input={
            "titleId": gid("Title", title),
            "logline": "  A night train never arrives. ",
            "budgetUsd": 12_000_000,
            "targetSegments": [{"region": "us", "ageBand": "ADULT"}, {"region": "GB"}],
        },
    )
    assert production | {"id": None} == {
        "id": None,
        "stage": "DEVELOPMENT",
        "version": 0,
        "logline": "A night train never arrives.",
        "budgetUsd": 12_000_000,
        "title": {"name": "Night Train"},
        "targetSegments": [{"region": "GB", "ageBand": ""}, {"region": "US", "ageBand": "25-34"}],
    }
    title.refresh_from_db()
    assert title.status == TitleStatus.IN_PRODUCTION
    pid = production["id"]

    draft = run(
        client,
        SUBMIT_DRAFT,
        input={
            "productionId": pid,
            "revisionLabel": "White",
            "authorIds": [gid("Person", writer)],
            "pageCount": 104,
            "submittedOn": (TODAY - timedelta(days=9)).isoformat(),
        },
    )
    assert (draft["number"], draft["authors"], draft["approvedOn"]) == (1, [{"name": "Wes"}], None)
    assert run(client, APPROVE_DRAFT, id=draft["id"])["approvedOn"] == TODAY.isoformat()
    assert run(client, ADVANCE, id=pid, expected="DEVELOPMENT") == {
        "stage": "CASTING",
        "version": 1,
    }

    role = run(client, ADD_ROLE, id=pid, character="Conductor", lead=True)
    first = run(
        client,
        AUDITION,
        input={
            "roleId": role["id"],
            "personId": gid("Person", ann),
            "scheduledAt": "2026-11-02T10:00:00+00:00",
        },
    )
    second = run(
        client,
        AUDITION,
        input={
            "roleId": role["id"],
            "personId": gid("Person", bo),
            "scheduledAt": "2026-11-02T11:00:00+00:00",
        },
    )
    assert run(client, OUTCOME, id=second["id"], outcome="REJECTED") == {"outcome": "REJECTED"}
    assert run(client, OUTCOME, id=first["id"], outcome="CALLBACK") == {"outcome": "CALLBACK"}
    assert run(client, CAST, role=role["id"], person=gid("Person", ann)) == {
        "character": "Conductor",
        "castPerson": {"name": "Ann"},
        "auditions": [{"outcome": "OFFERED"}, {"outcome": "REJECTED"}],
    }
    assert run(client, ADVANCE, id=pid)["stage"] == "LOCATION_SCOUTING"

    station = run(
        client,
        ADD_LOCATION,
        input={
            "productionId": pid,
            "name": "Old station",
            "kind": "ON_LOCATION",
            "latitude": 51.53081,
            "longitude": -0.12304,
            "dailyCostUsd": 8_000,
        },
    )
    assert (station["status"], station["latitude"], station["longitude"]) == (
        "CANDIDATE",
        51.53081,
        -0.12304,
    )
    run(client, VISIT, id=station["id"], on=TODAY.isoformat(), notes="Platform 2 is free")
    assert run(client, APPROVE_LOCATION, id=station["id"]) == {
        "status": "APPROVED",
        "visits": [{"visitedOn": TODAY.isoformat()}],
    }
    day = run(
        client,
        SHOOT_DAY,
        input={
            "productionId": pid,
            "locationId": station["id"],
            "date": (TODAY + timedelta(days=3)).isoformat(),
            "callTime": "06:30:00",
            "scenes": "1, 2A",
        },
    )
    assert (day["status"], day["location"]) == ("SCHEDULED", {"name": "Old station"})
    assert run(client, ADVANCE, id=pid)["stage"] == "SHOOTING"

    assert run(client, WRAP, id=day["id"], at="19:45:00") == {
        "status": "WRAPPED",
        "wrapTime": "19:45:00",
    }
    assert run(client, ADVANCE, id=pid)["stage"] == "POST_PRODUCTION"

    task = run(
        client,
        ADD_TASK,
        input={"productionId": pid, "kind": "EDIT", "assigneeId": gid("Person", editor)},
    )
    assert (task["status"], task["assignee"]) == ("TODO", {"name": "Eda"})
    assert run(client, COMPLETE_TASK, id=task["id"]) == {"status": "DONE"}
    assert run(client, ADVANCE, id=pid)["stage"] == "MARKETING"

    released = run(
        client,
        RELEASE,
        input={
            "productionId": pid,
            "releaseOn": TODAY.isoformat(),
            "regions": ["us", "GB", "US"],
            "expectedStage": "MARKETING",
        },
    )
    assert released["stage"] == "RELEASED"
    assert released["release"] == {"releaseOn": TODAY.isoformat(), "regions": ["US", "GB"]}
    assert released["title"] == {"status": "RELEASED"}
    assert [(move["fromStage"], move["toStage"]) for move in released["history"]] == [
        ("DEVELOPMENT", "CASTING"),
        ("CASTING", "LOCATION_SCOUTING"),
        ("LOCATION_SCOUTING", "SHOOTING"),
        ("SHOOTING", "POST_PRODUCTION"),
        ("POST_PRODUCTION", "MARKETING"),
        ("MARKETING", "RELEASED"),
    ]
    assert {move["movedBy"] for move in released["history"]} == {"line-producer"}
    assert sorted(Availability.objects.filter(title=title).values_list("region", flat=True)) == [
        "GB",
        "US",
    ]
    credit = Credit.objects.get(title=title)
    assert (credit.person, credit.role_type, credit.character) == (ann, RoleType.CAST, "Conductor")


@pytest.mark.django_db
def test_the_budget_and_target_segments_can_be_changed() -> None:
    client = client_of(StaffUserFactory())
    production = ProductionFactory(budget_usd=5_000_000)
    pid = gid("Production", production)

    updated = run(
        client,
        UPDATE,
        input={"productionId": pid, "budgetUsd": 6_000_000, "targetSegments": [{"region": "de"}]},
    )
    line = run(client, BUDGET, id=pid, category="Cast", planned=1_000, actual=1_500)
    again = run(client, BUDGET, id=pid, category="Cast", planned=2_000, actual=1_500)

    assert updated == {
        "logline": production.logline,
        "budgetUsd": 6_000_000,
        "targetSegments": [{"region": "DE", "ageBand": ""}],
    }
    assert line == {"category": "Cast", "plannedUsd": 1_000, "actualUsd": 1_500, "isOver": True}
    assert again["isOver"] is False
    assert production.budget_lines.count() == 1


@pytest.mark.django_db
def test_a_budget_of_two_billion_in_all_shows_exactly_in_the_staff_list() -> None:
    client = client_of(StaffUserFactory())
    production = ProductionFactory(budget_usd=2_000_000_000)
    pid = gid("Production", production)
    for category in ("Cast", "Effects"):
        run(client, BUDGET, id=pid, category=category, planned=1_000_000_000, actual=1_000_000_000)

    data = data_of(
        client,
        "{ productions(first: 10) { edges { node {"
        " budgetUsd budget { plannedUsd actualUsd } } } } }",
    )

    (edge,) = data["productions"]["edges"]
    assert edge["node"] == {
        "budgetUsd": 2_000_000_000,
        "budget": {"plannedUsd": 2_000_000_000, "actualUsd": 2_000_000_000},
    }


# ---------------------------------------------------------------------------------------
# Moves the guards and the history refuse


@pytest.mark.django_db
def test_a_guard_that_fails_names_what_is_missing_and_moves_nothing() -> None:
    client = client_of(StaffUserFactory())
    production = ProductionFactory(stage=Stage.CASTING)
    CastingRoleFactory(production=production, character="Conductor", is_lead=True)
    CastingRoleFactory(production=production, character="Guard", is_lead=True)
    before = production_rows()

    body = graphql(client, ADVANCE, {"id": gid("Production", production)})

    assert one_error(body) == {"code": "BAD_USER_INPUT", "field": "productionId"}
    assert body["errors"][0]["message"] == (
        "Location scouting needs: the lead role Conductor cast; the lead role Guard cast."
    )
    assert production_rows() == before
    production.refresh_from_db()
    assert (production.stage, production.version) == (Stage.CASTING, 0)


@pytest.mark.django_db
def test_a_move_from_a_stale_screen_is_a_conflict() -> None:
    client = client_of(StaffUserFactory())
    production = ProductionFactory(stage=Stage.CASTING)
    ScriptDraftFactory(production=production, approved_on=TODAY)

    body = graphql(
        client, ADVANCE, {"id": gid("Production", production), "expected": "DEVELOPMENT"}
    )

    assert one_error(body) == {"code": "CONFLICT", "field": "expectedStage"}
    production.refresh_from_db()
    assert production.stage == Stage.CASTING


@pytest.mark.django_db
def test_moving_back_and_cancelling_record_the_reason() -> None:
    client = client_of(StaffUserFactory())
    production = ProductionFactory(stage=Stage.CASTING)
    pid = gid("Production", production)

    no_reason = graphql(client, REVERT, {"id": pid, "reason": "  "})
    back = run(client, REVERT, id=pid, reason="The script needs a new ending")
    cancelled = run(client, CANCEL, id=pid, reason="Funding fell through")
    afterwards = graphql(client, ADD_ROLE, {"id": pid, "character": "Hero", "lead": True})

    assert one_error(no_reason) == {"code": "BAD_USER_INPUT", "field": "reason"}
    assert back["stage"] == "DEVELOPMENT"
    assert back["history"] == [
        {
            "fromStage": "CASTING",
            "toStage": "DEVELOPMENT",
            "reason": "The script needs a new ending",
        }
    ]
    assert cancelled == {"stage": "CANCELLED"}
    assert one_error(afterwards) == {"code": "BAD_USER_INPUT", "field": "productionId"}
    assert not production.roles.exists()


# ---------------------------------------------------------------------------------------
# Bad input: a clear error naming the argument, and nothing written


def marketing_production() -> Production:
    production: Production = ProductionFactory(stage=Stage.MARKETING)
    return production


def audition_at(moment: str) -> Any:
    """The variables of scheduleAudition for a new role and person of the production."""
    return lambda p: {
        "input": {
            "roleId": gid("CastingRole", CastingRoleFactory(production=p)),
            "personId": gid("Person", PersonFactory()),
            "scheduledAt": moment,
        }
    }


def budget_line_of(production: Production, **amounts: int) -> str:
    """The production's id, once it has a "Cast" budget line of `amounts`."""
    BudgetLineFactory(production=production, category="Cast", **amounts)
    return gid("Production", production)


BAD_INPUT: dict[str, tuple[str, Any, str, str | None]] = {
    # name: (document, variables of the production's objects, code, field)
    "an episode put into production": (
        CREATE,
        lambda p: {"input": {"titleId": gid("Title", EpisodeFactory())}},
        "BAD_USER_INPUT",
        "titleId",
    ),
    "a released title put into production": (
        CREATE,
        lambda p: {"input": {"titleId": gid("Title", TitleFactory(status=TitleStatus.RELEASED))}},
        "BAD_USER_INPUT",
        "titleId",
    ),
    "a title in production twice": (
        CREATE,
        lambda p: {"input": {"titleId": gid("Title", p.title)}},
        "BAD_USER_INPUT",
        "titleId",
    ),
    "a target region that is not a country code": (
        CREATE,
        lambda p: {
            "input": {
                "titleId": gid("Title", TitleFactory(status=TitleStatus.ANNOUNCED)),
                "targetSegments": [{"region": "USA"}],
            }
        },
        "BAD_USER_INPUT",
        "region",
    ),
    "a person's id for a title": (
        CREATE,
        lambda p: {"input": {"titleId": gid("Person", PersonFactory())}},
        "BAD_USER_INPUT",
        "titleId",
    ),
    "a negative budget": (
        BUDGET,
        lambda p: {"id": gid("Production", p), "category": "Cast", "planned": -1, "actual": 0},
        "BAD_USER_INPUT",
        "plannedUsd",
    ),
    "an unknown author": (
        SUBMIT_DRAFT,
        lambda p: {
            "input": {
                "productionId": gid("Production", p),
                "authorIds": [gid("Person", PersonFactory()), to_base64("Person", 0)],
            }
        },
        "NOT_FOUND",
        "authorIds",
    ),
    "a draft approved before it was submitted": (
        APPROVE_DRAFT,
        lambda p: {
            "id": gid("ScriptDraft", ScriptDraftFactory(production=p, submitted_on=TODAY)),
            "on": (TODAY - timedelta(days=1)).isoformat(),
        },
        "BAD_USER_INPUT",
        "approvedOn",
    ),
    "a character added twice": (
        ADD_ROLE,
        lambda p: {
            "id": gid("Production", p),
            "character": CastingRoleFactory(production=p).character,
            "lead": False,
        },
        "BAD_USER_INPUT",
        "character",
    ),
    "a character with no name": (
        ADD_ROLE,
        lambda p: {"id": gid("Production", p), "character": "  ", "lead": False},
        "BAD_USER_INPUT",
        "character",
    ),
    "an offer recorded as an outcome": (
        OUTCOME,
        lambda p: {
            "id": gid("Audition", AuditionFactory(role__production=p)),
            "outcome": "OFFERED",
        },
        "BAD_USER_INPUT",
        "outcome",
    ),
    "casting an unknown person": (
        CAST,
        lambda p: {
            "role": gid("CastingRole", CastingRoleFactory(production=p)),
            "person": to_base64("Person", 0),
        },
        "NOT_FOUND",
        "personId",
    ),
    "a latitude beyond the pole": (
        ADD_LOCATION,
        lambda p: {
            "input": {
                "productionId": gid("Production", p),
                "name": "North",
                "kind": "STAGE",
                "latitude": 95,
            }
        },
        "BAD_USER_INPUT",
        "latitude",
    ),
    "an audition in year 1 (a BC date once stored)": (
        AUDITION,
        audition_at("0001-01-01T00:00:00+14:00"),
        "BAD_USER_INPUT",
        "scheduledAt",
    ),
    "an audition in year 9999": (
        AUDITION,
        audition_at("9999-12-31T23:59:59-14:00"),
        "BAD_USER_INPUT",
        "scheduledAt",
    ),
    "a shoot day in year 3000": (
        SHOOT_DAY,
        lambda p: {
            "input": {
                "productionId": gid("Production", p),
                "locationId": gid("Location", LocationFactory(production=p)),
                "date": "3000-01-01",
                "callTime": "07:00:00",
            }
        },
        "BAD_USER_INPUT",
        "date",
    ),
    "a shoot day at another production's location": (
        SHOOT_DAY,
        lambda p: {
            "input": {
                "productionId": gid("Production", p),
                "locationId": gid("Location", LocationFactory()),
                "date": TODAY.isoformat(),
                "callTime": "07:00:00",
            }
        },
        "NOT_FOUND",
        "locationId",
    ),
    "a shoot day wrapped twice": (
        WRAP,
        lambda p: {
            "id": gid(
                "ShootDay",
                ShootDayFactory(production=p, status="wrapped", wrap_time="18:00"),
            ),
            "at": "19:00:00",
        },
        "BAD_USER_INPUT",
        "shootDayId",
    ),
    "a post task for an unknown assignee": (
        ADD_TASK,
        lambda p: {
            "input": {
                "productionId": gid("Production", p),
                "kind": "VFX",
                "assigneeId": to_base64("Person", 0),
            }
        },
        "NOT_FOUND",
        "assigneeId",
    ),
    "a task of an unknown id": (
        COMPLETE_TASK,
        lambda p: {"id": to_base64("PostTask", 0)},
        "NOT_FOUND",
        "taskId",
    ),
    "a release in a region that is not a country": (
        RELEASE,
        lambda p: {
            "input": {
                "productionId": gid("Production", p),
                "releaseOn": TODAY.isoformat(),
                "regions": ["US", "XX"],
            }
        },
        "BAD_USER_INPUT",
        "regions",
    ),
    "a release in no region": (
        RELEASE,
        lambda p: {
            "input": {
                "productionId": gid("Production", p),
                "releaseOn": TODAY.isoformat(),
                "regions": [],
            }
        },
        "BAD_USER_INPUT",
        "regions",
    ),
    "a release from a stale screen": (
        RELEASE,
        lambda p: {
            "input": {
                "productionId": gid("Production", p),
                "releaseOn": TODAY.isoformat(),
                "regions": ["US"],
                "expectedStage": "POST_PRODUCTION",
            }
        },
        "CONFLICT",
        "expectedStage",
    ),
    "a budget line that takes the plan past $2 billion": (
        BUDGET,
        lambda p: {
            "id": budget_line_of(p, planned_usd=1_500_000_000),
            "category": "Effects",
            "planned": 600_000_000,
            "actual": 0,
        },
        "BAD_USER_INPUT",
        "plannedUsd",
    ),
    "a budget line that takes the spend past $2 billion": (
        BUDGET,
        lambda p: {
            "id": budget_line_of(p, actual_usd=1_999_999_999),
            "category": "Effects",
            "planned": 0,
            "actual": 2,
        },
        "BAD_USER_INPUT",
        "actualUsd",
    ),
    "a production budget over $2 billion": (
        UPDATE,
        lambda p: {"input": {"productionId": gid("Production", p), "budgetUsd": 2_000_000_001}},
        "BAD_USER_INPUT",
        "budgetUsd",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_a_clear_error_and_writes_nothing(case: str) -> None:
    document, variables_of, code, field = BAD_INPUT[case]
    production = marketing_production()
    client = client_of(StaffUserFactory())
    variables = variables_of(production)
    before = production_rows()
    title_status = production.title.status

    body = graphql(client, document, variables)

    assert one_error(body) == {"code": code, "field": field}
    assert body["errors"][0]["message"]
    assert production_rows() == before
    production.refresh_from_db()
    assert (production.stage, production.title.status) == (Stage.MARKETING, title_status)


@pytest.mark.django_db
def test_a_release_only_comes_after_marketing() -> None:
    production = ProductionFactory(stage=Stage.POST_PRODUCTION)
    PostTaskFactory(production=production, status="done")

    body = graphql(
        client_of(StaffUserFactory()),
        RELEASE,
        {
            "input": {
                "productionId": gid("Production", production),
                "releaseOn": TODAY.isoformat(),
                "regions": ["US"],
            }
        },
    )

    assert one_error(body) == {"code": "BAD_USER_INPUT", "field": "productionId"}
    assert "released from marketing" in body["errors"][0]["message"]
    assert not Availability.objects.exists()


# ---------------------------------------------------------------------------------------
# Who may write


def every_mutation(production: Production) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each mutation of the staff API with valid variables for `production`."""
    pid = gid("Production", production)
    role = CastingRoleFactory(production=production)
    location = LocationFactory(production=production)
    person = gid("Person", PersonFactory())
    new_title = TitleFactory(status=TitleStatus.ANNOUNCED, kind=TitleKind.MOVIE)
    return {
        "createProduction": (CREATE, {"input": {"titleId": gid("Title", new_title)}}),
        "updateProduction": (UPDATE, {"input": {"productionId": pid, "logline": "New"}}),
        "setBudgetLine": (BUDGET, {"id": pid, "category": "Cast", "planned": 1, "actual": 1}),
        "advanceStage": (ADVANCE, {"id": pid}),
        "revertStage": (REVERT, {"id": pid, "reason": "Why not"}),
        "cancelProduction": (CANCEL, {"id": pid, "reason": "Why not"}),
        "releaseTitle": (
            RELEASE,
            {"input": {"productionId": pid, "releaseOn": TODAY.isoformat(), "regions": ["US"]}},
        ),
        "submitScriptDraft": (SUBMIT_DRAFT, {"input": {"productionId": pid}}),
        "approveScriptDraft": (
            APPROVE_DRAFT,
            {"id": gid("ScriptDraft", ScriptDraftFactory(production=production))},
        ),
        "addCastingRole": (ADD_ROLE, {"id": pid, "character": "New", "lead": False}),
        "scheduleAudition": (
            AUDITION,
            {
                "input": {
                    "roleId": gid("CastingRole", role),
                    "personId": person,
                    "scheduledAt": "2026-11-02T10:00:00+00:00",
                }
            },
        ),
        "recordAuditionOutcome": (
            OUTCOME,
            {"id": gid("Audition", AuditionFactory(role=role)), "outcome": "CALLBACK"},
        ),
        "castRole": (CAST, {"role": gid("CastingRole", role), "person": person}),
        "addLocation": (
            ADD_LOCATION,
            {"input": {"productionId": pid, "name": "Barn", "kind": "SET_BUILD"}},
        ),
        "recordScoutingVisit": (
            VISIT,
            {"id": gid("Location", location), "on": TODAY.isoformat(), "notes": ""},
        ),
        "approveLocation": (APPROVE_LOCATION, {"id": gid("Location", location)}),
        "scheduleShootDay": (
            SHOOT_DAY,
            {
                "input": {
                    "productionId": pid,
                    "locationId": gid("Location", location),
                    "date": TODAY.isoformat(),
                    "callTime": "07:00:00",
                }
            },
        ),
        "wrapShootDay": (
            WRAP,
            {"id": gid("ShootDay", ShootDayFactory(production=production)), "at": "18:00:00"},
        ),
        "addPostTask": (ADD_TASK, {"input": {"productionId": pid, "kind": "SOUND"}}),
        "completePostTask": (
            COMPLETE_TASK,
            {"id": gid("PostTask", PostTaskFactory(production=production))},
        ),
    }


MUTATIONS = [
    "createProduction",
    "updateProduction",
    "setBudgetLine",
    "advanceStage",
    "revertStage",
    "cancelProduction",
    "releaseTitle",
    "submitScriptDraft",
    "approveScriptDraft",
    "addCastingRole",
    "scheduleAudition",
    "recordAuditionOutcome",
    "castRole",
    "addLocation",
    "recordScoutingVisit",
    "approveLocation",
    "scheduleShootDay",
    "wrapShootDay",
    "addPostTask",
    "completePostTask",
]


def staff_without_permission() -> Any:
    account = StaffUserFactory(is_superuser=False)
    account.user_permissions.set(Permission.objects.filter(codename="view_production"))
    return account


CALLERS: dict[str, tuple[Any, str]] = {
    "anonymous": (lambda: None, "UNAUTHENTICATED"),
    "viewer": (ViewerFactory, "FORBIDDEN"),
    "staff who may only look": (staff_without_permission, "FORBIDDEN"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("mutation", MUTATIONS)
def test_only_staff_who_may_change_productions_write(caller: str, mutation: str) -> None:
    production = ProductionFactory(stage=Stage.MARKETING)
    document, variables = every_mutation(production)[mutation]
    account_of, code = CALLERS[caller]
    before = production_rows()

    body = graphql(client_of(account_of()), document, variables)

    assert error_codes(body) == [code]
    assert body["data"] is None
    assert production_rows() == before


def test_the_permission_matrix_covers_every_production_mutation(staff_client: Client) -> None:
    fields = data_of(staff_client, '{ __type(name: "Mutation") { fields { name description } } }')
    staff_mutations = {
        field["name"]
        for field in fields["__type"]["fields"]
        if field["description"].startswith("Staff:")
    }

    assert staff_mutations == set(MUTATIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("type_name", ["ScriptDraft", "CastingRole", "Location", "ShootDay"])
def test_a_productions_work_is_no_node_for_anyone_but_staff(type_name: str) -> None:
    production = ProductionFactory()
    objects = {
        "ScriptDraft": ScriptDraftFactory(production=production),
        "CastingRole": CastingRoleFactory(production=production),
        "Location": LocationFactory(production=production),
        "ShootDay": ShootDayFactory(production=production),
    }
    node_id = gid(type_name, objects[type_name])
    query = "query ($id: ID!) { node(id: $id) { id } }"

    for account in (None, ViewerFactory()):
        assert graphql(client_of(account), query, {"id": node_id})["data"] == {"node": None}
    assert data_of(client_of(StaffUserFactory()), query, {"id": node_id}) == {
        "node": {"id": node_id}
    }
