"""The greenlight backtest's plot, drawn with matplotlib (no display) into docs/images.

matplotlib is a development dependency: only `backtest_greenlight --write-docs` imports
this module.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from production.greenlight.backtest_evaluation import CURRENT, FITTED, BacktestResult
from production.greenlight.backtest_outcomes import OUTCOMES, PRIMARY_OUTCOME

JITTER_SEED = 19


def score_against_outcome_plot(result: BacktestResult, path: Path) -> None:
    """Score against the primary outcome on the test years, one panel per scorecard
    (viewer counts are small integers: jittered a little so that the dots show)."""
    outcome = np.array(result.test_outcome, dtype=float)
    jitter = np.random.default_rng(JITTER_SEED).uniform(-0.25, 0.25, len(outcome))
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for axis, method in zip(axes, (CURRENT, FITTED), strict=True):
        scores = np.array(result.test_scores[method], dtype=float)
        axis.scatter(scores, outcome + jitter, s=6, alpha=0.35)
        thresholds = (
            (result.thresholds.pass_below, result.thresholds.greenlight_from)
            if method == FITTED
            else (40.0, 60.0)
        )
        for threshold in thresholds:
            axis.axvline(threshold, color="grey", linestyle=":")
        rho = result.result(method, "test").spearman[PRIMARY_OUTCOME][0]
        axis.set_title(f"{method} (Spearman {rho:.3f})")
        axis.set_xlabel("score")
        axis.set_yscale("symlog", linthresh=1)
        axis.grid(alpha=0.3)
    axes[0].set_ylabel(OUTCOMES[PRIMARY_OUTCOME])
    years = result.test_years
    figure.suptitle(f"Greenlight backtest, test release years {years[0]}-{years[1]}")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
