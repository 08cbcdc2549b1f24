"""The greenlight scorecard: pure scoring, inputs in, figures out.

No database and no audience code here: `production.tasks` gathers the inputs (catalog
facts and audience figures) and stores what `scorecard` returns. Every figure keeps the
formula and the values that produced it (`production.greenlight.figures`), so that staff
can retrace each number.

How a scorecard is scored:
- Four sections, each an index where 1.0 is par: demand (the target segments' lift for
  the title's genres), comparables (their median views against the typical title of the
  kind), talent (the attached people's median score: track record plus award bonus, see
  `production.greenlight.talent`) and budget (views per million dollars if the production
  performs like its comparables, against theirs).
- An index earns 100 x min(index, FULL_POINTS_INDEX) / FULL_POINTS_INDEX points, so par
  is 50 points; the score is the weighted mean of the points of the sections with data.
- With data in at least SECTIONS_TO_DECIDE sections, a score of GREENLIGHT_FROM or more
  greenlights, below PASS_BELOW passes, and in between develops further; with fewer, the
  production develops further whatever its score.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from production.greenlight.figures import (
    ALL_VIEWERS,
    INSUFFICIENT_DATA,
    OK,
    TARGET_SEGMENTS,
    BudgetSection,
    Comparable,
    ComparablesSection,
    DemandSection,
    Figure,
    FigureInput,
    GenreDemand,
    GreenlightInputs,
    ProductionFacts,
    Scorecard,
    Section,
    SegmentDemand,
    SegmentGenreShares,
    TalentSection,
    ViewedTitle,
)
from production.greenlight.talent import talent_record

# Bump when a rule or threshold here or in `production.greenlight.talent` changes, so that
# every scorecard is recomputed.
SCORING_VERSION = 2

# Views are counted over this many trailing days: a title's track record is its year.
WINDOW_DAYS = 365

# Comparable titles: the same kind, released, sharing a genre, a runtime within
# RUNTIME_BAND_MINUTES of the production's and a year within an era band of its year: the
# first band of ERA_BANDS_YEARS in which MIN_COMPARABLES were watched, so that a genre
# little made in recent years is still judged, by older titles, and says so.
RUNTIME_BAND_MINUTES = 20
ERA_BANDS_YEARS = (10, 20, 40)
# The most alike candidates are looked up; of those watched in the window, the first
# MAX_COMPARABLES count, and fewer than MIN_COMPARABLES is too few to judge by.
COMPARABLE_CANDIDATES = 50
MAX_COMPARABLES = 10
MIN_COMPARABLES = 3

# Fitted by `manage.py backtest_greenlight` on the sample movies released in
# WEIGHTS_FITTED_ON (ranking by viewers in the 12 months after release), the test years
# never seen; talent had no data there and keeps the weight it had. Budget points ranked
# those viewers the wrong way round (a cheap film earns more views per dollar, a costly one
# more viewers), so budget is shown and weighs nothing. The thresholds fitted there (60.5
# and 39.6) confirmed 60 and 40. Version 1 weighed 0.30, 0.30, 0.25 and 0.15.
SECTION_WEIGHTS = {"demand": 0.60, "comparables": 0.15, "talent": 0.25, "budget": 0.0}
WEIGHTS_FITTED_ON = (1998, 2002)
FULL_POINTS_INDEX = 2.0
GREENLIGHT_FROM = 60.0
PASS_BELOW = 40.0
SECTIONS_TO_DECIDE = 3

GREENLIGHT = "greenlight"
DEVELOP = "develop"
PASS = "pass"


def inputs_fingerprint(inputs: GreenlightInputs) -> str:
    """sha256 of the canonical JSON of the inputs and the scoring version."""
    canonical = json.dumps(
        {"version": SCORING_VERSION, "inputs": asdict(inputs)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def scorecard(inputs: GreenlightInputs) -> Scorecard:
    demand = demand_section(inputs)
    comparables = comparables_section(inputs)
    talent = talent_section(inputs)
    budget = budget_section(inputs, comparables)
    sections: dict[str, Section] = {
        "demand": demand,
        "comparables": comparables,
        "talent": talent,
        "budget": budget,
    }
    score = overall_score(sections)
    recommendation, verdict = recommendation_for(score.value, list(sections.values()))
    return Scorecard(
        recommendation=recommendation,
        score=score,
        reasons=[section.summary for section in sections.values()] + [verdict],
        window_start=inputs.window_start,
        window_end=inputs.window_end,
        target_segments=inputs.target_segments,
        demand=demand,
        comparables=comparables,
        talent=talent,
        budget=budget,
    )


def points_for(index: float) -> float:
    return 100.0 * min(index, FULL_POINTS_INDEX) / FULL_POINTS_INDEX


def overall_score(sections: dict[str, Section]) -> Figure:
    """The weighted mean of the points of the sections with data (by name)."""
    scored = [section for section in sections.values() if section.points is not None]
    inputs = []
    for name, section in sections.items():
        inputs += [
            FigureInput(f"{name} points", section.points),
            FigureInput(f"{name} weight", section.weight),
        ]
    total_weight = sum(section.weight for section in scored)
    value = (
        sum(section.weight * (section.points or 0.0) for section in scored) / total_weight
        if scored
        else None
    )
    return Figure(
        value,
        "sum of weight x points over the sections with data / sum of their weights",
        inputs,
    )


def recommendation_for(score: float | None, sections: Sequence[Section]) -> tuple[str, str]:
    """The recommendation and the sentence that explains it."""
    with_data = sum(1 for section in sections if section.status == OK)
    if score is None or with_data < SECTIONS_TO_DECIDE:
        return DEVELOP, (
            f"Only {with_data} of {len(sections)} sections have data; "
            f"{SECTIONS_TO_DECIDE} are needed to decide: develop further."
        )
    if score >= GREENLIGHT_FROM:
        return GREENLIGHT, f"Score {score:.0f} is {GREENLIGHT_FROM:.0f} or more: greenlight."
    if score < PASS_BELOW:
        return PASS, f"Score {score:.0f} is below {PASS_BELOW:.0f}: pass."
    return DEVELOP, (
        f"Score {score:.0f} is between {PASS_BELOW:.0f} and {GREENLIGHT_FROM:.0f}: develop further."
    )


def _insufficient(name: str, summary: str, index_formula: str) -> dict[str, Any]:
    return {
        "status": INSUFFICIENT_DATA,
        "summary": summary,
        "index": Figure(None, index_formula, []),
        "points": None,
        "weight": SECTION_WEIGHTS[name],
    }


def _scored(name: str, summary: str, index: Figure) -> dict[str, Any]:
    assert index.value is not None
    return {
        "status": OK,
        "summary": summary,
        "index": index,
        "points": points_for(index.value),
        "weight": SECTION_WEIGHTS[name],
    }


# Demand


DEMAND_INDEX_FORMULA = "mean over the segments of their lift for the title's genres"
SEGMENT_LIFT_FORMULA = (
    "sum of the segment's shares of the title's genres / sum of everyone's shares of them"
)
# Without target segments: do titles of these genres draw more than their share of viewing?
ALL_VIEWERS_LIFT_FORMULA = (
    "sum of the genres' shares of the hours viewed / sum of their shares of the titles watched"
)


def demand_section(inputs: GreenlightInputs) -> DemandSection:
    basis = TARGET_SEGMENTS if inputs.target_segments else ALL_VIEWERS
    formula = SEGMENT_LIFT_FORMULA if basis == TARGET_SEGMENTS else ALL_VIEWERS_LIFT_FORMULA
    segments = [_segment_demand(shares, formula) for shares in inputs.demand]
    lifts = [
        FigureInput(segment.segment, segment.lift.value)
        for segment in segments
        if segment.lift.value is not None
    ]
    if not inputs.production.genres:
        common = _insufficient("demand", "Demand: the title has no genres.", DEMAND_INDEX_FORMULA)
    elif not lifts:
        common = _insufficient(
            "demand", "Demand: nobody has watched the title's genres.", DEMAND_INDEX_FORMULA
        )
    else:
        index = Figure(
            statistics.fmean(lift.value or 0.0 for lift in lifts), DEMAND_INDEX_FORMULA, lifts
        )
        common = _scored("demand", _demand_summary(inputs, basis, index), index)
    # Viewers like these are evidence for staff: they ride along and weigh nothing.
    return DemandSection(
        **common,
        basis=basis,
        segments=segments,
        viewers_like_these=inputs.viewers_like_these,
    )


def _segment_demand(shares: SegmentGenreShares, formula: str) -> SegmentDemand:
    genres = [
        GenreDemand(
            genre=share.genre,
            share=share.share,
            everyone_share=share.everyone_share,
            lift=share.share / share.everyone_share if share.everyone_share else None,
        )
        for share in shares.genres
    ]
    share = sum(genre.share for genre in genres)
    everyone_share = sum(genre.everyone_share for genre in genres)
    lift = Figure(
        share / everyone_share if everyone_share else None,
        formula,
        [FigureInput("segment share", share), FigureInput("everyone share", everyone_share)],
    )
    return SegmentDemand(segment=shares.segment, genres=genres, lift=lift)


def _demand_summary(inputs: GreenlightInputs, basis: str, index: Figure) -> str:
    genres = ", ".join(inputs.production.genres)
    if basis == ALL_VIEWERS:
        return (
            f"Demand: with no target segments, {genres} draw {index.value:.2f}x the share of "
            "the hours viewed that they have of the titles watched."
        )
    return (
        f"Demand: the target segments watch {genres} {index.value:.2f}x as much as all viewers do."
    )


# Comparables


COMPARABLES_INDEX_FORMULA = "median views of the comparables / typical views of the kind"


def comparables_section(inputs: GreenlightInputs) -> ComparablesSection:
    production = inputs.production
    criteria = comparable_criteria(production, inputs.era_band_years or ERA_BANDS_YEARS[0])
    watched = [title for title in inputs.comparables if title.views is not None]
    chosen = [_comparable(title, production) for title in watched[:MAX_COMPARABLES]]
    views = [FigureInput(title.name, title.views) for title in chosen]
    median_views = Figure(
        statistics.median(title.views for title in chosen) if chosen else None,
        "median of the comparables' views",
        views,
    )
    typical = inputs.typical_views.get(production.kind)
    typical_views = Figure(
        typical,
        f"median views of every {production.kind} watched in the window",
        [FigureInput("titles", inputs.typical_titles.get(production.kind))],
    )
    if len(chosen) < MIN_COMPARABLES:
        common = _insufficient(
            "comparables",
            f"Comparables: insufficient data, {len(chosen)} comparable titles watched in the "
            f"window and {MIN_COMPARABLES} are needed.",
            COMPARABLES_INDEX_FORMULA,
        )
    elif not typical or median_views.value is None:
        common = _insufficient(
            "comparables",
            f"Comparables: nobody watched a {production.kind} in the window.",
            COMPARABLES_INDEX_FORMULA,
        )
    else:
        index = Figure(
            median_views.value / typical,
            COMPARABLES_INDEX_FORMULA,
            [
                FigureInput("median views", median_views.value),
                FigureInput("typical views", typical),
            ],
        )
        common = _scored(
            "comparables",
            f"Comparables: {len(chosen)} comparable titles had a median of "
            f"{median_views.value:.1f} views, {index.value:.2f}x the typical "
            f"{production.kind} ({typical:.1f}).",
            index,
        )
    return ComparablesSection(
        **common,
        criteria=criteria,
        titles=chosen,
        not_watched=len(inputs.comparables) - len(watched),
        median_views=median_views,
        typical_views=typical_views,
    )


def comparable_criteria(production: ProductionFacts, era_band_years: int) -> str:
    """The rules that chose the comparables, in words."""
    runtime = (
        f"a runtime within {RUNTIME_BAND_MINUTES} minutes of {production.runtime_minutes}"
        if production.runtime_minutes
        else "any runtime (the title has none yet)"
    )
    assumed = " (this year: the title has none yet)" if production.year_assumed else ""
    if production.comparison_year != production.year:
        assumed += (
            f" (the latest year of viewing: the title, from {production.year}, comes after it)"
        )
    return (
        f"Released titles of the kind {production.kind} that share a genre with it, with "
        f"{runtime} and a year within {era_band_years} of {production.comparison_year}"
        f"{assumed}; "
        "most shared genres first, then the closest year and runtime; the first "
        f"{MAX_COMPARABLES} that viewers watched in the window."
    )


def _comparable(title: ViewedTitle, production: ProductionFacts) -> Comparable:
    assert title.views is not None
    why = [f"shares {', '.join(title.shared_genres)}"]
    if title.runtime_minutes and production.runtime_minutes:
        apart = abs(title.runtime_minutes - production.runtime_minutes)
        why.append(f"runs {title.runtime_minutes} min, {apart} from {production.runtime_minutes}")
    if title.year:
        apart = abs(title.year - production.comparison_year)
        why.append(f"from {title.year}, {apart} years from {production.comparison_year}")
    return Comparable(
        title_id=title.title_id,
        name=title.name,
        year=title.year,
        runtime_minutes=title.runtime_minutes,
        shared_genres=title.shared_genres,
        why="; ".join(why),
        hours_viewed=title.hours_viewed or 0.0,
        views=title.views,
        budget_usd=title.budget_usd,
        views_per_million_usd=(
            title.views / (title.budget_usd / 1_000_000) if title.budget_usd else None
        ),
    )


# Talent


TALENT_INDEX_FORMULA = "median of the scores of the people with a track record"


def talent_section(inputs: GreenlightInputs) -> TalentSection:
    people = [talent_record(person, inputs.typical_views) for person in inputs.people]
    scores = [
        FigureInput(person.name, person.score.value)
        for person in people
        if person.score.value is not None
    ]
    if not people:
        common = _insufficient("talent", "Talent: nobody is attached yet.", TALENT_INDEX_FORMULA)
    elif not scores:
        common = _insufficient(
            "talent",
            "Talent: no attached person has earlier titles watched in the window.",
            TALENT_INDEX_FORMULA,
        )
    else:
        index = Figure(
            statistics.median(score.value or 0.0 for score in scores),
            TALENT_INDEX_FORMULA,
            scores,
        )
        common = _scored(
            "talent",
            f"Talent: {len(scores)} of {len(people)} attached people have a track record; "
            f"their median score is {index.value:.2f}.",
            index,
        )
    return TalentSection(**common, people=people)


# Budget


BUDGET_INDEX_FORMULA = (
    "projected views per million dollars / the comparables' median views per million dollars"
)


def budget_section(inputs: GreenlightInputs, comparables: ComparablesSection) -> BudgetSection:
    budget = inputs.production.budget_usd
    budgeted = [title for title in comparables.titles if title.budget_usd]
    budgets = [FigureInput(title.name, title.budget_usd) for title in budgeted]
    efficiencies = [FigureInput(title.name, title.views_per_million_usd) for title in budgeted]
    median_budget = Figure(
        statistics.median(title.budget_usd or 0 for title in budgeted) if budgeted else None,
        "median of the comparables' budgets",
        budgets,
    )
    views_per_million = Figure(
        statistics.median(title.views_per_million_usd or 0.0 for title in budgeted)
        if budgeted
        else None,
        "median of the comparables' views / budget in millions",
        efficiencies,
    )
    median_views = statistics.median(title.views for title in budgeted) if budgeted else None
    projected = Figure(
        median_views / (budget / 1_000_000) if budget and median_views is not None else None,
        "median views of the budgeted comparables / this budget in millions",
        [FigureInput("median views", median_views), FigureInput("budget", budget)],
    )
    if not budget:
        common = _insufficient("budget", "Budget: no budget is set.", BUDGET_INDEX_FORMULA)
    elif comparables.status != OK or len(budgeted) < MIN_COMPARABLES:
        common = _insufficient(
            "budget",
            f"Budget: insufficient data, {len(budgeted)} comparables with a budget and "
            f"{MIN_COMPARABLES} are needed.",
            BUDGET_INDEX_FORMULA,
        )
    else:
        assert projected.value is not None and views_per_million.value
        index = Figure(
            projected.value / views_per_million.value,
            BUDGET_INDEX_FORMULA,
            [
                FigureInput("projected views per million", projected.value),
                FigureInput("comparables' views per million", views_per_million.value),
            ],
        )
        common = _scored(
            "budget",
            f"Budget: ${budget / 1_000_000:.1f}M against the comparables' median "
            f"${(median_budget.value or 0) / 1_000_000:.1f}M; performing like them it would "
            f"earn {index.value:.2f}x their views per million dollars.",
            index,
        )
    return BudgetSection(
        **common,
        budget_usd=budget,
        median_budget_usd=median_budget,
        views_per_million_usd=views_per_million,
        projected_views_per_million_usd=projected,
    )
