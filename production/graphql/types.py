"""Productions as the staff API shows them: every stage's work, the history, the budget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry import Info, relay

from config.access import is_staff
from config.graphql.arguments import validated_page_size
from production import models, selectors
from production.graphql.enums import (
    AuditionOutcome,
    LocationKind,
    LocationStatus,
    MilestoneKind,
    PostTaskKind,
    PostTaskStatus,
    ShootDayStatus,
    Stage,
)
from production.graphql.greenlight import (
    CastingInsightType,
    GreenlightScorecardType,
    casting_insights_loader,
    stored_scorecard,
)

if TYPE_CHECKING:
    from catalog.graphql.types import PersonType, TitleType

Title = Annotated["TitleType", strawberry.lazy("catalog.graphql.types")]
Person = Annotated["PersonType", strawberry.lazy("catalog.graphql.types")]


@strawberry_django.type(models.StageTransition, name="StageTransition")
class StageTransitionType:
    from_stage: Stage
    to_stage: Stage
    moved_at: strawberry.auto
    reason: strawberry.auto

    @strawberry_django.field(only=["moved_by__username"], select_related=["moved_by"])
    def moved_by(self, root: models.StageTransition) -> str:
        return str(root.moved_by.username)


@strawberry_django.type(models.TargetSegment, name="TargetSegment")
class TargetSegmentType:
    region: str = strawberry_django.field(description="Blank: every region")
    age_band: str = strawberry_django.field(description="Blank: every age band")


class StaffOnlyNode(relay.Node):
    """A node of the staff API: `node(id:)` shows it to staff alone."""

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Info, **kwargs: Any) -> QuerySet[Any]:
        if not is_staff(info.context.request.user):
            return queryset.none()
        return queryset


@strawberry_django.type(models.ScriptDraft, name="ScriptDraft")
class ScriptDraftType(StaffOnlyNode):
    number: strawberry.auto
    revision_label: strawberry.auto
    authors: list[Person]
    submitted_on: strawberry.auto
    approved_on: strawberry.auto
    page_count: strawberry.auto
    notes: strawberry.auto


@strawberry_django.type(models.Audition, name="Audition")
class AuditionType(StaffOnlyNode):
    person: Person
    scheduled_at: strawberry.auto
    notes: strawberry.auto
    outcome: AuditionOutcome


@strawberry_django.type(models.CastingRole, name="CastingRole")
class CastingRoleType(StaffOnlyNode):
    character: strawberry.auto
    is_lead: strawberry.auto
    cast_person: Person | None
    auditions: list[AuditionType]

    @strawberry_django.field(
        description=(
            "The `first` best of the people who auditioned, ranked by their audience track "
            "record (how their earlier titles performed among the production's target "
            "segments) and their awards, each with the figures behind the rank; computed on "
            "the request"
        )
    )
    async def insights(
        self, root: models.CastingRole, info: Info, first: int = 10
    ) -> list[CastingInsightType]:
        limit = validated_page_size(first, argument="first")
        ranked = await casting_insights_loader(info).load(root.pk)
        return ranked[:limit]  # type: ignore[return-value]


@strawberry_django.type(models.ScoutingVisit, name="ScoutingVisit")
class ScoutingVisitType:
    visited_on: strawberry.auto
    notes: strawberry.auto


@strawberry_django.type(models.Location, name="Location")
class LocationType(StaffOnlyNode):
    name: strawberry.auto
    kind: LocationKind
    address: strawberry.auto
    latitude: float | None
    longitude: float | None
    daily_cost_usd: strawberry.auto
    status: LocationStatus
    visits: list[ScoutingVisitType]


@strawberry_django.type(models.ShootDay, name="ShootDay")
class ShootDayType(StaffOnlyNode):
    date: strawberry.auto
    call_time: strawberry.auto
    wrap_time: strawberry.auto
    scenes: strawberry.auto
    status: ShootDayStatus
    notes: strawberry.auto
    location: LocationType


@strawberry_django.type(models.PostTask, name="PostTask")
class PostTaskType(StaffOnlyNode):
    kind: PostTaskKind
    assignee: Person | None
    due_on: strawberry.auto
    status: PostTaskStatus


@strawberry_django.type(models.MarketingMilestone, name="MarketingMilestone")
class MarketingMilestoneType:
    kind: MilestoneKind
    due_on: strawberry.auto
    done_on: strawberry.auto


@strawberry_django.type(models.Release, name="Release")
class ReleaseType:
    release_on: strawberry.auto
    regions: list[str]


@strawberry.type(name="BudgetCategory", description="Planned against actual spend")
class BudgetCategoryType:
    category: str
    planned_usd: int
    actual_usd: int
    is_over: bool = strawberry.field(description="Actual spend above the plan")


@strawberry.type(name="BudgetSummary", description="Per category and in total")
class BudgetSummaryType:
    categories: list[BudgetCategoryType]
    planned_usd: int
    actual_usd: int
    is_over: bool

    @classmethod
    def of(cls, summary: selectors.BudgetSummary) -> BudgetSummaryType:
        return cls(
            categories=[
                BudgetCategoryType(
                    category=category.category,
                    planned_usd=category.planned_usd,
                    actual_usd=category.actual_usd,
                    is_over=category.is_over,
                )
                for category in summary.categories
            ],
            planned_usd=summary.planned_usd,
            actual_usd=summary.actual_usd,
            is_over=summary.is_over,
        )


@strawberry_django.type(
    models.Production, name="Production", description="Staff only: the making of a title"
)
class ProductionType(StaffOnlyNode):
    title: Title
    logline: strawberry.auto
    stage: Stage
    budget_usd: strawberry.auto
    version: int = strawberry_django.field(description="Stage changes so far")
    is_demo: bool = strawberry_django.field(description="Sample data of the demo")
    target_segments: list[TargetSegmentType]
    history: list[StageTransitionType] = strawberry_django.field(field_name="transitions")
    script_drafts: list[ScriptDraftType] = strawberry_django.field(field_name="drafts")
    roles: list[CastingRoleType]
    locations: list[LocationType]
    post_tasks: list[PostTaskType]
    milestones: list[MarketingMilestoneType]
    release: ReleaseType | None

    schedule: list[ShootDayType] = strawberry_django.field(
        field_name="shoot_days", description="Shoot days by date and call time"
    )

    @strawberry_django.field(
        description="Planned against actual per budget category, with overrun flags",
        prefetch_related=["budget_lines"],
    )
    def budget(self, root: models.Production) -> BudgetSummaryType:
        # Budget lines come by category (their model's ordering).
        return BudgetSummaryType.of(selectors.budget_summary(list(root.budget_lines.all())))

    @strawberry_django.field(
        description=(
            "The greenlight scorecard: null until the worker has computed it (it does when "
            "the inputs change, and nightly for every production not released or cancelled)"
        ),
        select_related=["greenlight_scorecard"],
        only=[
            "greenlight_scorecard__recommendation",
            "greenlight_scorecard__reasons",
            "greenlight_scorecard__figures",
            "greenlight_scorecard__computed_at",
        ],
    )
    def greenlight(self, root: models.Production) -> GreenlightScorecardType | None:
        return stored_scorecard(root)
