"""What the greenlight scorecard and casting insights are made of: their inputs, their
figures (each with its formula and the values that went in), and the way back from the
JSON a scorecard row stores to these dataclasses.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from typing import Any, Protocol

# A section's status.
OK = "ok"
INSUFFICIENT_DATA = "insufficient_data"

# What demand is measured over.
ALL_VIEWERS = "all viewers"
TARGET_SEGMENTS = "target segments"

# ---------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class ProductionFacts:
    production_id: int
    title_name: str
    kind: str  # movie or series
    genres: list[str]
    year: int
    year_assumed: bool  # the title has no year yet: the current year stands in
    runtime_minutes: int | None
    budget_usd: int | None
    # A title to come after the latest viewing is compared with that latest era.
    era_year: int | None = None

    @property
    def comparison_year(self) -> int:
        """The year comparable titles are chosen around."""
        return self.era_year or self.year


@dataclass(frozen=True)
class GenreShare:
    genre: str
    share: float  # of the segment's genre hours
    everyone_share: float  # of everyone's genre hours


@dataclass(frozen=True)
class SegmentGenreShares:
    """One target segment (or all viewers) and its shares of the title's genres."""

    segment: str
    genres: list[GenreShare]


@dataclass(frozen=True)
class ViewedTitle:
    title_id: int
    name: str
    kind: str
    year: int | None
    runtime_minutes: int | None
    views: float | None  # None: not watched in the window, or no runtime to divide by
    hours_viewed: float | None = None
    budget_usd: int | None = None
    shared_genres: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AttachedPerson:
    person_id: int
    name: str
    parts: list[str]  # what they do on the production: "cast: Conductor", "script author"
    earlier_titles: list[ViewedTitle]  # most recent first
    award_wins: int
    award_nominations: int  # wins included


@dataclass(frozen=True)
class GreenlightInputs:
    production: ProductionFacts
    window_start: str
    window_end: str
    target_segments: list[str]  # empty: the production targets all viewers
    demand: list[SegmentGenreShares]
    comparables: list[ViewedTitle]  # the candidates, most alike first
    typical_views: dict[str, float]  # per kind: median views of the titles watched
    typical_titles: dict[str, int]  # per kind: how many titles that median is over
    people: list[AttachedPerson]
    # The era the comparables came from: years either side of the comparison year (None:
    # the first band tried, greenlight.ERA_BANDS_YEARS[0]).
    era_band_years: int | None = None


# ---------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class FigureInput:
    name: str
    value: float | None


@dataclass(frozen=True)
class Figure:
    """A number, the formula that gave it, and the values that went in."""

    value: float | None
    formula: str
    inputs: list[FigureInput]


@dataclass(frozen=True)
class GenreDemand:
    genre: str
    share: float
    everyone_share: float
    lift: float | None  # None when nobody watched the genre


@dataclass(frozen=True)
class SegmentDemand:
    segment: str
    genres: list[GenreDemand]
    lift: Figure


@dataclass(frozen=True)
class Section:
    status: str  # OK or INSUFFICIENT_DATA
    summary: str
    index: Figure
    points: float | None
    weight: float


@dataclass(frozen=True)
class DemandSection(Section):
    basis: str  # TARGET_SEGMENTS or ALL_VIEWERS
    segments: list[SegmentDemand]


@dataclass(frozen=True)
class Comparable:
    title_id: int
    name: str
    year: int | None
    runtime_minutes: int | None
    shared_genres: list[str]
    why: str
    hours_viewed: float
    views: float  # hours viewed / runtime in hours
    budget_usd: int | None
    views_per_million_usd: float | None


@dataclass(frozen=True)
class ComparablesSection(Section):
    criteria: str
    titles: list[Comparable]
    not_watched: int  # candidates left out: nobody in the segments watched them
    median_views: Figure
    typical_views: Figure


@dataclass(frozen=True)
class EarlierTitle:
    title_id: int
    name: str
    kind: str
    year: int | None
    hours_viewed: float
    views: float  # hours viewed / runtime in hours
    typical_views: float
    index: float  # views / typical views of the kind


@dataclass(frozen=True)
class TalentRecord:
    person_id: int
    name: str
    parts: list[str]
    titles: list[EarlierTitle]
    median_views: Figure
    track_record: Figure  # median of the titles' indexes; None without titles
    award_wins: int
    award_nominations: int
    award_bonus: Figure
    score: Figure  # track record + award bonus; None without a track record


@dataclass(frozen=True)
class TalentSection(Section):
    people: list[TalentRecord]


@dataclass(frozen=True)
class BudgetSection(Section):
    budget_usd: int | None
    median_budget_usd: Figure
    views_per_million_usd: Figure  # the comparables' median
    projected_views_per_million_usd: Figure


@dataclass(frozen=True)
class Scorecard:
    recommendation: str
    score: Figure
    reasons: list[str]
    window_start: str
    window_end: str
    target_segments: list[str]
    demand: DemandSection
    comparables: ComparablesSection
    talent: TalentSection
    budget: BudgetSection

    def figures(self) -> dict[str, Any]:
        """What the scorecard row stores as JSON (recommendation and reasons aside)."""
        stored = asdict(self)
        del stored["recommendation"], stored["reasons"]
        return stored


@dataclass(frozen=True)
class CastingInsight(TalentRecord):
    rank: int


# ---------------------------------------------------------------------------------------
# Stored figures back into dataclasses


# The stored figures name the scoring version that computed them; rows stored before they
# did are of version 1, the only one there was.
SCORING_VERSION_KEY = "scoring_version"


def stored_scoring_version(figures: dict[str, Any]) -> int:
    return int(figures.get(SCORING_VERSION_KEY, 1))


def scorecard_from_figures(
    recommendation: str, reasons: list[str], figures: dict[str, Any]
) -> Scorecard:
    return _from_json(Scorecard, {**figures, "recommendation": recommendation, "reasons": reasons})


def _from_json(kind: Any, data: Any) -> Any:
    """`data` (as `asdict` gave it and JSON kept it) as an instance of the type `kind`."""
    if data is None:
        return None
    if is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _from_json(hints[f.name], data[f.name]) for f in fields(kind)})
    origin = typing.get_origin(kind)
    arguments = typing.get_args(kind)
    if origin is list:
        return [_from_json(arguments[0], item) for item in data]
    if origin is dict:
        return {key: _from_json(arguments[1], value) for key, value in data.items()}
    if origin in (types.UnionType, typing.Union):
        (present,) = [argument for argument in arguments if argument is not type(None)]
        return _from_json(present, data)
    return data


class Viewing(Protocol):
    """A title's viewing over the window, as the audience app reports it."""

    @property
    def hours_viewed(self) -> float: ...

    @property
    def views(self) -> float | None: ...


def with_views(titles: list[ViewedTitle], viewing: Mapping[int, Viewing]) -> list[ViewedTitle]:
    """The titles with their hours and views filled in where anyone watched them."""
    filled = []
    for title in titles:
        seen = viewing.get(title.title_id)
        if seen is None or not seen.views:
            filled.append(replace(title, hours_viewed=None, views=None))
        else:
            filled.append(replace(title, hours_viewed=seen.hours_viewed, views=seen.views))
    return filled
