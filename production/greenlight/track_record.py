"""The scorecard's track record: how the scoring in use did when replayed on history.

`manage.py backtest_greenlight --write-docs` measures the scorecard as the product scores it
(its weights and thresholds, `production.greenlight.scoring`) on the backtest's test years
and keeps the figures here, in `track_record.json`, with the scoring version, weights and
thresholds it measured. Staff read them beside every scorecard: its correlation with what
audiences went on to watch, and where a score falls in the calibration table. A scoring
that no backtest has measured (another version, or weights changed since) has none.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from production.greenlight import scoring

TRACK_RECORD_FILE = Path(__file__).with_name("track_record.json")
# "The top half" of an outcome: above the median of the title's release year.
TOP_HALF = "the top half of their release year"


@dataclass(frozen=True)
class CalibrationBand:
    """Test-year titles whose score fell in [low, high) and how they did."""

    low: float
    high: float | None  # None: no upper bound
    titles: int
    in_top_half: float | None  # share of those titles in the top half; None without titles

    def holds(self, score: float) -> bool:
        return self.low <= score and (self.high is None or score < self.high)

    @property
    def label(self) -> str:
        return f"{self.low:g}+" if self.high is None else f"{self.low:g}-{self.high:g}"


@dataclass(frozen=True)
class TrackRecord:
    scoring_version: int
    weights: dict[str, float]
    greenlight_from: float
    pass_below: float
    measured_on: datetime.date
    trained_on: tuple[int, int] | None  # None: the weights were chosen, not fitted
    tested_on: tuple[int, int]
    outcome: str  # what the score is meant to predict, in words
    demand_basis: str  # how demand was measured, history having no target segments
    titles: int
    decidable: int  # titles with data in enough sections for the product to decide
    base_rate: float  # share of all the test titles in the top half
    spearman: float | None  # None: too few titles with the outcome to rank
    calibration: tuple[CalibrationBand, ...]

    def measures_the_scoring_in_use(self) -> bool:
        return (
            self.scoring_version == scoring.SCORING_VERSION
            and self.weights == scoring.SECTION_WEIGHTS
            and (self.greenlight_from, self.pass_below)
            == (scoring.GREENLIGHT_FROM, scoring.PASS_BELOW)
        )

    def band_for(self, score: float) -> CalibrationBand | None:
        return next((band for band in self.calibration if band.holds(score)), None)

    def in_words(self, score: float) -> str:
        """Where `score` falls: "Titles that scored 60-70 were in the top half of their
        release year for viewers in the 12 months after release 32 % of the time, against
        25 % of all the test titles (311 titles, 2004-2014)." """
        band = self.band_for(score)
        if band is None or band.in_top_half is None:
            return f"No test-year title scored {score:.1f}: the backtest cannot say."
        return (
            f"Titles that scored {band.label} were in {TOP_HALF} for {self.outcome} "
            f"{_percent(band.in_top_half)} of the time, against {_percent(self.base_rate)} of "
            f"all the test titles ({band.titles:,} titles, {years_label(self.tested_on)})."
        )

    @property
    def summary(self) -> str:
        fitted = (
            f"fitted on {years_label(self.trained_on)}" if self.trained_on else "chosen by hand"
        )
        correlation = "n/a" if self.spearman is None else f"{self.spearman:.2f}"
        return (
            f"Scoring version {self.scoring_version} (weights {fitted}), replayed on history: "
            f"Spearman {correlation} with {self.outcome} over {self.titles:,} titles released "
            f"{years_label(self.tested_on)}, measured {self.measured_on.isoformat()}. History has "
            f"no target segments, so demand was measured by {self.demand_basis}; "
            f"{self.decidable:,} of the {self.titles:,} titles had data in the sections the "
            "scorecard needs to decide."
        )


def years_label(years: tuple[int, int]) -> str:
    return f"{years[0]}-{years[1]}"


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


@cache
def track_record() -> TrackRecord | None:
    """The track record of the scoring in use, or None if no backtest measured it."""
    if not TRACK_RECORD_FILE.exists():
        return None
    record = track_record_from(json.loads(TRACK_RECORD_FILE.read_text()))
    return record if record.measures_the_scoring_in_use() else None


def track_record_of(scoring_version: int) -> TrackRecord | None:
    """The track record of a scorecard computed by `scoring_version`: None for a scorecard
    of an earlier scoring that the worker has not recomputed (released and cancelled
    productions keep theirs)."""
    record = track_record()
    return record if record is not None and record.scoring_version == scoring_version else None


def track_record_from(figures: dict[str, Any]) -> TrackRecord:
    return TrackRecord(
        scoring_version=int(figures["scoring_version"]),
        weights={section: float(weight) for section, weight in figures["weights"].items()},
        greenlight_from=float(figures["greenlight_from"]),
        pass_below=float(figures["pass_below"]),
        measured_on=datetime.date.fromisoformat(figures["measured_on"]),
        trained_on=_year_pair(figures["trained_on"]) if figures["trained_on"] else None,
        tested_on=_year_pair(figures["tested_on"]),
        outcome=figures["outcome"],
        demand_basis=figures["demand_basis"],
        titles=int(figures["titles"]),
        decidable=int(figures["decidable"]),
        base_rate=float(figures["base_rate"]),
        spearman=None if figures["spearman"] is None else float(figures["spearman"]),
        calibration=tuple(
            CalibrationBand(
                low=float(band["low"]),
                high=None if band["high"] is None else float(band["high"]),
                titles=int(band["titles"]),
                in_top_half=None if band["in_top_half"] is None else float(band["in_top_half"]),
            )
            for band in figures["calibration"]
        ),
    )


def _year_pair(years: list[int]) -> tuple[int, int]:
    first, last = years
    return int(first), int(last)


def track_record_save(record: TrackRecord, path: Path = TRACK_RECORD_FILE) -> None:
    figures = {
        "scoring_version": record.scoring_version,
        "weights": record.weights,
        "greenlight_from": record.greenlight_from,
        "pass_below": record.pass_below,
        "measured_on": record.measured_on.isoformat(),
        "trained_on": list(record.trained_on) if record.trained_on else None,
        "tested_on": list(record.tested_on),
        "outcome": record.outcome,
        "demand_basis": record.demand_basis,
        "titles": record.titles,
        "decidable": record.decidable,
        "base_rate": round(record.base_rate, 4),
        "spearman": None if record.spearman is None else round(record.spearman, 4),
        "calibration": [
            {
                "low": band.low,
                "high": band.high,
                "titles": band.titles,
                "in_top_half": None if band.in_top_half is None else round(band.in_top_half, 4),
            }
            for band in record.calibration
        ],
    }
    path.write_text(json.dumps(figures, indent=2) + "\n")
    track_record.cache_clear()
