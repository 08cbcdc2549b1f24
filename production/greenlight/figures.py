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
class LikelySegment:
    """A viewer segment the title is likely to reach, by the known titles its metadata makes
    it most like (`audience.figures.viewers_like_these`): evidence shown, never scored."""

    age_band: str | None  # None: every age band
    gender: str | None  # None: every gender; "": the viewers who gave none
    region: str | None  # None: every region
    share: float  # of the likely audience's viewing
    everyone_share: float  # of all viewing
    lift: float  # share / everyone_share
    viewers: int  # of the titles alike, once per title and day
    title_ids: list[int]  # the titles alike that bring the segment the most viewing

    @property
    def segment(self) -> str:
        return segment_label(self.age_band, self.gender, self.region)


_GENDER_WORDS = {
    "female": "women",
    "male": "men",
    "non_binary": "non-binary viewers",
    "": "viewers who gave no gender",
}


def segment_label(age_band: str | None, gender: str | None, region: str | None) -> str:
    """A segment in words: "18-24 in FR", "55+ women", "viewers in GB"."""
    gender_words = None if gender is None else _GENDER_WORDS.get(gender, gender)
    who = " ".join(part for part in (age_band, gender_words) if part) or "viewers"
    return f"{who} in {region}" if region else who


def likely_segments_in_words(segments: list[LikelySegment]) -> str | None:
    """ "Viewers like these: 18-24 in FR (lift 3.2), 55+ in GB (lift 1.4)."; None for none."""
    if not segments:
        return None
    listed = ", ".join(f"{s.segment} (lift {s.lift:.1f})" for s in segments)
    return f"Viewers like these: {listed}."


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
    # Shown with demand, never scored; none without a recommender model (and in backtests).
    viewers_like_these: list[LikelySegment] = field(default_factory=list)


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
    # Evidence beside the index, which it does not move. Scorecards stored before it have
    # none.
    viewers_like_these: list[LikelySegment] = field(default_factory=list)


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


def stored_likely_segments(figures: dict[str, Any]) -> list[LikelySegment]:
    """The viewers like these a scorecard row stores with its demand (none before them)."""
    stored = figures.get("demand", {}).get("viewers_like_these", [])
    return [_from_json(LikelySegment, segment) for segment in stored]


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
        # A field added since the row was stored keeps its default.
        return kind(
            **{
                f.name: _from_json(hints[f.name], data[f.name])
                for f in fields(kind)
                if f.name in data
            }
        )
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
