"""The greenlight scorecard and casting insights: the scoring rules, the worker that
computes a scorecard from the audience aggregates, and what staff read over GraphQL."""

from __future__ import annotations

import json
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery.worker import WorkController
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from audience.models import ViewingEvent
from audience.personalization.training import train_model
from catalog.models import Genre, Person, Title, TitleStatus
from config.celery import app as celery_app
from production import services, tasks
from production.greenlight import scoring
from production.greenlight.figures import (
    ALL_VIEWERS,
    INSUFFICIENT_DATA,
    OK,
    SCORING_VERSION_KEY,
    AttachedPerson,
    Figure,
    FigureInput,
    GenreShare,
    GreenlightInputs,
    LikelySegment,
    ProductionFacts,
    Section,
    SegmentGenreShares,
    TalentRecord,
    ViewedTitle,
    scorecard_from_figures,
)
from production.greenlight.refresh import LOCK_NAMESPACE, scorecard_lock_key, scorecard_refresh
from production.greenlight.scoring import (
    DEVELOP,
    GREENLIGHT,
    PASS,
    inputs_fingerprint,
    recommendation_for,
    scorecard,
)
from production.greenlight.talent import award_bonus_for, rank_auditioned, talent_record
from production.greenlight.track_record import CalibrationBand, TrackRecord, track_record
from production.models import (
    CastingRole,
    GreenlightRecommendation,
    GreenlightScorecard,
    Production,
    Stage,
    TargetSegment,
)
from tests.audience.aggregates import refresh_aggregates
from tests.audience.westerns import new_western, westerns_world
from tests.factories import (
    AuditionFactory,
    AwardFactory,
    CastCreditFactory,
    CastingRoleFactory,
    CrewCreditFactory,
    GenreFactory,
    PersonFactory,
    ProductionFactory,
    ProfileFactory,
    StaffUserFactory,
    TitleFactory,
    ViewerFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

TASK_TIMEOUT = 60
MILLION = 1_000_000

# ---------------------------------------------------------------------------------------
# The scoring rules, on inputs made by hand


def movie(
    title_id: int,
    name: str,
    views: float | None,
    *,
    year: int = 2020,
    budget: int | None = None,
) -> ViewedTitle:
    return ViewedTitle(
        title_id=title_id,
        name=name,
        kind="movie",
        year=year,
        runtime_minutes=110,
        views=views,
        hours_viewed=None if views is None else views * 110 / 60,
        budget_usd=budget,
        shared_genres=["Drama"],
    )


def person(
    person_id: int, name: str, titles: list[ViewedTitle], *, wins: int = 0, nominations: int = 0
) -> AttachedPerson:
    return AttachedPerson(person_id, name, ["cast: Lead"], titles, wins, nominations)


def shares(segment: str, *genres: tuple[str, float, float]) -> SegmentGenreShares:
    return SegmentGenreShares(segment, [GenreShare(*genre) for genre in genres])


def inputs(**changes: Any) -> GreenlightInputs:
    """A production whose every section is strong: it greenlights."""
    made = GreenlightInputs(
        production=ProductionFacts(
            production_id=1,
            title_name="Night Train",
            kind="movie",
            genres=["Drama", "Thriller"],
            year=2024,
            year_assumed=False,
            runtime_minutes=110,
            budget_usd=20 * MILLION,
        ),
        window_start="2025-12-02",
        window_end="2026-12-01",
        target_segments=["US / 25-34"],
        demand=[shares("US / 25-34", ("Drama", 0.3, 0.2), ("Thriller", 0.1, 0.1))],
        comparables=[
            movie(11, "Crossing", 500, year=2022, budget=40 * MILLION),
            movie(12, "Border", 400, year=2021, budget=20 * MILLION),
            movie(13, "Atlas", 300, year=2019, budget=10 * MILLION),
        ],
        typical_views={"movie": 200.0},
        typical_titles={"movie": 40},
        people=[
            person(
                21, "Ann", [movie(31, "Hit", 300), movie(32, "Flop", 100)], wins=1, nominations=2
            )
        ],
    )
    return replace(made, **changes)


def weak_inputs() -> GreenlightInputs:
    return inputs(
        demand=[shares("US / 25-34", ("Drama", 0.1, 0.2), ("Thriller", 0.05, 0.1))],
        comparables=[
            movie(11, "Crossing", 150, budget=10 * MILLION),
            movie(12, "Border", 100, budget=10 * MILLION),
            movie(13, "Atlas", 50, budget=10 * MILLION),
        ],
        people=[person(21, "Ann", [movie(31, "Flop", 80)])],
    )


def par_inputs() -> GreenlightInputs:
    return inputs(
        demand=[shares("US / 25-34", ("Drama", 0.2, 0.2), ("Thriller", 0.1, 0.1))],
        comparables=[
            movie(11, "Crossing", 300, budget=20 * MILLION),
            movie(12, "Border", 200, budget=20 * MILLION),
            movie(13, "Atlas", 100, budget=20 * MILLION),
        ],
        people=[person(21, "Ann", [movie(31, "Steady", 200)])],
    )


def test_strong_demand_comparables_and_talent_greenlight_with_every_figure_traced() -> None:
    card = scorecard(inputs())

    assert card.recommendation == GREENLIGHT
    # demand: (0.3 + 0.1) / (0.2 + 0.1)
    (segment,) = card.demand.segments
    assert segment.lift.value == pytest.approx(4 / 3)
    assert segment.lift.inputs == [
        FigureInput("segment share", pytest.approx(0.4)),
        FigureInput("everyone share", pytest.approx(0.3)),
    ]
    assert [(g.genre, g.lift) for g in segment.genres] == [
        ("Drama", pytest.approx(1.5)),
        ("Thriller", pytest.approx(1.0)),
    ]
    assert card.demand.index.inputs == [FigureInput("US / 25-34", pytest.approx(4 / 3))]
    assert card.demand.points == pytest.approx(200 / 3)
    # comparables: the median of 500, 400, 300 against a typical 200
    assert [title.name for title in card.comparables.titles] == ["Crossing", "Border", "Atlas"]
    assert card.comparables.median_views.value == 400
    assert card.comparables.typical_views.value == 200
    assert card.comparables.typical_views.inputs == [FigureInput("titles", 40)]
    assert card.comparables.index.value == 2.0
    assert card.comparables.points == 100
    # talent: median(300 / 200, 100 / 200) = 1.0, + 0.2 for a win + 0.05 for a nomination
    (ann,) = card.talent.people
    assert [(title.name, title.index) for title in ann.titles] == [("Hit", 1.5), ("Flop", 0.5)]
    assert ann.track_record.value == 1.0
    assert ann.award_bonus.value == pytest.approx(0.25)
    assert ann.score.value == pytest.approx(1.25)
    assert card.talent.points == pytest.approx(62.5)
    # budget: views per $M 12.5, 20 and 30; at $20M the median 400 views give 20 per $M
    assert card.budget.median_budget_usd.value == 20 * MILLION
    assert card.budget.views_per_million_usd.value == 20
    assert card.budget.projected_views_per_million_usd.value == 20
    assert card.budget.index.value == 1.0
    assert card.budget.points == 50
    # 0.6 x 66.67 + 0.15 x 100 + 0.25 x 62.5 + 0 x 50
    assert card.score.value == pytest.approx(70.625)
    assert FigureInput("talent points", pytest.approx(62.5)) in card.score.inputs
    assert card.reasons[-1] == "Score 71 is 60 or more: greenlight."


@pytest.mark.parametrize(
    ("made", "recommendation", "score"),
    [(inputs, GREENLIGHT, 70.625), (par_inputs, DEVELOP, 50.0), (weak_inputs, PASS, 23.75)],
)
def test_each_recommendation_follows_from_the_weighted_score(
    made: Callable[[], GreenlightInputs], recommendation: str, score: float
) -> None:
    card = scorecard(made())

    assert card.recommendation == recommendation
    assert card.score.value == pytest.approx(score)
    assert all(section.status == OK for section in (card.demand, card.talent, card.budget))


def four_sections(points: float) -> list[Section]:
    index = Figure(points / 50, "", [])
    return [Section(OK, "", index, points, weight) for weight in scoring.SECTION_WEIGHTS.values()]


def test_the_thresholds_split_the_score_at_40_and_60() -> None:
    assert recommendation_for(60.0, four_sections(60.0))[0] == GREENLIGHT
    assert recommendation_for(59.9, four_sections(59.9))[0] == DEVELOP
    assert recommendation_for(40.0, four_sections(40.0))[0] == DEVELOP
    assert recommendation_for(39.9, four_sections(39.9))[0] == PASS


def test_with_data_in_fewer_than_three_sections_the_production_develops_further() -> None:
    card = scorecard(
        inputs(
            comparables=[movie(11, "Unseen", None), movie(12, "Unwatched", None)],
            people=[],
            production=replace(inputs().production, budget_usd=None),
        )
    )

    assert card.recommendation == DEVELOP
    assert [card.demand.status, card.comparables.status, card.talent.status] == [
        OK,
        INSUFFICIENT_DATA,
        INSUFFICIENT_DATA,
    ]
    assert card.budget.status == INSUFFICIENT_DATA
    assert card.comparables.titles == []
    assert card.comparables.not_watched == 2
    assert card.comparables.index.value is None
    assert card.comparables.points is None
    assert card.score.value == pytest.approx(200 / 3)  # demand alone
    assert card.reasons == [
        "Demand: the target segments watch Drama, Thriller 1.33x as much as all viewers do.",
        "Comparables: insufficient data, 0 comparable titles watched in the window and 3 are "
        "needed.",
        "Talent: nobody is attached yet.",
        "Budget: no budget is set.",
        "Only 1 of 4 sections have data; 3 are needed to decide: develop further.",
    ]


def test_without_target_segments_demand_weighs_the_genres_hours_against_their_titles() -> None:
    # Drama and thriller take 40 % of the hours viewed and 30 % of the titles watched
    card = scorecard(
        inputs(
            target_segments=[],
            demand=[shares(ALL_VIEWERS, ("Drama", 0.3, 0.2), ("Thriller", 0.1, 0.1))],
        )
    )

    assert card.demand.basis == ALL_VIEWERS
    assert card.demand.index.value == pytest.approx(4 / 3)
    assert card.demand.points == pytest.approx(200 / 3)
    assert card.demand.summary == (
        "Demand: with no target segments, Drama, Thriller draw 1.33x the share of the hours "
        "viewed that they have of the titles watched."
    )
    (segment,) = card.demand.segments
    assert segment.lift.formula == (
        "sum of the genres' shares of the hours viewed / sum of their shares of the titles watched"
    )


def test_the_worker_measures_demand_without_target_segments_over_every_viewer(
    night_train: Production,
) -> None:
    TargetSegment.objects.filter(production=night_train).delete()

    scorecard_refresh(night_train.pk)

    figures = GreenlightScorecard.objects.get(production=night_train).figures
    # Drama: 15 of the 34 hours viewed (Crossing 6, Border 4, Atlas 2, Old Drama 3), and 4 of
    # the 6 titles watched (those four, Carl's Hit and Comedy X)
    assert figures["demand"]["basis"] == ALL_VIEWERS
    assert figures["demand"]["index"]["value"] == pytest.approx((15 / 34) / (4 / 6))


def test_a_title_without_genres_or_viewing_of_its_kind_has_no_demand_or_comparables() -> None:
    card = scorecard(
        inputs(
            production=replace(inputs().production, genres=[]),
            demand=[shares("US / 25-34")],
            typical_views={},
            typical_titles={},
        )
    )

    assert card.demand.status == INSUFFICIENT_DATA
    assert card.demand.summary == "Demand: the title has no genres."
    assert card.comparables.status == INSUFFICIENT_DATA
    assert card.comparables.summary == "Comparables: nobody watched a movie in the window."
    assert card.talent.status == INSUFFICIENT_DATA  # no typical views to measure titles by
    assert card.recommendation == DEVELOP


def test_a_budget_needs_three_comparables_with_a_budget() -> None:
    card = scorecard(
        inputs(
            comparables=[
                movie(11, "Crossing", 500, budget=40 * MILLION),
                movie(12, "Border", 400),
                movie(13, "Atlas", 300),
            ]
        )
    )

    assert card.comparables.status == OK
    assert card.budget.status == INSUFFICIENT_DATA
    assert card.budget.median_budget_usd.value == 40 * MILLION
    assert card.budget.summary == (
        "Budget: insufficient data, 1 comparables with a budget and 3 are needed."
    )


def test_a_track_record_counts_the_most_recent_titles_watched_and_caps_the_award_bonus() -> None:
    titles = [movie(100 + n, f"Film {n}", None if n == 0 else 100.0 * n) for n in range(13)]

    record = talent_record(person(21, "Ann", titles, wins=5, nominations=9), {"movie": 200.0})

    assert [title.name for title in record.titles] == [f"Film {n}" for n in range(1, 11)]
    assert record.median_views.value == 550
    assert record.track_record.value == pytest.approx(2.75)
    assert record.award_bonus.value == 0.6
    assert record.award_bonus.inputs == [
        FigureInput("wins", 5),
        FigureInput("nominations not won", 4),
    ]
    assert record.score.value == pytest.approx(3.35)


def test_someone_without_earlier_titles_watched_has_no_score() -> None:
    card = scorecard(inputs(people=[person(21, "Newcomer", [movie(31, "Unseen", None)])]))

    (newcomer,) = card.talent.people
    assert newcomer.titles == []
    assert newcomer.track_record.value is None
    assert newcomer.score.value is None
    assert card.talent.status == INSUFFICIENT_DATA
    assert card.talent.summary == (
        "Talent: no attached person has earlier titles watched in the window."
    )


def record(name: str, person_id: int, views: float | None, wins: int = 0) -> TalentRecord:
    titles = [] if views is None else [movie(person_id, "Film", views)]
    return talent_record(
        person(person_id, name, titles, wins=wins, nominations=wins), {"movie": 100.0}
    )


def test_auditioned_people_rank_by_score_then_award_bonus_and_newcomers_come_last() -> None:
    ranked = rank_auditioned(
        [
            record("Dora", 1, None),
            record("Bea", 2, 120),
            record("Cleo", 3, None, wins=1),
            record("Abe", 4, 200),
            record("Alma", 5, 100, wins=1),
        ]
    )

    assert [(r.rank, r.name, r.score.value) for r in ranked] == [
        (1, "Abe", 2.0),
        (2, "Alma", pytest.approx(1.2)),
        (3, "Bea", pytest.approx(1.2)),
        (4, "Cleo", None),
        (5, "Dora", None),
    ]
    assert ranked[1].award_bonus.value == pytest.approx(0.2)


def test_the_award_bonus_counts_wins_and_nominations_not_won() -> None:
    assert award_bonus_for(0, 0).value == 0
    assert award_bonus_for(1, 1).value == pytest.approx(0.2)
    assert award_bonus_for(0, 3).value == pytest.approx(0.15)


def test_the_fingerprint_follows_the_inputs_and_the_figures_survive_json() -> None:
    card = scorecard(inputs())
    stored = json.loads(json.dumps(card.figures()))

    assert inputs_fingerprint(inputs()) == inputs_fingerprint(inputs())
    assert inputs_fingerprint(inputs()) != inputs_fingerprint(
        inputs(production=replace(inputs().production, budget_usd=21 * MILLION))
    )
    assert len(inputs_fingerprint(inputs())) == 64
    assert scorecard_from_figures(card.recommendation, card.reasons, stored) == card


def test_the_models_recommendations_are_the_scorings() -> None:
    assert set(GreenlightRecommendation.values) == {GREENLIGHT, DEVELOP, PASS}


# ---------------------------------------------------------------------------------------
# The worker, on real aggregates; what staff read


def watch(profiles: list[Any], title: Title, times: int) -> None:
    """`times` one-hour sessions of the title, shared out over the profiles."""
    for n in range(times):
        ViewingEventFactory(profile=profiles[n % len(profiles)], title=title, seconds_watched=3600)


def hour_long(name: str, genre: Genre, year: int, budget: int | None = None) -> Title:
    # One hour long: every hour watched is one view.
    title: Title = TitleFactory(
        name=name, genres=[genre], year=year, runtime_minutes=60, budget_usd=budget
    )
    return title


@pytest.fixture
def night_train(transactional_db: None) -> Production:
    """A drama for viewers aged 25-34 in the US, with three comparable dramas, a cast
    member and a director whose earlier films the segment watched, and viewing elsewhere.

    Views among US 25-34 (one-hour films, so hours = views): Crossing 6, Border 4, Atlas 2
    (the comparables; Unseen Drama is one too, but nobody watched it); Old Drama 3 (the
    director's, too old to compare); Carl's Hit 8 (the cast member's, a comedy); Comedy X 1.
    British viewers over 55 watch Comedy X 10 times, which counts towards everyone's genre
    hours only.
    """
    drama = GenreFactory(name="Drama")
    comedy = GenreFactory(name="Comedy")
    production: Production = ProductionFactory(
        title__name="Night Train",
        title__genres=[drama],
        title__year=2026,
        title__runtime_minutes=60,
        budget_usd=20 * MILLION,
    )
    TargetSegment.objects.create(production=production, region="US", age_band="25-34")
    us_adults = [ProfileFactory(region="US", age_band="25-34") for _ in range(4)]
    gb_seniors = [ProfileFactory(region="GB", age_band="55+") for _ in range(2)]
    watch(us_adults, hour_long("Crossing", drama, 2024, 40 * MILLION), 6)
    watch(us_adults, hour_long("Border", drama, 2022, 20 * MILLION), 4)
    watch(us_adults, hour_long("Atlas", drama, 2020, 10 * MILLION), 2)
    hour_long("Unseen Drama", drama, 2025, 5 * MILLION)
    old_drama = hour_long("Old Drama", drama, 2010)
    watch(us_adults, old_drama, 3)
    carls_hit = hour_long("Carl's Hit", comedy, 2015)
    watch(us_adults, carls_hit, 8)
    comedy_x = hour_long("Comedy X", comedy, 2023)
    watch(us_adults, comedy_x, 1)
    watch(gb_seniors, comedy_x, 10)
    carl = PersonFactory(name="Carl Cast")
    CastCreditFactory(title=carls_hit, person=carl)
    AwardFactory(person=carl, title=carls_hit, is_winner=True, category="Best actor")
    AwardFactory(person=carl, title=carls_hit, is_winner=False, category="Best comedy actor")
    CastingRoleFactory(production=production, character="Conductor", cast_person=carl)
    dana = PersonFactory(name="Dana Director")
    CrewCreditFactory(title=old_drama, person=dana)
    CrewCreditFactory(title=production.title, person=dana)
    refresh_aggregates()
    return production


def refresh(production: Production) -> dict[str, Any]:
    result = tasks.refresh_greenlight_scorecard.delay(production.pk)
    report: dict[str, Any] = result.get(timeout=TASK_TIMEOUT)
    return report


GREENLIGHT_QUERY = """
query ($id: ID!) {
  production(id: $id) {
    greenlight {
      recommendation computedAt windowStart windowEnd targetSegments reasons
      score { value inputs { name value } }
      demand {
        status basis points index { value formula inputs { name value } }
        segments {
          segment lift { value inputs { name value } }
          genres { genre share everyoneShare lift }
        }
        viewersLikeThese { ageBand gender region share lift }
      }
      comparables {
        status criteria notWatched index { value }
        titles { name views hoursViewed why budgetUsd viewsPerMillionUsd title { name } }
        medianViews { value } typicalViews { value inputs { name value } }
      }
      talent {
        status index { value inputs { name value } }
        people {
          name parts awardWins awardNominations person { name }
          titles { name views typicalViews index title { year } }
          trackRecord { value } awardBonus { value } score { value formula inputs { name value } }
        }
      }
      budget {
        status budgetUsd index { value }
        medianBudgetUsd { value } viewsPerMillionUsd { value } projectedViewsPerMillionUsd { value }
      }
    }
  }
}
"""


def test_the_worker_computes_the_scorecard_from_the_aggregates_and_staff_read_it(
    worker: WorkController, night_train: Production
) -> None:
    report = refresh(night_train)

    card = GreenlightScorecard.objects.get(production=night_train)
    assert report == {
        "production_id": night_train.pk,
        "written": True,
        "recommendation": "greenlight",
        "fingerprint": card.inputs_fingerprint,
        "missing": False,
    }
    # Typical movie views among US 25-34: the median of 6, 4, 2, 3, 8, 1 = 3.5.
    # Demand: US 25-34 give drama 15 of 24 hours, everyone 15 of 34: lift 34 / 24.
    # Comparables: median 4 / 3.5. Talent: Carl 8 / 3.5 + 0.25, Dana 3 / 3.5; their median.
    # Budget: at $20M, 4 views give 0.2 per $M, as the comparables' median (0.15, 0.2, 0.2).
    demand, comparables = 34 / 24, 4 / 3.5
    carl, dana = 8 / 3.5 + 0.25, 3 / 3.5
    talent = (carl + dana) / 2
    weight = scoring.SECTION_WEIGHTS
    expected = 50 * (
        weight["demand"] * demand
        + weight["comparables"] * comparables
        + weight["talent"] * talent
        + weight["budget"] * 1.0
    )
    assert card.recommendation == GreenlightRecommendation.GREENLIGHT
    assert card.score == pytest.approx(expected)

    staff = client_of(StaffUserFactory())
    data = data_of(staff, GREENLIGHT_QUERY, {"id": to_base64("Production", night_train.pk)})
    read = data["production"]["greenlight"]
    assert read["recommendation"] == "GREENLIGHT"
    assert read["score"]["value"] == pytest.approx(expected)
    assert read["targetSegments"] == ["US / 25-34"]
    # The year back from the latest day with viewing.
    latest = ViewingEvent.objects.latest("started_at").started_at.astimezone(UTC).date()
    assert (read["windowStart"], read["windowEnd"]) == (
        (latest - timedelta(days=364)).isoformat(),
        latest.isoformat(),
    )
    assert read["reasons"][-1] == f"Score {expected:.0f} is 60 or more: greenlight."
    assert read["demand"]["status"] == "OK"
    assert read["demand"]["basis"] == "TARGET_SEGMENTS"
    (segment,) = read["demand"]["segments"]
    assert segment["segment"] == "US / 25-34"
    assert segment["genres"] == [
        {
            "genre": "Drama",
            "share": pytest.approx(15 / 24),
            "everyoneShare": pytest.approx(15 / 34),
            "lift": pytest.approx(demand),
        }
    ]
    assert read["demand"]["index"]["value"] == pytest.approx(demand)
    # No recommender model has been trained: no titles alike to go by.
    assert read["demand"]["viewersLikeThese"] == []
    assert read["comparables"]["status"] == "OK"
    assert [
        (t["name"], t["views"], t["hoursViewed"], t["budgetUsd"], t["viewsPerMillionUsd"])
        for t in read["comparables"]["titles"]
    ] == [
        ("Crossing", 6.0, 6.0, 40 * MILLION, 0.15),
        ("Border", 4.0, 4.0, 20 * MILLION, 0.2),
        ("Atlas", 2.0, 2.0, 10 * MILLION, 0.2),
    ]
    assert read["comparables"]["titles"][0]["why"] == (
        "shares Drama; runs 60 min, 0 from 60; from 2024, 2 years from 2026"
    )
    assert read["comparables"]["titles"][0]["title"] == {"name": "Crossing"}
    assert read["comparables"]["notWatched"] == 1  # Unseen Drama
    assert read["comparables"]["medianViews"]["value"] == 4.0
    assert read["comparables"]["typicalViews"] == {
        "value": 3.5,
        "inputs": [{"name": "titles", "value": 6.0}],
    }
    people = read["talent"]["people"]
    assert [(p["name"], p["parts"], p["person"]["name"]) for p in people] == [
        ("Carl Cast", ["cast: Conductor"], "Carl Cast"),
        ("Dana Director", ["crew: Director"], "Dana Director"),
    ]
    assert people[0]["titles"] == [
        {
            "name": "Carl's Hit",
            "views": 8.0,
            "typicalViews": 3.5,
            "index": pytest.approx(8 / 3.5),
            "title": {"year": 2015},
        }
    ]
    assert (people[0]["awardWins"], people[0]["awardNominations"]) == (1, 2)
    assert people[0]["awardBonus"]["value"] == pytest.approx(0.25)
    assert people[0]["score"]["value"] == pytest.approx(carl)
    assert people[1]["score"]["value"] == pytest.approx(dana)
    assert read["talent"]["index"]["value"] == pytest.approx(talent)
    assert read["budget"] == {
        "status": "OK",
        "budgetUsd": 20 * MILLION,
        "index": {"value": pytest.approx(1.0)},
        "medianBudgetUsd": {"value": 20 * MILLION},
        "viewsPerMillionUsd": {"value": pytest.approx(0.2)},
        "projectedViewsPerMillionUsd": {"value": pytest.approx(0.2)},
    }


def test_refreshing_again_with_the_same_inputs_writes_nothing(
    worker: WorkController, night_train: Production
) -> None:
    first = refresh(night_train)
    row = GreenlightScorecard.objects.get(production=night_train)

    second = refresh(night_train)

    again = GreenlightScorecard.objects.get(production=night_train)
    assert second == {**first, "written": False}
    assert (again.pk, again.computed_at, again.inputs_fingerprint, again.figures) == (
        row.pk,
        row.computed_at,
        row.inputs_fingerprint,
        row.figures,
    )


def test_a_changed_input_rewrites_the_scorecard(
    worker: WorkController, night_train: Production
) -> None:
    first = refresh(night_train)
    Production.objects.filter(pk=night_train.pk).update(budget_usd=80 * MILLION)

    second = refresh(night_train)

    card = GreenlightScorecard.objects.get(production=night_train)
    assert second["written"] is True
    assert second["fingerprint"] == card.inputs_fingerprint != first["fingerprint"]
    # Four times the budget: a quarter of the comparables' views per million dollars.
    assert card.figures["budget"]["index"]["value"] == pytest.approx(0.25)
    assert card.figures["budget"]["points"] == pytest.approx(12.5)


def test_a_budget_changed_over_the_api_has_the_worker_recompute_the_scorecard(
    worker: WorkController, night_train: Production
) -> None:
    first = refresh(night_train)
    update = """
    mutation ($input: UpdateProductionInput!) { updateProduction(input: $input) { budgetUsd } }
    """

    data_of(
        client_of(StaffUserFactory()),
        update,
        {
            "input": {
                "productionId": to_base64("Production", night_train.pk),
                "budgetUsd": 80 * MILLION,
            }
        },
    )

    wait_until(
        lambda: (
            GreenlightScorecard.objects.get(production=night_train).inputs_fingerprint
            != first["fingerprint"]
        )
    )
    card = GreenlightScorecard.objects.get(production=night_train)
    assert card.figures["budget"]["index"]["value"] == pytest.approx(0.25)


def refreshes_waiting_for(production: Production) -> int:
    """Sessions of this database waiting for the production's scorecard lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND classid = %s AND objid = %s
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            [LOCK_NAMESPACE, production.pk],
        )
        (waiting,) = cursor.fetchone()
    return int(waiting)


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = clock.monotonic() + TASK_TIMEOUT
    while not condition():
        assert clock.monotonic() < deadline, "timed out"
        clock.sleep(0.05)


def test_two_refreshes_at_once_take_turns_and_the_second_writes_nothing(
    worker: WorkController, night_train: Production
) -> None:
    key = scorecard_lock_key(night_train.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            sent = [tasks.refresh_greenlight_scorecard.delay(night_train.pk) for _ in range(2)]
            wait_until(lambda: refreshes_waiting_for(night_train) == 2)
            assert not GreenlightScorecard.objects.exists()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])

    reports = [result.get(timeout=TASK_TIMEOUT) for result in sent]

    assert sorted(report["written"] for report in reports) == [False, True]
    assert len({report["fingerprint"] for report in reports}) == 1
    assert GreenlightScorecard.objects.count() == 1


def test_the_nightly_refresh_covers_every_production_not_released_or_cancelled(
    worker: WorkController, night_train: Production
) -> None:
    casting: Production = ProductionFactory(stage=Stage.CASTING)
    released: Production = ProductionFactory(stage=Stage.RELEASED)
    cancelled: Production = ProductionFactory(stage=Stage.CANCELLED)

    report = tasks.refresh_greenlight_scorecards.delay().get(timeout=TASK_TIMEOUT)

    assert report == {"productions": 2}
    wait_until(lambda: GreenlightScorecard.objects.count() == 2)
    assert set(GreenlightScorecard.objects.values_list("production_id", flat=True)) == {
        night_train.pk,
        casting.pk,
    }
    assert not GreenlightScorecard.objects.filter(production__in=[released, cancelled]).exists()
    # No genres, viewing, talent or comparables: nothing to decide on.
    bare = GreenlightScorecard.objects.get(production=casting)
    assert (bare.recommendation, bare.score) == (GreenlightRecommendation.DEVELOP, None)


@pytest.mark.django_db
def test_a_refresh_of_a_deleted_production_writes_nothing() -> None:
    report = scorecard_refresh(0)

    assert report.as_dict() == {
        "production_id": 0,
        "written": False,
        "recommendation": None,
        "fingerprint": None,
        "missing": True,
    }
    assert not GreenlightScorecard.objects.exists()


@pytest.mark.django_db
def test_a_refresh_is_sent_once_the_change_commits(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []

    def send_task(name: str, args: tuple[int]) -> None:
        assert name == tasks.refresh_greenlight_scorecard.name
        sent.extend(args)

    monkeypatch.setattr(celery_app, "send_task", send_task)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.refresh_scorecard_after_commit(7)
        assert sent == []

    assert sent == [7]
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_a_broker_failure_never_fails_the_change_that_asked_for_a_refresh(
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broker_down(name: str, args: tuple[int]) -> None:
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(celery_app, "send_task", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_scorecard_after_commit(7)

    assert "the broker is down" in caplog.text


@pytest.mark.django_db
def test_a_production_has_no_scorecard_until_the_worker_computed_one() -> None:
    production = ProductionFactory()

    data = data_of(
        client_of(StaffUserFactory()),
        "query ($id: ID!) { production(id: $id) { greenlight { recommendation } } }",
        {"id": to_base64("Production", production.pk)},
    )

    assert data == {"production": {"greenlight": None}}


# ---------------------------------------------------------------------------------------
# Casting insights

INSIGHTS = """
query ($id: ID!, $first: Int) {
  node(id: $id) {
    ... on CastingRole {
      character
      insights(first: $first) {
        rank name parts person { name } awardWins awardNominations
        trackRecord { value } awardBonus { value }
        score { value formula inputs { name value } }
        titles { name views typicalViews index title { name } }
      }
    }
  }
}
"""


def auditioned_role(people: int, films_each: int) -> CastingRole:
    """A role in a production for US viewers aged 25-34, and `people` actors who auditioned
    for it, each in `films_each` films: actor n's films were watched n + 1 times each by
    the segment, and 10 times each by viewers outside it. Actor 0 won an award; a newcomer
    with no films auditioned twice."""
    production: Production = ProductionFactory(title__name="Night Train")
    TargetSegment.objects.create(production=production, region="US", age_band="25-34")
    role: CastingRole = CastingRoleFactory(production=production, character="Conductor")
    in_segment = [ProfileFactory(region="US", age_band="25-34")]
    outside = [ProfileFactory(region="GB", age_band="25-34")]
    for n in range(people):
        actor = PersonFactory(name=f"Actor {n}")
        AuditionFactory(role=role, person=actor)
        for f in range(films_each):
            film = TitleFactory(name=f"Film {n}.{f}", runtime_minutes=60, year=2000 + f)
            CastCreditFactory(title=film, person=actor)
            watch(in_segment, film, n + 1)
            watch(outside, film, 10)
    AwardFactory(person=Person.objects.get(name="Actor 0"), is_winner=True)
    newcomer = PersonFactory(name="Newcomer")
    AuditionFactory(role=role, person=newcomer)
    AuditionFactory(role=role, person=newcomer)
    refresh_aggregates()
    return role


def insights_of(role: CastingRole, first: int = 10) -> list[dict[str, Any]]:
    data = data_of(
        client_of(StaffUserFactory()),
        INSIGHTS,
        {"id": to_base64("CastingRole", role.pk), "first": first},
    )
    assert data["node"]["character"] == "Conductor"
    insights: list[dict[str, Any]] = data["node"]["insights"]
    return insights


@pytest.mark.django_db
def test_casting_insights_rank_who_auditioned_by_their_track_record_in_the_target_segments() -> (
    None
):
    role = auditioned_role(people=2, films_each=1)

    insights = insights_of(role)
    # Typical movie views in the segment: the median of 1 and 2.
    assert [(i["rank"], i["name"], i["person"]["name"]) for i in insights] == [
        (1, "Actor 1", "Actor 1"),
        (2, "Actor 0", "Actor 0"),
        (3, "Newcomer", "Newcomer"),
    ]
    first, second, newcomer = insights
    assert first["parts"] == ["auditioned: Conductor"]
    assert first["titles"] == [
        {
            "name": "Film 1.0",
            "views": 2.0,
            "typicalViews": 1.5,
            "index": pytest.approx(2 / 1.5),
            "title": {"name": "Film 1.0"},
        }
    ]
    assert first["score"] == {
        "value": pytest.approx(2 / 1.5),
        "formula": "track record + award bonus",
        "inputs": [
            {"name": "track record", "value": pytest.approx(2 / 1.5)},
            {"name": "award bonus", "value": 0.0},
        ],
    }
    assert (second["awardWins"], second["awardNominations"]) == (1, 1)
    assert second["trackRecord"]["value"] == pytest.approx(1 / 1.5)
    assert second["awardBonus"]["value"] == pytest.approx(0.2)
    assert second["score"]["value"] == pytest.approx(1 / 1.5 + 0.2)
    assert newcomer["titles"] == []
    assert newcomer["score"]["value"] is None
    assert newcomer["trackRecord"]["value"] is None
    assert [i["name"] for i in insights_of(role, first=1)] == ["Actor 1"]


@pytest.mark.django_db
@pytest.mark.parametrize(("people", "films_each"), [(2, 1), (6, 3)])
def test_casting_insights_take_a_fixed_number_of_queries(people: int, films_each: int) -> None:
    role = auditioned_role(people=people, films_each=films_each)
    client = client_of(StaffUserFactory())

    with CaptureQueriesContext(connection) as captured:
        data = data_of(client, INSIGHTS, {"id": to_base64("CastingRole", role.pk)})

    insights = data["node"]["insights"]
    assert len(insights) == people + 1
    assert all(len(i["titles"]) == films_each for i in insights[:-1])
    assert [i["name"] for i in insights][:2] == [f"Actor {people - 1}", f"Actor {people - 2}"]
    # session, account, the role; then the roles, their productions' target segments, the
    # auditions, the credits, the credited titles, the awards, the views and the typical
    # views (planned without nested loops: a SET and a RESET around it); the people; the
    # titles
    assert len(captured) == 15


def stored_scorecard_of(production: Production, made: GreenlightInputs | None = None) -> None:
    made = made or inputs()
    card = scorecard(made)
    GreenlightScorecard.objects.create(
        production=production,
        recommendation=card.recommendation,
        score=card.score.value,
        reasons=card.reasons,
        figures={**card.figures(), SCORING_VERSION_KEY: scoring.SCORING_VERSION},
        inputs_fingerprint=inputs_fingerprint(made),
        computed_at=datetime.now(UTC),
    )


SCORECARDS = """
{
  productions(first: 50) {
    edges { node { greenlight { recommendation score { value } comparables { titles { name } } } } }
  }
}
"""


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 5])
def test_the_production_list_reads_the_scorecards_with_the_productions(count: int) -> None:
    for _ in range(count):
        stored_scorecard_of(ProductionFactory())
    client = client_of(StaffUserFactory())

    with CaptureQueriesContext(connection) as captured:
        data = data_of(client, SCORECARDS)

    cards = [edge["node"]["greenlight"] for edge in data["productions"]["edges"]]
    assert len(cards) == count
    assert all(card["recommendation"] == "GREENLIGHT" for card in cards)
    assert [card["score"]["value"] for card in cards] == [pytest.approx(70.625)] * count
    assert [t["name"] for t in cards[0]["comparables"]["titles"]] == [
        "Crossing",
        "Border",
        "Atlas",
    ]
    # session, account; the page of productions with their scorecards and the total count
    assert len(captured) == 3


# ---------------------------------------------------------------------------------------
# The scoring's track record

METHOD = """
query ($id: ID!) {
  production(id: $id) {
    greenlight {
      method {
        version greenlightFrom passBelow weights { section weight }
        trackRecord {
          trainedOn testedOn outcome demandBasis titles decidable baseRate spearman
          calibration { low high titles inTopHalf }
        }
      }
      scoreBand { low high titles inTopHalf }
    }
  }
}
"""


@pytest.fixture
def fresh_track_record() -> Iterator[None]:
    track_record.cache_clear()
    yield
    track_record.cache_clear()


def scorecard_method(production: Production) -> dict[str, Any]:
    data = data_of(
        client_of(StaffUserFactory()), METHOD, {"id": to_base64("Production", production.pk)}
    )
    method: dict[str, Any] = data["production"]["greenlight"]
    return method


@pytest.mark.django_db
def test_a_scorecard_says_which_scoring_made_it_and_how_that_scoring_did_on_history(
    fresh_track_record: None,
) -> None:
    production = ProductionFactory()
    stored_scorecard_of(production)  # a score of 73.1
    record = track_record()
    assert record is not None  # the backtest of the scoring in use ships with it

    card = scorecard_method(production)

    assert card["method"] == {
        "version": scoring.SCORING_VERSION,
        "greenlightFrom": scoring.GREENLIGHT_FROM,
        "passBelow": scoring.PASS_BELOW,
        "weights": [
            {"section": section, "weight": weight}
            for section, weight in scoring.SECTION_WEIGHTS.items()
        ],
        "trackRecord": {
            "trainedOn": "1998-2002",  # the sample's years the weights in use were fitted on
            "testedOn": f"{record.tested_on[0]}-{record.tested_on[1]}",
            "outcome": "viewers in the 12 months after release",
            "demandBasis": record.demand_basis,
            "titles": record.titles,
            "decidable": record.decidable,
            "baseRate": record.base_rate,
            "spearman": record.spearman,
            "calibration": [
                {"low": b.low, "high": b.high, "titles": b.titles, "inTopHalf": b.in_top_half}
                for b in record.calibration
            ],
        },
    }
    top = record.calibration[-1]
    assert (top.low, top.high) == (70.0, None)
    assert card["scoreBand"] == {
        "low": 70.0,
        "high": None,
        "titles": top.titles,
        "inTopHalf": top.in_top_half,
    }


@pytest.mark.django_db
def test_a_scoring_version_no_backtest_measured_has_no_track_record(
    fresh_track_record: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = ProductionFactory()
    stored_scorecard_of(production)  # by the scoring version in use
    stored = scoring.SCORING_VERSION
    monkeypatch.setattr(scoring, "SCORING_VERSION", stored + 1)

    card = scorecard_method(production)

    # the card is of a version whose weights the code no longer holds, and none is measured
    assert card["method"] == {
        "version": stored,
        "greenlightFrom": None,
        "passBelow": None,
        "weights": [],
        "trackRecord": None,
    }
    assert card["scoreBand"] is None


@pytest.mark.django_db
def test_weights_changed_since_the_backtest_have_no_track_record(
    fresh_track_record: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = ProductionFactory()
    stored_scorecard_of(production)
    weights = scoring.SECTION_WEIGHTS
    monkeypatch.setattr(scoring, "SECTION_WEIGHTS", {**weights, "budget": weights["budget"] + 0.1})

    card = scorecard_method(production)

    assert card["method"]["trackRecord"] is None
    assert card["scoreBand"] is None


@pytest.mark.parametrize(
    ("score", "band"),
    [(0.0, "0-40"), (39.99, "0-40"), (60.0, "60-70"), (69.99, "60-70"), (100.0, "70+")],
)
def test_a_score_falls_in_one_calibration_band(score: float, band: str) -> None:
    record = TrackRecord(
        scoring_version=1,
        weights=dict(scoring.SECTION_WEIGHTS),
        greenlight_from=60.0,
        pass_below=40.0,
        measured_on=datetime(2026, 12, 7, tzinfo=UTC).date(),
        trained_on=None,
        tested_on=(2004, 2014),
        outcome="viewers in the 12 months after release",
        demand_basis="hours per title",
        titles=30,
        decidable=20,
        base_rate=0.25,
        spearman=0.15,
        calibration=(
            CalibrationBand(0.0, 40.0, titles=10, in_top_half=0.1),
            CalibrationBand(40.0, 60.0, titles=0, in_top_half=None),
            CalibrationBand(60.0, 70.0, titles=8, in_top_half=0.375),
            CalibrationBand(70.0, None, titles=12, in_top_half=0.5),
        ),
    )

    found = record.band_for(score)

    assert found is not None
    assert found.label == band
    assert record.in_words(65.0) == (
        "Titles that scored 60-70 were in the top half of their release year for viewers in "
        "the 12 months after release 38 % of the time, against 25 % of all the test titles "
        "(8 titles, 2004-2014)."
    )
    assert record.in_words(50.0) == "No test-year title scored 50.0: the backtest cannot say."


# ---------------------------------------------------------------------------------------
# Viewers like these: evidence beside demand, never scored


def likely(region: str, age_band: str, lift: float, title_ids: list[int]) -> LikelySegment:
    return LikelySegment(
        age_band=age_band,
        gender=None,
        region=region,
        share=0.5,
        everyone_share=0.5 / lift,
        lift=lift,
        viewers=40,
        title_ids=title_ids,
    )


def test_viewers_like_these_ride_with_demand_and_move_no_score() -> None:
    segments = [likely("FR", "18-24", 3.25, [11, 12]), likely("US", "25-34", 1.4, [13])]
    with_them = inputs(viewers_like_these=segments)

    card = scorecard(with_them)

    plain = scorecard(inputs())
    assert card.demand.viewers_like_these == segments
    assert (card.score, card.recommendation, card.reasons) == (
        plain.score,
        plain.recommendation,
        plain.reasons,
    )
    assert replace(card.demand, viewers_like_these=[]) == plain.demand
    # They are inputs: new ones are stored, with the same score.
    assert inputs_fingerprint(with_them) != inputs_fingerprint(inputs())
    stored = json.loads(json.dumps(card.figures()))
    assert scorecard_from_figures(card.recommendation, card.reasons, stored) == card


def test_a_scorecard_stored_before_viewers_like_these_reads_with_none() -> None:
    card = scorecard(inputs())
    stored = json.loads(json.dumps(card.figures()))
    del stored["demand"]["viewers_like_these"]

    assert scorecard_from_figures(card.recommendation, card.reasons, stored) == card


@pytest.fixture
def last_ride(transactional_db: None) -> Production:
    """A western in development by the director whose westerns French viewers aged 18-24
    watch (nobody else does), once the recommender has learnt it."""
    world = westerns_world()
    train_model()
    production: Production = ProductionFactory(
        title=new_western(world, year=2026, status=TitleStatus.IN_PRODUCTION)
    )
    return production


VIEWERS_LIKE_THESE = """
query ($id: ID!) {
  production(id: $id) {
    greenlight {
      score { value }
      demand { viewersLikeThese { ageBand gender region share lift segment titles { name } } }
    }
  }
}
"""


def test_staff_see_the_viewers_a_new_title_is_likely_to_reach(
    worker: WorkController, last_ride: Production
) -> None:
    refresh(last_ride)

    data = data_of(
        client_of(StaffUserFactory()),
        VIEWERS_LIKE_THESE,
        {"id": to_base64("Production", last_ride.pk)},
    )

    card = GreenlightScorecard.objects.get(production=last_ride)
    read = data["production"]["greenlight"]
    first = read["demand"]["viewersLikeThese"][0]
    assert (first["ageBand"], first["gender"], first["region"]) == ("18-24", None, "FR")
    assert first["segment"] == "18-24 in FR"
    # A quarter of all viewing, and all of the westerns'.
    assert first["share"] == pytest.approx(1.0)
    assert first["lift"] == pytest.approx(4.0)
    assert [title["name"] for title in first["titles"]] == ["Western 0", "Western 1", "Western 2"]
    assert read["score"]["value"] == card.score
    assert card.figures["demand"]["viewers_like_these"][0]["region"] == "FR"


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["viewer", "anonymous"])
def test_only_staff_see_viewers_like_these(caller: str) -> None:
    production = ProductionFactory()
    stored_scorecard_of(production)
    client = client_of(None if caller == "anonymous" else ViewerFactory())

    body = graphql(client, VIEWERS_LIKE_THESE, {"id": to_base64("Production", production.pk)})

    assert error_codes(body) == ["FORBIDDEN" if caller == "viewer" else "UNAUTHENTICATED"]
    assert body["data"] is None


LIKELY_SCORECARDS = """
{
  productions(first: 50) {
    edges {
      node { greenlight { demand { viewersLikeThese { region lift titles { name } } } } }
    }
  }
}
"""


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 5])
def test_viewers_like_these_take_a_fixed_number_of_queries(count: int) -> None:
    titles = [TitleFactory(name=f"Alike {n}") for n in range(3)]
    segments = [
        likely("FR", "18-24", 3.25, [titles[0].pk, titles[1].pk]),
        likely("US", "25-34", 1.4, [titles[2].pk]),
    ]
    for _ in range(count):
        stored_scorecard_of(ProductionFactory(), inputs(viewers_like_these=segments))
    client = client_of(StaffUserFactory())

    with CaptureQueriesContext(connection) as captured:
        data = data_of(client, LIKELY_SCORECARDS)

    cards = [edge["node"]["greenlight"] for edge in data["productions"]["edges"]]
    assert len(cards) == count
    assert all(
        card["demand"]["viewersLikeThese"]
        == [
            {"region": "FR", "lift": 3.25, "titles": [{"name": "Alike 0"}, {"name": "Alike 1"}]},
            {"region": "US", "lift": 1.4, "titles": [{"name": "Alike 2"}]},
        ]
        for card in cards
    )
    # session, account; the page of productions with their scorecards and the total count;
    # the titles alike of every scorecard
    assert len(captured) == 4
