"""The staff API's reads of productions: who may see them, and what staff see."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from production import stages
from production.models import Production, ShootDayStatus, Stage
from tests.factories import (
    AuditionFactory,
    CastingRoleFactory,
    LocationFactory,
    ProductionFactory,
    ScriptDraftFactory,
    ShootDayFactory,
    StaffUserFactory,
    ViewerFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

TODAY = datetime.now(UTC).date()

PRODUCTION = """
query ($id: ID!) {
  production(id: $id) {
    stage version logline budgetUsd
    title { name }
    history { fromStage toStage movedBy reason }
    scriptDrafts { number approvedOn }
    roles { character isLead castPerson { name } auditions { person { name } outcome } }
    schedule { date status location { name } }
    budget { plannedUsd actualUsd isOver categories { category plannedUsd actualUsd isOver } }
  }
}
"""

PRODUCTIONS = """
query ($stage: ProductionStage) {
  productions(filters: {stage: $stage}, first: 50) {
    totalCount
    edges { node { title { name } stage roles { character } schedule { date } budget { isOver } } }
  }
}
"""


def gid(production: Production) -> str:
    return to_base64("Production", production.pk)


def budget_line(production: Production, category: str, planned: int, actual: int) -> None:
    production.budget_lines.create(category=category, planned_usd=planned, actual_usd=actual)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("caller", "code"), [("anonymous", "UNAUTHENTICATED"), ("viewer", "FORBIDDEN")]
)
def test_only_staff_see_productions(caller: str, code: str) -> None:
    production = ProductionFactory()
    account = None if caller == "anonymous" else ViewerFactory()
    client = client_of(account)

    one = graphql(client, PRODUCTION, {"id": gid(production)})
    many = graphql(client, PRODUCTIONS)
    node = graphql(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": gid(production)})

    assert error_codes(one) == [code]
    assert error_codes(many) == [code]
    assert node["data"] == {"node": None}


@pytest.mark.django_db
def test_staff_see_a_productions_work_history_schedule_and_budget() -> None:
    staff = StaffUserFactory()
    production = ProductionFactory(stage=Stage.DEVELOPMENT, title__name="Night Train")
    ScriptDraftFactory(production=production, number=1, approved_on=TODAY)
    stages.production_advance(production_id=production.pk, user=staff)
    role = CastingRoleFactory(production=production, character="Conductor", is_lead=True)
    AuditionFactory(role=role, person__name="Ann")
    station = LocationFactory(production=production, name="Old station")
    ShootDayFactory(production=production, location=station, date=TODAY + timedelta(days=2))
    ShootDayFactory(
        production=production,
        location=station,
        date=TODAY,
        status=ShootDayStatus.WRAPPED,
        wrap_time=time(19),
    )
    budget_line(production, "Cast", 1_000_000, 1_200_000)
    budget_line(production, "Locations", 500_000, 300_000)

    data = data_of(client_of(staff), PRODUCTION, {"id": gid(production)})["production"]

    assert (data["stage"], data["version"], data["title"]["name"]) == ("CASTING", 1, "Night Train")
    assert data["history"] == [
        {"fromStage": "DEVELOPMENT", "toStage": "CASTING", "movedBy": staff.username, "reason": ""}
    ]
    assert data["scriptDrafts"] == [{"number": 1, "approvedOn": TODAY.isoformat()}]
    assert data["roles"] == [
        {
            "character": "Conductor",
            "isLead": True,
            "castPerson": None,
            "auditions": [{"person": {"name": "Ann"}, "outcome": "PENDING"}],
        }
    ]
    assert [(day["date"], day["status"]) for day in data["schedule"]] == [
        (TODAY.isoformat(), "WRAPPED"),
        ((TODAY + timedelta(days=2)).isoformat(), "SCHEDULED"),
    ]
    assert data["budget"] == {
        "plannedUsd": 1_500_000,
        "actualUsd": 1_500_000,
        "isOver": False,
        "categories": [
            {"category": "Cast", "plannedUsd": 1_000_000, "actualUsd": 1_200_000, "isOver": True},
            {"category": "Locations", "plannedUsd": 500_000, "actualUsd": 300_000, "isOver": False},
        ],
    }


@pytest.mark.django_db
def test_productions_filter_by_stage() -> None:
    ProductionFactory(stage=Stage.CASTING, title__name="Cast me")
    ProductionFactory(stage=Stage.SHOOTING, title__name="Shoot me")

    data = data_of(client_of(StaffUserFactory()), PRODUCTIONS, {"stage": "SHOOTING"})

    assert data["productions"]["totalCount"] == 1
    assert [edge["node"]["title"]["name"] for edge in data["productions"]["edges"]] == ["Shoot me"]


@pytest.mark.django_db
def test_an_unknown_production_is_not_found() -> None:
    body = graphql(client_of(StaffUserFactory()), PRODUCTION, {"id": to_base64("Production", 0)})

    assert error_codes(body) == ["NOT_FOUND"]


def productions_with_work(count: int) -> None:
    for _ in range(count):
        production = ProductionFactory(stage=Stage.SHOOTING)
        for _ in range(3):
            CastingRoleFactory(production=production)
            ShootDayFactory(production=production)
            budget_line(production, f"Line {production.budget_lines.count()}", 10, 20)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 10])
def test_the_production_list_takes_a_fixed_number_of_queries(count: int) -> None:
    productions_with_work(count)
    client = client_of(StaffUserFactory())

    with CaptureQueriesContext(connection) as captured:
        data: dict[str, Any] = data_of(client, PRODUCTIONS)

    assert len(data["productions"]["edges"]) == count
    assert all(len(edge["node"]["schedule"]) == 3 for edge in data["productions"]["edges"])
    # session, account; the page of productions with their titles; the total count;
    # their roles, shoot days and budget lines
    assert len(captured) == 7
