"""The staff API's writes: every step of a production, from the first draft to the release.

Each mutation is for studio staff who may change productions, writes all or nothing, and
returns what it changed. Errors carry codes: BAD_USER_INPUT (naming the argument),
NOT_FOUND, CONFLICT (the production was moved meanwhile, or is being moved),
UNAUTHENTICATED and FORBIDDEN.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import strawberry_django
from strawberry import Info, relay

from config.access import require_staff
from config.graphql.arguments import node_pk
from production import models, services, stages
from production.graphql.enums import (
    AuditionOutcome,
    LocationKind,
    PostTaskKind,
    Stage,
)
from production.graphql.types import (
    AuditionType,
    BudgetCategoryType,
    CastingRoleType,
    LocationType,
    PostTaskType,
    ProductionType,
    ScoutingVisitType,
    ScriptDraftType,
    ShootDayType,
)

if TYPE_CHECKING:
    from audience.graphql.enums import AgeBand

AgeBandEnum = Annotated["AgeBand", strawberry.lazy("audience.graphql.enums")]

EDIT_PERMISSION = "production.change_production"


def _editor(info: Info) -> Any:
    """The caller, if studio staff allowed to change productions."""
    user = info.context.request.user
    require_staff(user, action="change productions", permission=EDIT_PERMISSION)
    return user


def _pk(global_id: relay.GlobalID, type_name: str, field: str) -> int:
    return node_pk(global_id, type_name=type_name, field=field)


def _optional_pk(global_id: relay.GlobalID | None, type_name: str, field: str) -> int | None:
    return None if global_id is None else _pk(global_id, type_name, field)


@strawberry.input(description="An audience a production is made for; a blank part spans all")
class TargetSegmentInput:
    region: str = strawberry.field(default="", description="ISO 3166-1 code; blank: every region")
    age_band: AgeBandEnum | None = strawberry.field(default=None, description="None: every age")


def _segments(segments: list[TargetSegmentInput] | None) -> list[services.SegmentData] | None:
    if segments is None:
        return None
    return [
        services.SegmentData(
            region=segment.region, age_band=segment.age_band.value if segment.age_band else ""
        )
        for segment in segments
    ]


@strawberry.input(description="A new production of a movie or series that is not out yet")
class CreateProductionInput:
    title_id: relay.GlobalID
    logline: str = ""
    budget_usd: int | None = None
    target_segments: list[TargetSegmentInput] = strawberry.field(default_factory=list)


@strawberry.input(description="What to change; a field left out stays as it is")
class UpdateProductionInput:
    production_id: relay.GlobalID
    logline: str | None = None
    budget_usd: int | None = None
    target_segments: list[TargetSegmentInput] | None = strawberry.field(
        default=None, description="Replaces every target segment"
    )


@strawberry.input
class SubmitScriptDraftInput:
    production_id: relay.GlobalID
    submitted_on: datetime.date | None = strawberry.field(default=None, description="Default today")
    revision_label: str = ""
    author_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)
    page_count: int | None = None
    notes: str = ""


@strawberry.input
class ScheduleAuditionInput:
    role_id: relay.GlobalID
    person_id: relay.GlobalID
    scheduled_at: datetime.datetime = strawberry.field(description="With a UTC offset")
    notes: str = ""


@strawberry.input
class AddLocationInput:
    production_id: relay.GlobalID
    name: str
    kind: LocationKind
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    daily_cost_usd: int = 0


@strawberry.input
class ScheduleShootDayInput:
    production_id: relay.GlobalID
    location_id: relay.GlobalID
    date: datetime.date
    call_time: datetime.time
    scenes: str = strawberry.field(default="", description="e.g. '12, 14A, 15'")
    notes: str = ""


@strawberry.input
class AddPostTaskInput:
    production_id: relay.GlobalID
    kind: PostTaskKind
    assignee_id: relay.GlobalID | None = None
    due_on: datetime.date | None = None


@strawberry.input(description="The release: a date and the regions the title opens in")
class ReleaseTitleInput:
    production_id: relay.GlobalID
    release_on: datetime.date
    regions: list[str] = strawberry.field(description="ISO 3166-1 alpha-2 codes")
    expected_stage: Stage | None = strawberry.field(
        default=None, description="The stage the caller saw; CONFLICT if it moved meanwhile"
    )


def mutation(description: str, graphql_type: Any = None) -> Any:
    """A staff mutation; its resolver returns the model and `graphql_type` shows it."""
    return strawberry_django.mutation(
        handle_django_errors=False, description=description, graphql_type=graphql_type
    )


@strawberry.type
class Mutation:
    # -- the production ------------------------------------------------------------------

    @mutation("Staff: start producing a movie or series; it enters development", ProductionType)
    def create_production(self, info: Info, input: CreateProductionInput) -> models.Production:
        _editor(info)
        return services.production_create(
            title_id=_pk(input.title_id, "Title", "titleId"),
            logline=input.logline,
            budget_usd=input.budget_usd,
            target_segments=_segments(input.target_segments) or [],
        )

    @mutation("Staff: change a production's logline, budget or target segments", ProductionType)
    def update_production(self, info: Info, input: UpdateProductionInput) -> models.Production:
        _editor(info)
        return services.production_update(
            production_id=_pk(input.production_id, "Production", "productionId"),
            logline=input.logline,
            budget_usd=input.budget_usd,
            target_segments=_segments(input.target_segments),
        )

    @mutation("Staff: set a budget category's planned and actual spend (adds a new category)")
    def set_budget_line(
        self,
        info: Info,
        production_id: relay.GlobalID,
        category: str,
        planned_usd: int,
        actual_usd: int = 0,
    ) -> BudgetCategoryType:
        _editor(info)
        line = services.budget_line_set(
            production_id=_pk(production_id, "Production", "productionId"),
            category=category,
            planned_usd=planned_usd,
            actual_usd=actual_usd,
        )
        return BudgetCategoryType(
            category=line.category,
            planned_usd=line.planned_usd,
            actual_usd=line.actual_usd,
            is_over=line.actual_usd > line.planned_usd,
        )

    # -- the stage machine ---------------------------------------------------------------

    @mutation(
        "Staff: move a production to its next stage, if that stage's guard passes", ProductionType
    )
    def advance_stage(
        self, info: Info, production_id: relay.GlobalID, expected_stage: Stage | None = None
    ) -> models.Production:
        user = _editor(info)
        return stages.production_advance(
            production_id=_pk(production_id, "Production", "productionId"),
            user=user,
            expected_stage=expected_stage,
        )

    @mutation("Staff: move a production back one stage; the reason is recorded", ProductionType)
    def revert_stage(
        self,
        info: Info,
        production_id: relay.GlobalID,
        reason: str,
        expected_stage: Stage | None = None,
    ) -> models.Production:
        user = _editor(info)
        return stages.production_revert(
            production_id=_pk(production_id, "Production", "productionId"),
            user=user,
            reason=reason,
            expected_stage=expected_stage,
        )

    @mutation(
        "Staff: cancel a production before its release; the reason is recorded", ProductionType
    )
    def cancel_production(
        self,
        info: Info,
        production_id: relay.GlobalID,
        reason: str,
        expected_stage: Stage | None = None,
    ) -> models.Production:
        user = _editor(info)
        return stages.production_cancel(
            production_id=_pk(production_id, "Production", "productionId"),
            user=user,
            reason=reason,
            expected_stage=expected_stage,
        )

    @mutation(
        "Staff: release a production in marketing: sets the release date and regions, "
        "opens the title there from that date and marks it released",
        graphql_type=ProductionType,
    )
    def release_title(self, info: Info, input: ReleaseTitleInput) -> models.Production:
        user = _editor(info)
        return stages.production_release(
            production_id=_pk(input.production_id, "Production", "productionId"),
            user=user,
            release_on=input.release_on,
            regions=input.regions,
            expected_stage=input.expected_stage,
        )

    # -- development ---------------------------------------------------------------------

    @mutation("Staff: file the production's next script draft", ScriptDraftType)
    def submit_script_draft(self, info: Info, input: SubmitScriptDraftInput) -> models.ScriptDraft:
        _editor(info)
        return services.script_draft_submit(
            production_id=_pk(input.production_id, "Production", "productionId"),
            submitted_on=input.submitted_on,
            revision_label=input.revision_label,
            author_ids=[_pk(author, "Person", "authorIds") for author in input.author_ids],
            page_count=input.page_count,
            notes=input.notes,
        )

    @mutation("Staff: approve a script draft (default: today)", ScriptDraftType)
    def approve_script_draft(
        self, info: Info, draft_id: relay.GlobalID, approved_on: datetime.date | None = None
    ) -> models.ScriptDraft:
        _editor(info)
        return services.script_draft_approve(
            draft_id=_pk(draft_id, "ScriptDraft", "draftId"), approved_on=approved_on
        )

    # -- casting -------------------------------------------------------------------------

    @mutation("Staff: add a character to cast", CastingRoleType)
    def add_casting_role(
        self, info: Info, production_id: relay.GlobalID, character: str, is_lead: bool = False
    ) -> models.CastingRole:
        _editor(info)
        return services.casting_role_add(
            production_id=_pk(production_id, "Production", "productionId"),
            character=character,
            is_lead=is_lead,
        )

    @mutation("Staff: schedule a person's audition for a role", AuditionType)
    def schedule_audition(self, info: Info, input: ScheduleAuditionInput) -> models.Audition:
        _editor(info)
        return services.audition_schedule(
            role_id=_pk(input.role_id, "CastingRole", "roleId"),
            person_id=_pk(input.person_id, "Person", "personId"),
            scheduled_at=input.scheduled_at,
            notes=input.notes,
        )

    @mutation(
        "Staff: a callback or a rejection after an audition (an offer is castRole)", AuditionType
    )
    def record_audition_outcome(
        self,
        info: Info,
        audition_id: relay.GlobalID,
        outcome: AuditionOutcome,
        notes: str | None = None,
    ) -> models.Audition:
        _editor(info)
        return services.audition_outcome_record(
            audition_id=_pk(audition_id, "Audition", "auditionId"), outcome=outcome, notes=notes
        )

    @mutation(
        "Staff: cast a person in a role; the person becomes a cast credit of the title "
        "(recasting replaces the credit)",
        graphql_type=CastingRoleType,
    )
    def cast_role(
        self, info: Info, role_id: relay.GlobalID, person_id: relay.GlobalID
    ) -> models.CastingRole:
        _editor(info)
        return services.role_cast(
            role_id=_pk(role_id, "CastingRole", "roleId"),
            person_id=_pk(person_id, "Person", "personId"),
        )

    # -- location scouting ---------------------------------------------------------------

    @mutation("Staff: add a candidate location, stage or set build", LocationType)
    def add_location(self, info: Info, input: AddLocationInput) -> models.Location:
        _editor(info)
        return services.location_add(
            production_id=_pk(input.production_id, "Production", "productionId"),
            name=input.name,
            kind=input.kind,
            address=input.address,
            latitude=input.latitude,
            longitude=input.longitude,
            daily_cost_usd=input.daily_cost_usd,
        )

    @mutation("Staff: record a scouting visit to a location", ScoutingVisitType)
    def record_scouting_visit(
        self,
        info: Info,
        location_id: relay.GlobalID,
        visited_on: datetime.date,
        notes: str = "",
    ) -> models.ScoutingVisit:
        _editor(info)
        return services.scouting_visit_record(
            location_id=_pk(location_id, "Location", "locationId"),
            visited_on=visited_on,
            notes=notes,
        )

    @mutation("Staff: approve a location for shooting", LocationType)
    def approve_location(self, info: Info, location_id: relay.GlobalID) -> models.Location:
        _editor(info)
        return services.location_approve(location_id=_pk(location_id, "Location", "locationId"))

    # -- shooting ------------------------------------------------------------------------

    @mutation("Staff: schedule a shoot day at one of the production's locations", ShootDayType)
    def schedule_shoot_day(self, info: Info, input: ScheduleShootDayInput) -> models.ShootDay:
        _editor(info)
        return services.shoot_day_schedule(
            production_id=_pk(input.production_id, "Production", "productionId"),
            location_id=_pk(input.location_id, "Location", "locationId"),
            date=input.date,
            call_time=input.call_time,
            scenes=input.scenes,
            notes=input.notes,
        )

    @mutation("Staff: wrap a scheduled shoot day at its wrap time", ShootDayType)
    def wrap_shoot_day(
        self,
        info: Info,
        shoot_day_id: relay.GlobalID,
        wrap_time: datetime.time,
        notes: str | None = None,
    ) -> models.ShootDay:
        _editor(info)
        return services.shoot_day_wrap(
            shoot_day_id=_pk(shoot_day_id, "ShootDay", "shootDayId"),
            wrap_time=wrap_time,
            notes=notes,
        )

    # -- post-production -----------------------------------------------------------------

    @mutation("Staff: add a post-production task", PostTaskType)
    def add_post_task(self, info: Info, input: AddPostTaskInput) -> models.PostTask:
        _editor(info)
        return services.post_task_add(
            production_id=_pk(input.production_id, "Production", "productionId"),
            kind=input.kind,
            assignee_id=_optional_pk(input.assignee_id, "Person", "assigneeId"),
            due_on=input.due_on,
        )

    @mutation("Staff: mark a post-production task done", PostTaskType)
    def complete_post_task(self, info: Info, task_id: relay.GlobalID) -> models.PostTask:
        _editor(info)
        return services.post_task_complete(task_id=_pk(task_id, "PostTask", "taskId"))
