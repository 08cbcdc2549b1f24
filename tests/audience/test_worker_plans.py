"""The workers' SQL finishes in time on a catalog whose planner statistics are stale.

Right after a bulk load, before autovacuum analyzes, PostgreSQL may believe a full
catalog table empty (`reltuples = 0` over hundreds of pages): a join planned for one
row then runs as a nested loop that compares every title with every title. These tests
put the catalog in that state, run every worker pass, and read each statement's real
plan (auto_explain, with the rows it actually handled) for such loops.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from psycopg.errors import Diagnostic

from audience.models import Profile
from audience.personalization import refresh, similar_titles, training
from audience.popularity import refresh as popularity
from production.greenlight.refresh import scorecard_refresh
from tests.factories import ProductionFactory

pytestmark = pytest.mark.slow

TITLES, EVENTS, PROFILES = 3_000, 20_000, 300
CATALOG_TABLES = (
    "catalog_title",
    "catalog_title_genres",
    "catalog_credit",
    "catalog_person",
    "catalog_availability",
)
# A nested loop that looks rows up by key discards none, one over a small table (the dozen
# certificates) a few per title; one that compares titles with titles, millions.
MOST_ROWS_A_JOIN_MAY_DISCARD = 10 * TITLES


@pytest.fixture
def viewing(db: None) -> None:
    call_command("generate_catalog", titles=TITLES, seed=11, verbosity=0)
    call_command("generate_viewing", events=EVENTS, profiles=PROFILES, seed=11, verbosity=0)


@pytest.fixture
def stale_catalog_statistics(viewing: None) -> None:
    """The state seen after a bulk load: full tables that the planner takes for empty."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = 0 WHERE relname = ANY(%s) AND relpages > 0",
            [list(CATALOG_TABLES)],
        )
        assert cursor.rowcount == len(CATALOG_TABLES)


@pytest.fixture
def plans(stale_catalog_statistics: None) -> Iterator[list[dict[str, Any]]]:
    """The executed plan of every statement run meanwhile, with actual row counts."""
    collected: list[dict[str, Any]] = []

    def collect(diagnostic: Diagnostic) -> None:
        text = diagnostic.message_primary or ""
        if "plan:" in text:
            collected.append(json.loads(text.split("plan:", 1)[1]))

    connection.ensure_connection()
    raw = connection.connection
    raw.add_notice_handler(collect)
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        for name, value in (
            ("auto_explain.log_min_duration", "0"),
            ("auto_explain.log_analyze", "on"),
            ("auto_explain.log_timing", "off"),
            ("auto_explain.log_format", "json"),
            ("auto_explain.log_level", "notice"),
            ("auto_explain.log_nested_statements", "on"),
            ("client_min_messages", "notice"),
            # A plan gone quadratic fails the test in minutes rather than hanging the suite.
            ("statement_timeout", "120s"),
        ):
            cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
    try:
        yield collected
    finally:
        raw.remove_notice_handler(collect)
        with connection.cursor() as cursor:
            cursor.execute("RESET ALL")


def rows_discarded_by_joins(plan: dict[str, Any]) -> int:
    """The most rows any one nested loop of the plan compared with a join filter and threw
    away: pairs tried one by one, where a hash, a merge or an index would have matched."""
    discarded = (
        plan.get("Rows Removed by Join Filter", 0) if plan["Node Type"] == "Nested Loop" else 0
    )
    own = int(discarded) * int(plan.get("Actual Loops", 1))
    return max([own, *(rows_discarded_by_joins(child) for child in plan.get("Plans", []))])


def worst_join(plans: list[dict[str, Any]]) -> tuple[int, str]:
    """The rows discarded by the worst join of all the statements, and that statement."""
    assert plans, "auto_explain reported no plan"
    return max((rows_discarded_by_joins(plan["Plan"]), plan["Query Text"]) for plan in plans)


def test_folding_in_events_and_ranking_plan_no_title_by_title_join(
    plans: list[dict[str, Any]],
) -> None:
    popularity.refresh_popularity()
    popularity.refresh_rankings()

    assert worst_join(plans)[0] < MOST_ROWS_A_JOIN_MAY_DISCARD, worst_join(plans)[1]


def test_a_rebuild_plans_no_title_by_title_join(plans: list[dict[str, Any]]) -> None:
    popularity.rebuild_popularity()

    assert worst_join(plans)[0] < MOST_ROWS_A_JOIN_MAY_DISCARD, worst_join(plans)[1]


def test_similar_titles_and_recommendations_plan_no_title_by_title_join(
    viewing: None, plans: list[dict[str, Any]]
) -> None:
    popularity.rebuild_popularity()
    similar_titles.refresh_similar_titles()
    model = training.train_model()
    profile_ids = list(Profile.objects.order_by("pk").values_list("pk", flat=True))
    refresh.refresh_profiles(training.load_model(model.pk), profile_ids[0], profile_ids[-1])

    assert worst_join(plans)[0] < MOST_ROWS_A_JOIN_MAY_DISCARD, worst_join(plans)[1]


def test_a_greenlight_scorecard_plans_no_title_by_title_join(
    viewing: None, plans: list[dict[str, Any]]
) -> None:
    popularity.rebuild_popularity()
    production = ProductionFactory()

    scorecard_refresh(production.pk)

    assert worst_join(plans)[0] < MOST_ROWS_A_JOIN_MAY_DISCARD, worst_join(plans)[1]
