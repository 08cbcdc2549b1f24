"""The greenlight backtest: `manage.py backtest_greenlight` replays the scorecard on history
with only what existed before each cut-off, counts what happened after release, and fits
its weights and thresholds on the training years alone."""

from __future__ import annotations

import csv
import datetime
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from catalog.models import ExternalIdSource, Genre, Title
from production.greenlight import scoring
from production.greenlight.backtest import ReplayedTitle
from production.greenlight.backtest_evaluation import CURRENT, FITTED, TEST, evaluate
from production.greenlight.backtest_metrics import (
    CURRENT_THRESHOLDS,
    Band,
    HitRates,
    calibration,
    hit_rates,
    spearman,
    top_half,
)
from production.greenlight.track_record import track_record_from
from production.management.commands import backtest_greenlight
from tests.audience.aggregates import refresh_aggregates
from tests.factories import (
    AwardFactory,
    CrewCreditFactory,
    ExternalIdFactory,
    GenreFactory,
    PersonFactory,
    ProfileFactory,
    TitleFactory,
    ViewingEventFactory,
)

MILLION = 1_000_000


def at(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def sample_movie(name: str, year: int, genre: Genre, *, budget: int | None = None) -> Title:
    title: Title = TitleFactory(name=name, year=year, genres=[genre], budget_usd=budget)
    ExternalIdFactory(title=title, source=ExternalIdSource.MOVIELENS, value=str(title.pk))
    return title


def watch(title: Title, when: datetime.datetime, *, viewers: int = 1, **profile: Any) -> None:
    for _ in range(viewers):
        ViewingEventFactory(
            profile=ProfileFactory(**profile), title=title, started_at=when, seconds_watched=6600
        )


@pytest.fixture
def history(db: None) -> dict[str, Any]:
    """A movie to be released in 2010 (cut-off 1 January 2009, window 2008), its director,
    four earlier dramas watched in 2008 and comedies to share the viewing with."""
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    target = sample_movie("Night Train", 2010, drama, budget=20 * MILLION)
    sample_movie("Harbour Lights", 2008, comedy)  # a training year's movie
    earlier = [
        TitleFactory(name=f"Drama {n}", year=2005, genres=[drama], budget_usd=n * 10 * MILLION)
        for n in range(1, 5)
    ]
    for n, title in enumerate(earlier, start=1):
        watch(title, at(2008, 6, n), viewers=n)
        watch(title, at(2007, 6, n))
    for n in range(3):
        watch(TitleFactory(name=f"Comedy {n}", year=2004, genres=[comedy]), at(2008, 3, 1))
        watch(TitleFactory(name=f"Old comedy {n}", year=2003, genres=[comedy]), at(2007, 3, 1))
    director = PersonFactory(name="Ida Lane")
    CrewCreditFactory(title=target, person=director)
    CrewCreditFactory(title=earlier[0], person=director)
    AwardFactory(person=director, title=earlier[0], ceremony_year=2008, is_winner=True)
    refresh_aggregates()
    return {"target": target, "drama": drama, "director": director, "earlier": earlier}


def backtest(tmp_path: Path, **options: Any) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
    """Run the command; its rows by title name and its saved figures."""
    rows, results = tmp_path / "titles.csv", tmp_path / "results.json"
    call_command(
        "backtest_greenlight",
        "--train-years",
        options.get("train", "2007-2008"),
        "--test-years",
        options.get("test", "2010-2011"),
        "--titles",
        str(rows),
        "--results",
        str(results),
        verbosity=0,
    )
    with rows.open() as file:
        by_name = {row["name"]: row for row in csv.DictReader(file)}
    return by_name, json.loads(results.read_text())


SECTION_COLUMNS = ("demand", "comparables", "talent", "budget")


@pytest.mark.django_db
def test_nothing_after_the_cut_off_feeds_a_title_s_scorecard(
    history: dict[str, Any], tmp_path: Path
) -> None:
    before, _ = backtest(tmp_path)
    scored = {column: before["Night Train"][column] for column in SECTION_COLUMNS}
    assert all(scored.values()), scored  # every section had data as of the cut-off

    # Viewing from the cut-off (1 January 2009) on, a drama released in the cut-off's
    # year, another credit and an award of the director from then: none existed before.
    for title in history["earlier"]:
        watch(title, at(2009, 1, 1, 0), viewers=5)
        watch(title, at(2009, 7, 1), viewers=5)
    late = TitleFactory(name="Late drama", year=2009, genres=[history["drama"]], budget_usd=MILLION)
    watch(late, at(2009, 6, 1), viewers=20)
    CrewCreditFactory(title=late, person=history["director"])
    AwardFactory(person=history["director"], title=late, ceremony_year=2009, is_winner=True)
    watch(history["target"], at(2010, 2, 1), viewers=2)
    refresh_aggregates()
    after, _ = backtest(tmp_path)

    assert {column: after["Night Train"][column] for column in SECTION_COLUMNS} == scored
    assert (before["Night Train"]["viewers_12m"], after["Night Train"]["viewers_12m"]) == ("0", "2")


@pytest.mark.django_db
def test_outcomes_count_distinct_viewers_in_the_months_after_release(
    history: dict[str, Any], tmp_path: Path
) -> None:
    target = history["target"]  # released 1 January 2010, budget $20M
    twice = ProfileFactory()
    for when in (at(2010, 3, 1), at(2010, 5, 1)):
        ViewingEventFactory(profile=twice, title=target, started_at=when)
    watch(target, at(2010, 12, 31, 23), viewers=1)  # the first 12 months
    watch(target, at(2011, 6, 1), viewers=1)  # the first 24 months
    watch(target, at(2009, 12, 31, 23), viewers=1)  # before release
    watch(target, at(2012, 1, 1, 0), viewers=1)  # 24 months after: outside

    rows, _ = backtest(tmp_path)

    row = rows["Night Train"]
    assert (row["viewers_12m"], row["viewers_24m"]) == ("2", "3")
    assert (row["viewers_12m_per_million_usd"], row["viewers_24m_per_million_usd"]) == (
        "0.1",
        "0.15",
    )
    assert (row["imdb_votes"], row["imdb_rating"]) == ("", "")  # no ggplot2movies id


@pytest.mark.django_db
def test_too_few_training_titles_to_fit_leave_the_current_weights(
    history: dict[str, Any], tmp_path: Path
) -> None:
    _, figures = backtest(tmp_path)

    assert figures["train_years"] == [2007, 2008]
    assert figures["test_years"] == [2010, 2011]
    assert figures["weights"] == figures["current_weights"] == scoring.SECTION_WEIGHTS
    assert figures["outcome"] == "viewers_12m"


@pytest.mark.django_db
def test_training_years_whose_outcomes_reach_past_a_test_cut_off_are_refused() -> None:
    # A 2009 movie's first 12 months are 2009, after the cut-off of a 2010 movie (1 January
    # 2009): a fit on them would know what the test years could not.
    with pytest.raises(CommandError, match="must end by 2008"):
        call_command("backtest_greenlight", "--train-years=2007-2009", "--test-years=2010-2011")


@pytest.mark.django_db
def test_the_docs_and_the_scorecard_s_track_record_come_from_the_same_run(
    history: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, plot, record = tmp_path / "benchmarks.md", tmp_path / "plot.png", tmp_path / "record.json"
    docs.write_text("# Benchmarks\n")
    monkeypatch.setattr(backtest_greenlight, "DOCS", docs)
    monkeypatch.setattr(backtest_greenlight, "PLOT", plot)
    results = tmp_path / "results.json"

    call_command(
        "backtest_greenlight",
        "--train-years=2007-2008",
        "--test-years=2010-2011",
        f"--results={results}",
        f"--track-record={record}",
        "--write-docs",
        verbosity=0,
    )

    figures = json.loads(results.read_text())
    written = track_record_from(json.loads(record.read_text()))
    assert written.scoring_version == scoring.SCORING_VERSION
    # the record is of the weights in use, fitted on the sample's years, not on these
    assert (written.trained_on, written.tested_on) == (scoring.WEIGHTS_FITTED_ON, (2010, 2011))
    # one test-year title: too few to rank, in both
    assert written.spearman is figures["test_spearman"]["scorecard, current weights"] is None
    bands = figures["test_calibration"]["scorecard, current weights"]
    assert [(b.low, b.titles) for b in written.calibration] == [
        (band["low"], band["titles"]) for band in bands
    ]
    assert written.calibration[-1].high is None
    assert "## Greenlight scorecard: backtest" in docs.read_text()
    assert plot.stat().st_size > 0


# ---------------------------------------------------------------------------------------
# The metrics and the fit, on replayed titles made by hand


def replayed(
    title_id: int,
    year: int,
    outcome: float,
    *,
    demand: float | None = None,
    comparables: float | None = None,
) -> ReplayedTitle:
    return ReplayedTitle(
        title_id=title_id,
        name=f"Movie {title_id}",
        year=year,
        cut_off=datetime.date(year - 1, 1, 1),
        demand_points={"momentum": demand, "hours per title": demand},
        comparables_points=comparables,
        talent_points=None,
        budget_points=None,
        outcomes={
            "viewers_12m": outcome,
            "viewers_24m": outcome,
            "viewers_12m_per_million_usd": None,
            "viewers_24m_per_million_usd": None,
            "imdb_votes": None,
            "imdb_rating": None,
        },
    )


def test_the_metrics_are_what_hand_computation_gives() -> None:
    titles = [replayed(n, 2010, outcome) for n, outcome in enumerate([0, 1, 3, 2])]
    scores = np.array([10.0, 50.0, 70.0, 90.0])
    outcomes = np.array([0.0, 1.0, 3.0, 2.0])

    above = top_half(titles, outcomes)

    # Ranks 1 2 3 4 against 1 2 4 3: 1 - 6 x (0 + 0 + 1 + 1) / (4 x 15) = 0.8.
    assert spearman(scores, outcomes) == (pytest.approx(0.8), 4)
    assert above.tolist() == [0.0, 0.0, 1.0, 1.0]  # above the year's median, 1.5
    assert hit_rates(scores, above, CURRENT_THRESHOLDS) == HitRates(2, 1.0, 1, 1.0)
    assert calibration(scores, outcomes, above) == [
        Band(0.0, 40.0, 1, 0.0, 0.0),
        Band(40.0, 50.0, 0, pytest.approx(np.nan, nan_ok=True), pytest.approx(np.nan, nan_ok=True)),
        Band(50.0, 60.0, 1, 0.0, 1.0),
        Band(60.0, 70.0, 0, pytest.approx(np.nan, nan_ok=True), pytest.approx(np.nan, nan_ok=True)),
        Band(70.0, np.inf, 2, 1.0, 2.5),
    ]


def training_and_test_titles() -> list[ReplayedTitle]:
    """40 training titles whose demand ranks their outcome exactly and whose comparables
    zigzag; 20 test titles."""
    train = [
        replayed(n, 2001 + n % 2, outcome=n, demand=20 + n, comparables=50 + 30 * (-1) ** n)
        for n in range(40)
    ]
    test = [
        replayed(100 + n, 2003, outcome=n % 7, demand=30 + n, comparables=40 + n) for n in range(20)
    ]
    return train + test


def test_the_fit_sees_the_training_years_alone() -> None:
    titles = training_and_test_titles()
    changed = [
        replace(t, outcomes={**t.outcomes, "viewers_12m": 100 - (t.outcomes["viewers_12m"] or 0)})
        if t.year == 2003
        else t
        for t in titles
    ]

    first = evaluate(titles, train_years=(2001, 2002), test_years=(2003, 2003))
    second = evaluate(changed, train_years=(2001, 2002), test_years=(2003, 2003))

    # Talent and budget have no training data: they keep their weights; demand, which
    # ranks the training outcome exactly, takes the rest.
    kept = {
        "talent": scoring.SECTION_WEIGHTS["talent"],
        "budget": scoring.SECTION_WEIGHTS["budget"],
    }
    assert first.weights == {"demand": 1 - sum(kept.values()), "comparables": 0.0, **kept}
    assert (second.weights, second.thresholds) == (first.weights, first.thresholds)
    assert first.result(FITTED, TEST).spearman != second.result(FITTED, TEST).spearman
    assert first.result(CURRENT, TEST).spearman != second.result(CURRENT, TEST).spearman
