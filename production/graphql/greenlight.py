"""The greenlight scorecard and casting insights as the staff API shows them.

The scorecard is read as the worker stored it (`production.tasks`); casting insights are
computed on the request by `production.greenlight.casting`, for every casting role of the
request at once (`casting_insights_loader`). The types' fields are those of the
dataclasses in `production.greenlight.figures`, which their resolvers return; this module
only maps.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from asgiref.sync import sync_to_async
from strawberry import Info
from strawberry.dataloader import DataLoader
from strawberry_django.optimizer import optimize

from catalog.graphql.loaders import title_loader
from catalog.models import Person as PersonModel
from config.graphql.loaders import BatchLoad, field_loader
from production import models
from production.graphql.scoring_method import (
    CalibrationBandType,
    MethodType,
    band_type,
    scoring_method,
)
from production.greenlight.casting import casting_insights
from production.greenlight.figures import (
    CastingInsight,
    Scorecard,
    scorecard_from_figures,
    segment_label,
    stored_scoring_version,
)
from production.greenlight.track_record import track_record_of

if TYPE_CHECKING:
    from catalog.graphql.types import PersonType, TitleType

Title = Annotated["TitleType", strawberry.lazy("catalog.graphql.types")]
Person = Annotated["PersonType", strawberry.lazy("catalog.graphql.types")]

strawberry.enum(
    models.GreenlightRecommendation,
    name="GreenlightRecommendation",
    description="What the scorecard recommends: greenlight, develop further, or pass",
)


@strawberry.enum(name="GreenlightSectionStatus")
class SectionStatus(Enum):
    OK = "ok"
    INSUFFICIENT_DATA = "insufficient_data"


@strawberry.enum(name="GreenlightDemandBasis", description="Whom demand is measured over")
class DemandBasis(Enum):
    TARGET_SEGMENTS = "target segments"
    ALL_VIEWERS = "all viewers"


@strawberry.type(name="GreenlightFigureInput", description="A value that went into a figure")
class FigureInputType:
    name: str
    value: float | None


@strawberry.type(
    name="GreenlightFigure", description="A number, the formula that gave it, and its inputs"
)
class FigureType:
    value: float | None = strawberry.field(description="Null when there is no data for it")
    formula: str
    inputs: list[FigureInputType]


@strawberry.type(name="GreenlightGenreDemand")
class GenreDemandType:
    genre: str
    share: float = strawberry.field(
        description="Of the segment's genre hours (0-1); with no target segments, of all the "
        "hours viewed"
    )
    everyone_share: float = strawberry.field(
        description="Of all viewers' genre hours (0-1); with no target segments, the genre's "
        "share of the titles watched"
    )
    lift: float | None = strawberry.field(
        description="share / everyone's share; null when nobody watched the genre"
    )


@strawberry.type(name="GreenlightSegmentDemand")
class SegmentDemandType:
    segment: str = strawberry.field(description="'US / 25-34', or 'all viewers'")
    genres: list[GenreDemandType]
    lift: FigureType = strawberry.field(description="The segment's lift for the genres together")


@strawberry.type
class SectionFields:
    status: SectionStatus
    summary: str = strawberry.field(description="What the section found, or what it lacks")
    index: FigureType = strawberry.field(description="1.0 is par; null with insufficient data")
    points: float | None = strawberry.field(
        description="100 x min(index, 2) / 2; null with insufficient data"
    )
    weight: float = strawberry.field(description="The section's weight in the score")


async def _title(info: Info, title_id: int) -> Title | None:
    return await title_loader(info).load(title_id)  # type: ignore[return-value]


@strawberry.type(
    name="GreenlightViewersLikeThese",
    description=(
        "A viewer segment the title is likely to reach: its share of the viewing of the "
        "known titles the title's metadata makes it most like (each weighted by how alike), "
        "against its share of all viewing. Evidence: it does not move the score"
    ),
)
class LikelySegmentType:
    age_band: str | None = strawberry.field(description="Null: every age band")
    gender: str | None = strawberry.field(
        description="Null: every gender; empty: the viewers who gave none"
    )
    region: str | None = strawberry.field(description="Null: every region")
    share: float = strawberry.field(description="Of the likely audience's viewing (0-1)")
    everyone_share: float = strawberry.field(description="Of all viewing (0-1)")
    lift: float = strawberry.field(description="share / everyone's share")
    viewers: int = strawberry.field(
        description="Viewers of the titles alike, counted once per title and day"
    )
    title_ids: strawberry.Private[list[int]]

    @strawberry.field(description="'18-24 in FR', '55+ women', 'viewers in GB'")
    def segment(self) -> str:
        return segment_label(self.age_band, self.gender, self.region)

    @strawberry.field(
        description="The titles alike that bring the segment the most viewing; a deleted "
        "title is left out"
    )
    async def titles(self, info: Info) -> list[Title]:
        found = await title_loader(info).load_many(self.title_ids)
        return [title for title in found if title is not None]  # type: ignore[misc]


@strawberry.type(name="GreenlightDemand")
class DemandSectionType(SectionFields):
    basis: DemandBasis
    segments: list[SegmentDemandType]
    viewers_like_these: list[LikelySegmentType] = strawberry.field(
        description="The segments the title is likely to reach, highest lift first, each a "
        "different audience; empty without a recommender model or titles alike"
    )


@strawberry.type(name="GreenlightComparable")
class ComparableType:
    title_id: strawberry.Private[int]
    name: str
    year: int | None
    runtime_minutes: int | None
    shared_genres: list[str]
    why: str = strawberry.field(description="How it matched: genres, runtime, year")
    hours_viewed: float
    views: float = strawberry.field(description="hours viewed / runtime in hours")
    budget_usd: int | None
    views_per_million_usd: float | None

    @strawberry.field(description="Null if the title was deleted since")
    async def title(self, info: Info) -> Title | None:
        return await _title(info, self.title_id)


@strawberry.type(name="GreenlightComparables")
class ComparablesSectionType(SectionFields):
    criteria: str = strawberry.field(description="The rules that chose the comparables")
    titles: list[ComparableType]
    not_watched: int = strawberry.field(
        description="Candidates left out because nobody in the segments watched them"
    )
    median_views: FigureType
    typical_views: FigureType = strawberry.field(
        description="Median views of every title of the kind watched in the window"
    )


@strawberry.type(name="TrackRecordTitle", description="An earlier title of a person")
class EarlierTitleType:
    title_id: strawberry.Private[int]
    name: str
    year: int | None
    hours_viewed: float
    views: float = strawberry.field(description="hours viewed / runtime in hours")
    typical_views: float = strawberry.field(description="Median views of titles of its kind")
    index: float = strawberry.field(description="views / typical views")

    @strawberry.field(description="Null if the title was deleted since")
    async def title(self, info: Info) -> Title | None:
        return await _title(info, self.title_id)


@strawberry.type(name="TalentRecord", description="A person's audience track record and awards")
class TalentRecordType:
    person_id: strawberry.Private[int]
    name: str
    parts: list[str] = strawberry.field(description="'cast: Conductor', 'script author', ...")
    titles: list[EarlierTitleType] = strawberry.field(
        description="The most recent earlier titles watched in the window"
    )
    median_views: FigureType
    track_record: FigureType = strawberry.field(
        description="Median of the titles' indexes; null without titles watched"
    )
    award_wins: int
    award_nominations: int = strawberry.field(description="Wins included")
    award_bonus: FigureType
    score: FigureType = strawberry.field(
        description="track record + award bonus; null without a track record"
    )

    @strawberry.field(description="Null if the person was deleted since")
    async def person(self, info: Info) -> Person | None:
        return await person_loader(info).load(self.person_id)  # type: ignore[return-value]


@strawberry.type(name="GreenlightTalent")
class TalentSectionType(SectionFields):
    people: list[TalentRecordType]


@strawberry.type(name="GreenlightBudget")
class BudgetSectionType(SectionFields):
    budget_usd: int | None
    median_budget_usd: FigureType = strawberry.field(description="The comparables' median")
    views_per_million_usd: FigureType = strawberry.field(
        description="The comparables' median views per million dollars"
    )
    projected_views_per_million_usd: FigureType = strawberry.field(
        description="Views per million dollars if the production performs like them"
    )


@strawberry.type(
    name="GreenlightScorecard",
    description=(
        "The data-driven greenlight decision, as the worker computed it from the audience "
        "aggregates: every number with its formula and inputs"
    ),
)
class GreenlightScorecardType:
    recommendation: models.GreenlightRecommendation
    score: FigureType = strawberry.field(
        description="0-100: the weighted mean of the points of the sections with data"
    )
    reasons: list[str] = strawberry.field(description="The findings, then the verdict")
    computed_at: datetime.datetime = strawberry.field(
        description="When the figures were last computed: the worker rewrites them only when "
        "their inputs change"
    )
    window_start: str = strawberry.field(
        description="First day of the viewing counted (ISO 8601 date)"
    )
    window_end: str = strawberry.field(
        description="Last day of the viewing counted (ISO 8601 date)"
    )
    target_segments: list[str] = strawberry.field(
        description="The segments the figures are measured in; empty: all viewers"
    )
    demand: DemandSectionType
    comparables: ComparablesSectionType
    talent: TalentSectionType
    budget: BudgetSectionType
    scoring_version: strawberry.Private[int]

    @strawberry.field(description="The scoring this scorecard was computed by, and its record")
    def method(self) -> MethodType:
        return scoring_method(self.scoring_version)

    @strawberry.field(
        description=(
            "The backtest's calibration band this score falls in: how often titles that "
            "scored alike reached the top half; null without a score or a track record"
        )
    )
    def score_band(self) -> CalibrationBandType | None:
        record, score = track_record_of(self.scoring_version), self.score.value
        band = None if record is None or score is None else record.band_for(score)
        return None if band is None else band_type(band)


@strawberry.type(
    name="CastingInsight",
    description=(
        "Someone who auditioned for the role, ranked by their audience track record among "
        "the production's target segments and their awards"
    ),
)
class CastingInsightType(TalentRecordType):
    rank: int = strawberry.field(
        description="1 = the best score; people without a track record come last"
    )


@dataclass(frozen=True)
class StoredScorecard(Scorecard):
    computed_at: datetime.datetime
    scoring_version: int


def stored_scorecard(production: models.Production) -> GreenlightScorecardType | None:
    """The production's scorecard as stored, or None until the worker has computed it."""
    # The missing row's error is an AttributeError too.
    row: models.GreenlightScorecard | None = getattr(production, "greenlight_scorecard", None)
    if row is None:
        return None
    card = scorecard_from_figures(row.recommendation, row.reasons, row.figures)
    return StoredScorecard(  # type: ignore[return-value]
        **{field.name: getattr(card, field.name) for field in fields(card)},
        computed_at=row.computed_at,
        scoring_version=stored_scoring_version(row.figures),
    )


# ---------------------------------------------------------------------------------------
# Loaders


def person_loader(info: Info) -> DataLoader[int, PersonModel | None]:
    """People by id for the field `info` resolves, shaped by the optimizer: one query."""
    return field_loader(info, "people", _people_by_id)


def _people_by_id(info: Info) -> BatchLoad[int, PersonModel | None]:
    def fetch(ids: list[int]) -> list[PersonModel | None]:
        people = {p.pk: p for p in optimize(PersonModel.objects.filter(pk__in=ids), info)}
        return [people.get(person_id) for person_id in ids]

    async def load(ids: list[int]) -> list[PersonModel | None]:
        return await sync_to_async(fetch)(ids)

    return load


def casting_insights_loader(info: Info) -> DataLoader[int, list[CastingInsight]]:
    """Casting insights by role id: every role of the request in one batch."""
    request = info.context.request
    loader: DataLoader[int, list[CastingInsight]] | None = getattr(
        request, "_casting_insights_loader", None
    )
    if loader is None:
        loader = DataLoader(load_fn=_load_casting_insights)
        request._casting_insights_loader = loader
    return loader


async def _load_casting_insights(role_ids: list[int]) -> list[list[CastingInsight]]:
    return await sync_to_async(casting_insights)(role_ids)
