"""The greenlight backtest's verdict: the replayed titles split by release year into
training and test years, the demand signal, section weights and thresholds fitted on the
training years alone, and every method measured on both.

Methods: the scorecard with the product's weights and thresholds, the scorecard with the
fitted ones, and the baselines: each section's points alone, and a seeded random score.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from production.greenlight import scoring
from production.greenlight.backtest import (
    DEMAND_SIGNAL_WORDS,
    DEMAND_SIGNALS,
    SECTIONS,
    ReplayedTitle,
)
from production.greenlight.backtest_metrics import (
    CURRENT_THRESHOLDS,
    Band,
    HitRates,
    Thresholds,
    baseline_scores,
    calibration,
    chosen_demand_signal,
    fitted_thresholds,
    fitted_weights,
    hit_rates,
    outcome_values,
    points_matrix,
    random_scores,
    scorecard_score,
    spearman,
    top_half,
)
from production.greenlight.backtest_outcomes import OUTCOME_MONTHS, OUTCOMES, PRIMARY_OUTCOME
from production.greenlight.track_record import CalibrationBand, TrackRecord

CURRENT = "scorecard, current weights"
FITTED = "scorecard, fitted weights"
RANDOM = "random"
TRAIN = "train"
TEST = "test"


def baseline_name(section: str) -> str:
    return f"{section} alone"


@dataclass(frozen=True)
class MethodResult:
    method: str
    period: str
    spearman: dict[str, tuple[float, int]]  # per outcome: (rho, titles)
    hits: HitRates  # on the primary outcome's top half


@dataclass(frozen=True)
class PeriodFacts:
    titles: int
    with_data: dict[str, int]  # per section
    decidable: int  # titles with data in enough sections for the product to decide
    in_top_half: float  # share of the titles in the primary outcome's top half


@dataclass(frozen=True)
class BacktestResult:
    train_years: tuple[int, int]
    test_years: tuple[int, int]
    demand_signal: str
    current_weights: dict[str, float]
    weights: dict[str, float]  # fitted
    thresholds: Thresholds  # fitted
    periods: dict[str, PeriodFacts]
    results: list[MethodResult]
    calibration: dict[str, list[Band]]  # per scorecard method, on the test years
    test_scores: dict[str, list[float]]  # per scorecard method, for the plot
    test_outcome: list[float]  # the primary outcome, same order

    def result(self, method: str, period: str) -> MethodResult:
        return next(r for r in self.results if r.method == method and r.period == period)

    def beats(self, baseline: str, *, method: str = FITTED, outcome: str = PRIMARY_OUTCOME) -> bool:
        """Whether `method`'s test Spearman is above the baseline's (a NaN loses)."""
        mine, _ = self.result(method, TEST).spearman[outcome]
        theirs, _ = self.result(baseline, TEST).spearman[outcome]
        return not math.isnan(mine) and (math.isnan(theirs) or mine > theirs)

    def track_record(self, measured_on: datetime.date) -> TrackRecord:
        """The test-year figures of the scorecard as the product scores it today."""
        rho, titles = self.result(CURRENT, TEST).spearman[PRIMARY_OUTCOME]
        test = self.periods[TEST]
        return TrackRecord(
            scoring_version=scoring.SCORING_VERSION,
            weights=dict(scoring.SECTION_WEIGHTS),
            greenlight_from=scoring.GREENLIGHT_FROM,
            pass_below=scoring.PASS_BELOW,
            measured_on=measured_on,
            trained_on=scoring.WEIGHTS_FITTED_ON,
            tested_on=self.test_years,
            outcome=f"viewers in the {OUTCOME_MONTHS[0]} months after release",
            demand_basis=DEMAND_SIGNAL_WORDS[self.demand_signal],
            titles=titles,
            decidable=test.decidable,
            base_rate=test.in_top_half,
            spearman=None if math.isnan(rho) else rho,
            calibration=tuple(
                CalibrationBand(
                    low=band.low,
                    high=None if math.isinf(band.high) else band.high,
                    titles=band.titles,
                    in_top_half=None if math.isnan(band.in_top_half) else band.in_top_half,
                )
                for band in self.calibration[CURRENT]
            ),
        )


def evaluate(
    titles: Sequence[ReplayedTitle], *, train_years: tuple[int, int], test_years: tuple[int, int]
) -> BacktestResult:
    train = [title for title in titles if train_years[0] <= title.year <= train_years[1]]
    test = [title for title in titles if test_years[0] <= title.year <= test_years[1]]
    # Everything chosen here sees the training titles only.
    signal = chosen_demand_signal(train, DEMAND_SIGNALS, PRIMARY_OUTCOME)
    train_points = points_matrix(train, signal)
    train_outcome = outcome_values(train, PRIMARY_OUTCOME)
    weights = fitted_weights(train_points, train_outcome)
    thresholds = fitted_thresholds(
        _scorecard_scores(train, signal, weights), top_half(train, train_outcome)
    )
    current = dict(scoring.SECTION_WEIGHTS)
    results: list[MethodResult] = []
    calibrations: dict[str, list[Band]] = {}
    test_scores: dict[str, list[float]] = {}
    for period, of_period in ((TRAIN, train), (TEST, test)):
        points = points_matrix(of_period, signal)
        methods = {
            CURRENT: (_scorecard_scores(of_period, signal, current), CURRENT_THRESHOLDS),
            FITTED: (_scorecard_scores(of_period, signal, weights), thresholds),
            **{
                baseline_name(section): (baseline_scores(points, section), CURRENT_THRESHOLDS)
                for section in SECTIONS
            },
            RANDOM: (random_scores(len(of_period)), CURRENT_THRESHOLDS),
        }
        primary = outcome_values(of_period, PRIMARY_OUTCOME)
        above = top_half(of_period, primary)
        values = {outcome: outcome_values(of_period, outcome) for outcome in OUTCOMES}
        for method, (scores, method_thresholds) in methods.items():
            results.append(
                MethodResult(
                    method=method,
                    period=period,
                    spearman={
                        outcome: spearman(scores, measured) for outcome, measured in values.items()
                    },
                    hits=hit_rates(scores, above, method_thresholds),
                )
            )
        if period == TEST:
            for method in (CURRENT, FITTED):
                calibrations[method] = calibration(methods[method][0], primary, above)
                test_scores[method] = methods[method][0].tolist()
    return BacktestResult(
        train_years=train_years,
        test_years=test_years,
        demand_signal=signal,
        current_weights=current,
        weights=weights,
        thresholds=thresholds,
        periods={TRAIN: _facts(train, signal), TEST: _facts(test, signal)},
        results=results,
        calibration=calibrations,
        test_scores=test_scores,
        test_outcome=outcome_values(test, PRIMARY_OUTCOME).tolist(),
    )


def _scorecard_scores(
    titles: Sequence[ReplayedTitle], signal: str, weights: dict[str, float]
) -> np.ndarray:
    return np.array([scorecard_score(title.points(signal), weights) for title in titles])


def _facts(titles: Sequence[ReplayedTitle], signal: str) -> PeriodFacts:
    points = points_matrix(titles, signal)
    present = ~np.isnan(points)
    return PeriodFacts(
        titles=len(titles),
        with_data={section: int(present[:, index].sum()) for index, section in enumerate(SECTIONS)},
        decidable=int((present.sum(axis=1) >= scoring.SECTIONS_TO_DECIDE).sum()),
        in_top_half=_share_in_top_half(titles),
    )


def _share_in_top_half(titles: Sequence[ReplayedTitle]) -> float:
    above = top_half(titles, outcome_values(titles, PRIMARY_OUTCOME))
    known = above[~np.isnan(above)]
    return float(known.mean()) if len(known) else math.nan
