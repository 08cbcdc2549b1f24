"""The scorecard's track record: how the scoring in use did when replayed on history.

`manage.py backtest_greenlight --write-docs` measures the scorecard as the product scores it
(its weights and thresholds, `production.greenlight.scoring`) on the backtest's test years
and keeps the figures here, in `track_record.json`, under the scoring version it measured.
Staff read them beside every scorecard: its correlation with what audiences went on to
watch, and where a score falls in the calibration table. A scoring version that no
backtest has measured has no track record: its weights are unproven.
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


@dataclass(frozen=True)
class CalibrationBand:
    """Test-year titles whose score fell in [low, high) and how they did."""

    low: float
    high: float | None  # None: no upper bound
    titles: int
    in_top_half: float  # share of those titles in the top half of the outcome

    def holds(self, score: float) -> bool:
        return self.low <= score and (self.high is None or score < self.high)

    @property
    def label(self) -> str:
        return f"{self.low:g}+" if self.high is None else f"{self.low:g}-{self.high:g}"


@dataclass(frozen=True)
class TrackRecord:
    scoring_version: int
    measured_on: datetime.date
    trained_on: tuple[int, int] | None  # None: the weights were chosen, not fitted
    tested_on: tuple[int, int]
    outcome: str  # what the score is meant to predict, in words
    titles: int
    spearman: float | None  # None: too few titles with the outcome to rank
    calibration: tuple[CalibrationBand, ...]

    def band_for(self, score: float) -> CalibrationBand | None:
        return next((band for band in self.calibration if band.holds(score)), None)

    def in_words(self, score: float) -> str:
        """Where `score` falls, in words: "Titles that scored 60-70 reached the top half of
        viewers in the 12 months after release 32 % of the time (311 titles, 2004-2014)."
        """
        band = self.band_for(score)
        if band is None or not band.titles:
            return f"No test-year title scored {score:.0f}: the backtest cannot say."
        return (
            f"Titles that scored {band.label} reached the top half of {self.outcome} "
            f"{round(band.in_top_half * 100)} % of the time ({band.titles:,} titles, "
            f"{_years(self.tested_on)})."
        )

    @property
    def summary(self) -> str:
        fitted = f"fitted on {_years(self.trained_on)}" if self.trained_on else "chosen by hand"
        correlation = "n/a" if self.spearman is None else f"{self.spearman:.2f}"
        return (
            f"Scoring version {self.scoring_version} (weights {fitted}): Spearman "
            f"{correlation} with {self.outcome} over {self.titles:,} titles released "
            f"{_years(self.tested_on)}, measured {self.measured_on:%-d %b %Y}."
        )


def _years(years: tuple[int, int]) -> str:
    return f"{years[0]}-{years[1]}"


@cache
def track_record() -> TrackRecord | None:
    """The track record of the scoring in use, or None if no backtest measured it."""
    if not TRACK_RECORD_FILE.exists():
        return None
    record = track_record_from(json.loads(TRACK_RECORD_FILE.read_text()))
    return record if record.scoring_version == scoring.SCORING_VERSION else None


def track_record_from(figures: dict[str, Any]) -> TrackRecord:
    return TrackRecord(
        scoring_version=int(figures["scoring_version"]),
        measured_on=datetime.date.fromisoformat(figures["measured_on"]),
        trained_on=_year_pair(figures["trained_on"]) if figures["trained_on"] else None,
        tested_on=_year_pair(figures["tested_on"]),
        outcome=figures["outcome"],
        titles=int(figures["titles"]),
        spearman=None if figures["spearman"] is None else float(figures["spearman"]),
        calibration=tuple(
            CalibrationBand(
                low=float(band["low"]),
                high=None if band["high"] is None else float(band["high"]),
                titles=int(band["titles"]),
                in_top_half=float(band["in_top_half"]),
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
        "measured_on": record.measured_on.isoformat(),
        "trained_on": list(record.trained_on) if record.trained_on else None,
        "tested_on": list(record.tested_on),
        "outcome": record.outcome,
        "titles": record.titles,
        "spearman": None if record.spearman is None else round(record.spearman, 4),
        "calibration": [
            {
                "low": band.low,
                "high": band.high,
                "titles": band.titles,
                "in_top_half": round(band.in_top_half, 4),
            }
            for band in record.calibration
        ],
    }
    path.write_text(json.dumps(figures, indent=2) + "\n")
    track_record.cache_clear()
