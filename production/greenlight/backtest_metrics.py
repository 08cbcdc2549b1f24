"""How well a score predicted what happened: Spearman rank correlation, the greenlight and
pass hit rates, a calibration table by score band; the single-signal baselines; and the
weights and thresholds fitted on the training years alone.

- Top half: a title's outcome is above the median of the titles of its release year
  with that outcome (the sample audience's size changes from year to year).
- A score's recommendation for the hit rates is by its thresholds alone (greenlight from,
  pass below), for the scorecard as for each baseline, so that they compare.
- A section without data scores par (50 points) in a baseline; the scorecard leaves it
  out of its weighted mean as the product does, and scores par when no weighted section
  has data.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from production.greenlight import scoring
from production.greenlight.backtest import SECTIONS, ReplayedTitle
from production.greenlight.figures import INSUFFICIENT_DATA, OK, Figure, Section

PAR_POINTS = 50.0
RANDOM_SEED = 19
WEIGHT_STEP = 0.05
MIN_TITLES_TO_FIT = 30
# Fitted thresholds: the lowest score from which the share of training titles in the top
# half is THRESHOLD_GAIN of the way from its base rate to certainty (2/3 when the halves
# are halves; the sample's many titles nobody watched in their first year make the top
# "half" smaller), the highest below which the same holds for the bottom half, among the
# training scores' quantiles, with at least MIN_DECIDED_SHARE of titles each.
THRESHOLD_GAIN = 1 / 3
MIN_DECIDED_SHARE = 0.10
THRESHOLD_QUANTILES = np.arange(0.05, 0.96, 0.05)
SCORE_BANDS = ((0.0, 40.0), (40.0, 50.0), (50.0, 60.0), (60.0, 70.0), (70.0, math.inf))


@dataclass(frozen=True)
class Thresholds:
    greenlight_from: float
    pass_below: float


CURRENT_THRESHOLDS = Thresholds(scoring.GREENLIGHT_FROM, scoring.PASS_BELOW)


def points_matrix(titles: Sequence[ReplayedTitle], demand_signal: str) -> np.ndarray:
    """Titles x sections (SECTIONS order), NaN where a section has no data."""
    return np.array(
        [
            [math.nan if value is None else value for value in title.points(demand_signal).values()]
            for title in titles
        ],
        dtype=float,
    ).reshape(len(titles), len(SECTIONS))


def weighted_scores(points: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """`scoring.overall_score` for every title at once; par where no weighted section has
    data."""
    present = ~np.isnan(points)
    weight = np.asarray(weights, dtype=float)
    weight_sum = present.astype(float) @ weight
    total = np.where(present, points, 0.0) @ weight
    return np.where(weight_sum > 0, total / np.where(weight_sum > 0, weight_sum, 1.0), PAR_POINTS)


def scorecard_score(points: dict[str, float | None], weights: dict[str, float]) -> float:
    """The product's own `overall_score` over the sections with these points and weights."""
    sections = {
        name: Section(
            status=INSUFFICIENT_DATA if value is None else OK,
            summary="",
            index=Figure(None, "", []),
            points=value,
            weight=weights[name],
        )
        for name, value in points.items()
    }
    score = scoring.overall_score(sections).value
    return PAR_POINTS if score is None else score


def baseline_scores(points: np.ndarray, section: str) -> np.ndarray:
    column = points[:, SECTIONS.index(section)]
    return np.where(np.isnan(column), PAR_POINTS, column)


def random_scores(count: int) -> np.ndarray:
    return np.random.default_rng(RANDOM_SEED).uniform(0.0, 100.0, count)


# ---------------------------------------------------------------------------------------
# Metrics


def outcome_values(titles: Sequence[ReplayedTitle], outcome: str) -> np.ndarray:
    return np.array(
        [math.nan if (value := title.outcomes[outcome]) is None else value for title in titles],
        dtype=float,
    )


def top_half(titles: Sequence[ReplayedTitle], values: np.ndarray) -> np.ndarray:
    """Per title: 1 above its release year's median, 0 at or below, NaN without outcome."""
    years = np.array([title.year for title in titles])
    above = np.full(len(titles), math.nan)
    for year in np.unique(years):
        of_year = (years == year) & ~np.isnan(values)
        if of_year.any():
            above[of_year] = values[of_year] > np.median(values[of_year])
    return above


def spearman(scores: np.ndarray, values: np.ndarray) -> tuple[float, int]:
    """(rho, titles with the outcome); rho is NaN for fewer than 3 titles or a constant."""
    known = ~np.isnan(values)
    if known.sum() < 3 or np.ptp(scores[known]) == 0 or np.ptp(values[known]) == 0:
        return math.nan, int(known.sum())
    rho = spearmanr(scores[known], values[known]).statistic
    return float(rho), int(known.sum())


@dataclass(frozen=True)
class HitRates:
    greenlit: int
    greenlit_in_top_half: float  # NaN when nothing was greenlit
    passed: int
    passed_in_bottom_half: float


