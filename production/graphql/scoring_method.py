"""The scoring behind a greenlight scorecard as the staff API shows it: its version,
weights and thresholds, and its track record from the backtest
(`production.greenlight.track_record`)."""

from __future__ import annotations

import datetime

import strawberry

from production.greenlight import scoring
from production.greenlight.track_record import (
    CalibrationBand,
    TrackRecord,
    track_record_of,
    years_label,
)


@strawberry.type(
    name="GreenlightCalibrationBand",
    description=(
        "The backtest's test-year titles whose score fell in a band, and how many of them "
        "reached the top half of the outcome"
    ),
)
class CalibrationBandType:
    low: float = strawberry.field(description="The band's lowest score (included)")
    high: float | None = strawberry.field(description="Its highest (excluded); null: no bound")
    titles: int
    in_top_half: float | None = strawberry.field(
        description="Share (0-1) of the band's titles in the top half of their release year "
        "for the outcome; null when no title scored in the band"
    )


@strawberry.type(
    name="GreenlightTrackRecord",
    description=(
        "How the scoring did when replayed on history (`manage.py backtest_greenlight`): "
        "scored with only what existed before each title's release, against what audiences "
        "went on to watch"
    ),
)
class TrackRecordType:
    measured_on: datetime.date
    trained_on: str | None = strawberry.field(
        description="Release years the weights were fitted on; null: chosen, not fitted"
    )
    tested_on: str = strawberry.field(description="Release years measured, e.g. '2004-2014'")
    outcome: str = strawberry.field(description="What the score is meant to predict")
    demand_basis: str = strawberry.field(
        description="How demand was measured: history has no target segments"
    )
    titles: int
    decidable: int = strawberry.field(
        description="Titles with data in enough sections for the scorecard to decide"
    )
    base_rate: float = strawberry.field(
        description="Share (0-1) of all the test titles in the top half: what a band's share "
        "compares with"
    )
    spearman: float | None = strawberry.field(
        description="Rank correlation of the score with the outcome on the test years; null "
        "with too few titles to rank"
    )
    calibration: list[CalibrationBandType]


@strawberry.type(name="GreenlightSectionWeight")
class SectionWeightType:
    section: str
    weight: float


@strawberry.type(name="GreenlightMethod", description="The scoring the scorecard was computed by")
class MethodType:
    version: int
    weights: list[SectionWeightType] = strawberry.field(
        description="Empty for an earlier version than the one in use"
    )
    greenlight_from: float | None = strawberry.field(
        description="A score from here greenlights; null for an earlier version"
    )
    pass_below: float | None = strawberry.field(
        description="A score under this passes; null for an earlier version"
    )
    track_record: TrackRecordType | None = strawberry.field(
        description="Null while no backtest has measured this version as it scores"
    )


def band_type(band: CalibrationBand) -> CalibrationBandType:
    return CalibrationBandType(
        low=band.low, high=band.high, titles=band.titles, in_top_half=band.in_top_half
    )


def _track_record(record: TrackRecord) -> TrackRecordType:
    return TrackRecordType(
        measured_on=record.measured_on,
        trained_on=years_label(record.trained_on) if record.trained_on else None,
        tested_on=years_label(record.tested_on),
        outcome=record.outcome,
        demand_basis=record.demand_basis,
        titles=record.titles,
        decidable=record.decidable,
        base_rate=record.base_rate,
        spearman=record.spearman,
        calibration=[band_type(band) for band in record.calibration],
    )


def scoring_method(version: int) -> MethodType:
    """The scoring of `version`: its weights and thresholds are known for the one in use."""
    record = track_record_of(version)
    in_use = version == scoring.SCORING_VERSION
    return MethodType(
        version=version,
        weights=[
            SectionWeightType(section=section, weight=weight)
            for section, weight in (scoring.SECTION_WEIGHTS.items() if in_use else ())
        ],
        greenlight_from=scoring.GREENLIGHT_FROM if in_use else None,
        pass_below=scoring.PASS_BELOW if in_use else None,
        track_record=None if record is None else _track_record(record),
    )