def hit_rates(scores: np.ndarray, above: np.ndarray, thresholds: Thresholds) -> HitRates:
    known = ~np.isnan(above)
    greenlit = known & (scores >= thresholds.greenlight_from)
    passed = known & (scores < thresholds.pass_below)
    return HitRates(
        greenlit=int(greenlit.sum()),
        greenlit_in_top_half=float(above[greenlit].mean()) if greenlit.any() else math.nan,
        passed=int(passed.sum()),
        passed_in_bottom_half=float(1 - above[passed].mean()) if passed.any() else math.nan,
    )


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    titles: int
    in_top_half: float
    median_outcome: float


def calibration(scores: np.ndarray, values: np.ndarray, above: np.ndarray) -> list[Band]:
    known = ~np.isnan(values)
    bands = []
    for low, high in SCORE_BANDS:
        inside = known & (scores >= low) & (scores < high)
        bands.append(
            Band(
                low=low,
                high=high,
                titles=int(inside.sum()),
                in_top_half=float(above[inside].mean()) if inside.any() else math.nan,
                median_outcome=float(np.median(values[inside])) if inside.any() else math.nan,
            )
        )
    return bands


# ---------------------------------------------------------------------------------------
# Fitting, on the training years only


def chosen_demand_signal(
    train: Sequence[ReplayedTitle], signals: Sequence[str], outcome: str
) -> str:
    """The demand signal whose points alone rank the training titles' outcome best."""
    values = outcome_values(train, outcome)

    def rho(signal: str) -> float:
        found, _ = spearman(baseline_scores(points_matrix(train, signal), "demand"), values)
        return -math.inf if math.isnan(found) else found

    return max(signals, key=rho)


def simplex_grid(parts: int, step: float = WEIGHT_STEP) -> list[tuple[float, ...]]:
    """Every weighting of `parts` sections in steps of `step` that sums to 1."""
    units = round(1 / step)
    return [
        tuple(part / units for part in split)
        for split in itertools.product(range(units + 1), repeat=parts)
        if sum(split) == units
    ]


def fitted_weights(points: np.ndarray, values: np.ndarray) -> dict[str, float]:
    """The weights whose scores rank the training outcome best (Spearman), over a grid;
    of equally good ones, the nearest to the current weights.

    A section with data for fewer than MIN_TITLES_TO_FIT training titles cannot be fitted
    (its weight would change nothing there): it keeps its current weight, and the grid
    shares out the rest among the others.
    """
    current = [scoring.SECTION_WEIGHTS[name] for name in SECTIONS]
    fittable = [
        index
        for index in range(len(SECTIONS))
        if (~np.isnan(points[:, index])).sum() >= MIN_TITLES_TO_FIT
    ]
    rest = 1.0 - sum(w for index, w in enumerate(current) if index not in fittable)
    best, best_key = current, (-math.inf, 0.0)
    for shares in simplex_grid(len(fittable)):
        weights = list(current)
        for index, share in zip(fittable, shares, strict=True):
            weights[index] = round(share * rest, 4)
        rho, _ = spearman(weighted_scores(points, weights), values)
        # Equally good weightings: the one nearest the current weights.
        key = (rho, -sum(abs(w - c) for w, c in zip(weights, current, strict=True)))
        if not math.isnan(rho) and key > best_key:
            best, best_key = weights, key
    return dict(zip(SECTIONS, best, strict=True))


def fitted_thresholds(scores: np.ndarray, above: np.ndarray) -> Thresholds:
    """Greenlight from the lowest training-score quantile from which the top-half share
    reaches its target (THRESHOLD_GAIN); pass below the highest under which the
    bottom-half share does; each deciding MIN_DECIDED_SHARE of the titles at least (else
    the quantile with the best share), and pass never above greenlight."""
    known = ~np.isnan(above)
    if not known.any():
        return CURRENT_THRESHOLDS
    scores, above = scores[known], above[known]
    minimum = MIN_DECIDED_SHARE * len(scores)
    cuts = np.unique(np.quantile(scores, THRESHOLD_QUANTILES))
    top_target = _target(float(above.mean()))
    bottom_target = _target(float(1 - above.mean()))

    def greenlight_precision(cut: float) -> float:
        chosen = scores >= cut
        return float(above[chosen].mean()) if chosen.sum() >= minimum else -1.0

    def pass_precision(cut: float) -> float:
        chosen = scores < cut
        return float(1 - above[chosen].mean()) if chosen.sum() >= minimum else -1.0

    greenlight_from = next(
        (float(cut) for cut in cuts if greenlight_precision(cut) >= top_target),
        float(max(cuts, key=greenlight_precision)),
    )
    pass_below = next(
        (float(cut) for cut in cuts[::-1] if pass_precision(cut) >= bottom_target),
        float(max(cuts, key=pass_precision)),
    )
    return Thresholds(greenlight_from, min(pass_below, greenlight_from))


def _target(base_rate: float) -> float:
    return base_rate + THRESHOLD_GAIN * (1 - base_rate)
