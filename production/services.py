"""Writes of the production app besides the stage moves (`production.stages`).

Every write is all or nothing, and validated by the model (its field limits and its
constraints) before it is saved: bad input is a BAD_USER_INPUT error naming the argument,
and nothing is written. Each write locks its production's row (FOR NO KEY UPDATE), so
that a stage move checking its guard never races a write to the work it checks; a move
attempted meanwhile gets CONFLICT rather than waiting.

Once a production is released or cancelled its work is closed; only the budget's actual
spend still comes in.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from catalog.models import Credit, Person, RoleType, Title, TitleKind, TitleStatus
from config.celery.after_commit import send_after_commit
from config.errors import BadUserInput, NotFound
from production.models import (
    ENDED_STAGES,
    MAX_BUDGET_USD,
    Audition,
    AuditionOutcome,
    BudgetLine,
    CastingRole,
    Location,
    LocationStatus,
    PostTask,
    PostTaskStatus,
    Production,
    ScoutingVisit,
    ScriptDraft,
    ShootDay,
    ShootDayStatus,
    TargetSegment,
)

Work = TypeVar("Work", bound=models.Model)

# Its registered name: the task module reads the audience, the services only the catalog.
SCORECARD_REFRESH_TASK = "production.tasks.refresh_greenlight_scorecard"


def refresh_scorecard_after_commit(production_id: int) -> None:
    """Refresh the production's greenlight scorecard once the current transaction commits.

    For whatever changes a scorecard's inputs (target segments, cast, script authors,
    crew, budget); an unchanged scorecard is not rewritten.
    """
    send_after_commit(SCORECARD_REFRESH_TASK, production_id)


@dataclass(frozen=True)
class SegmentData:
    """A target segment; a blank region or age band spans them all."""

    region: str = ""
    age_band: str = ""


# ---------------------------------------------------------------------------------------
# The production itself


def production_create(
    *,
    title_id: int,
    logline: str = "",
    budget_usd: int | None = None,
    target_segments: Sequence[SegmentData] = (),
) -> Production:
    """Start the production of a movie or series that is not out yet; it enters development."""
    if budget_usd is not None:
        _check_amount(budget_usd, field="budget_usd")
    with transaction.atomic():
        title = Title.objects.select_for_update(no_key=True).filter(pk=title_id).first()
        if title is None:
            raise NotFound("No title has this id.", field="title_id")
        _check_producible(title)
        production = _validated(
            Production(title=title, logline=logline.strip(), budget_usd=budget_usd),
            fallback_field="title_id",
        )
        production.save()
        _replace_target_segments(production, target_segments)
        title.status = TitleStatus.IN_PRODUCTION
        title.save(update_fields=["status", "updated_at"])
        refresh_scorecard_after_commit(production.pk)
    return production


def production_update(
    *,
    production_id: int,
    logline: str | None = None,
    budget_usd: int | None = None,
    target_segments: Sequence[SegmentData] | None = None,
) -> Production:
    """Change the logline, the budget or the target segments; None leaves a value as it is."""
    if budget_usd is not None:
        _check_amount(budget_usd, field="budget_usd")
    with transaction.atomic():
        production = _production_for_work(production_id)
        if logline is not None:
            production.logline = logline.strip()
        if budget_usd is not None:
            production.budget_usd = budget_usd
        _validated(production, fallback_field="production_id").save()
        if target_segments is not None:
            _replace_target_segments(production, target_segments)
        refresh_scorecard_after_commit(production.pk)
    return production


def budget_line_set(
    *, production_id: int, category: str, planned_usd: int, actual_usd: int = 0
) -> BudgetLine:
    """Set the planned and actual spend of a category, adding the category if it is new.

    The actual spend may still be booked after release; a cancelled production's may too,
    as its bills still come in.
    """
    for field, amount in (("planned_usd", planned_usd), ("actual_usd", actual_usd)):
        _check_amount(amount, field=field)
    with transaction.atomic():
        production = _production_row(production_id)
        line = BudgetLine.objects.filter(
            production=production, category=category.strip()
        ).first() or BudgetLine(production=production, category=category.strip())
        line.planned_usd = planned_usd
        line.actual_usd = actual_usd
        _validated(line, fallback_field="category")
        _check_budget_totals(production, line)
        line.save()
    return line


def _check_budget_totals(production: Production, line: BudgetLine) -> None:
    """The production's planned and actual totals with `line` stay within MAX_BUDGET_USD
    (its row is locked, so no other line is set meanwhile)."""
    others = (
        BudgetLine.objects.filter(production=production)
        .exclude(pk=line.pk)
        .aggregate(planned=Sum("planned_usd"), actual=Sum("actual_usd"))
    )
    for field, column, amount in (
        ("planned_usd", "planned", line.planned_usd),
        ("actual_usd", "actual", line.actual_usd),
    ):
        total = (others[column] or 0) + amount
        if total > MAX_BUDGET_USD:
            raise BadUserInput(budget_total_problem(total), field=field)


def _check_amount(amount: int, *, field: str) -> None:
    if amount < 0:
        raise BadUserInput("An amount of money cannot be negative.", field=field)
    if amount > MAX_BUDGET_USD:
        raise BadUserInput(budget_total_problem(amount), field=field)


def budget_total_problem(total: int) -> str:
    return (
        f"This brings the production's budget to ${total:,}: a production plans and "
        f"spends at most ${MAX_BUDGET_USD:,} in all."
    )


def title_production_problem(title: Title, *, new: bool) -> str | None:
    """Why `title` cannot be (or become) a production's title, or None: only a movie or a
    series is produced, and a new production only of one that is not out yet."""
    if title.kind not in (TitleKind.MOVIE, TitleKind.SERIES):
        return "Only a movie or a series is produced."
    if new and title.status == TitleStatus.RELEASED:
        return f"{title.name} is out already."
    return None


def _check_producible(title: Title) -> None:
    problem = title_production_problem(title, new=True)
    if problem is not None:
        raise BadUserInput(problem, field="title_id")
    if Production.objects.filter(title=title).exists():
        raise BadUserInput(f"{title.name} has a production already.", field="title_id")


def _replace_target_segments(production: Production, segments: Sequence[SegmentData]) -> None:
    production.target_segments.all().delete()
    for segment in dict.fromkeys(segments):  # the same segment twice counts once
        _validated(
            TargetSegment(
                production=production,
                region=segment.region.strip().upper(),
                age_band=segment.age_band,
            ),
            fallback_field="target_segments",
        ).save()


# ---------------------------------------------------------------------------------------
# Development: script drafts


def script_draft_submit(
    *,
    production_id: int,
    submitted_on: datetime.date | None = None,
    revision_label: str = "",
    author_ids: Sequence[int] = (),
    page_count: int | None = None,
    notes: str = "",
) -> ScriptDraft:
    """File the next draft of the script (numbered 1, 2, ... per production)."""
    with transaction.atomic():
        production = _production_for_work(production_id)
        authors = _people(author_ids, field="author_ids")
        last = production.drafts.aggregate(last=Max("number"))["last"] or 0
        draft = _validated(
            ScriptDraft(
                production=production,
                number=last + 1,
                revision_label=revision_label.strip(),
                submitted_on=submitted_on or timezone.localdate(),
                page_count=page_count,
                notes=notes,
            ),
            fallback_field="submitted_on",
        )
        draft.save()
        draft.authors.set(authors)
        if authors:
            refresh_scorecard_after_commit(production.pk)
    return draft


def script_draft_approve(*, draft_id: int, approved_on: datetime.date | None = None) -> ScriptDraft:
    with transaction.atomic():
        draft = _work_for_update(ScriptDraft, draft_id, field="draft_id")
        draft.approved_on = approved_on or timezone.localdate()
        _validated(draft, fallback_field="approved_on").save(update_fields=["approved_on"])
    return draft


# ---------------------------------------------------------------------------------------
# Casting: roles, auditions and the decision


def casting_role_add(*, production_id: int, character: str, is_lead: bool = False) -> CastingRole:
    with transaction.atomic():
        production = _production_for_work(production_id)
        role = _validated(
            CastingRole(production=production, character=character.strip(), is_lead=is_lead),
            fallback_field="character",
        )
        role.save()
    return role


def audition_schedule(
    *, role_id: int, person_id: int, scheduled_at: datetime.datetime, notes: str = ""
) -> Audition:
    with transaction.atomic():
        role = _work_for_update(CastingRole, role_id, field="role_id")
        (person,) = _people([person_id], field="person_id")
        audition = _validated(
            Audition(role=role, person=person, scheduled_at=scheduled_at, notes=notes),
            fallback_field="scheduled_at",
        )
        audition.save()
    return audition


def audition_outcome_record(
    *, audition_id: int, outcome: AuditionOutcome, notes: str | None = None
) -> Audition:
    """A callback or a rejection; an offer is made by casting the role (`role_cast`)."""
    if outcome == AuditionOutcome.OFFERED:
        raise BadUserInput("An offer is made by casting the role.", field="outcome")
    with transaction.atomic():
        audition = _work_for_update(
            Audition, audition_id, field="audition_id", production_path="role__production"
        )
        audition.outcome = outcome
        if notes is not None:
            audition.notes = notes
        _validated(audition, fallback_field="outcome").save(update_fields=["outcome", "notes"])
    return audition


def role_cast(*, role_id: int, person_id: int) -> CastingRole:
    """Cast `person` in the role: the decision becomes the title's cast credit.

    Recasting replaces the previous person's credit; the person's auditions for the
    role are marked offered.
    """
    with transaction.atomic():
        role = _work_for_update(CastingRole, role_id, field="role_id")
        (person,) = _people([person_id], field="person_id")
        title = role.production.title
        if role.cast_person_id is not None:
            Credit.objects.filter(
                title=title,
                person_id=role.cast_person_id,
                role_type=RoleType.CAST,
                character=role.character,
            ).delete()
        Credit.objects.create(
            title=title,
            person=person,
            role_type=RoleType.CAST,
            character=role.character,
            billing_order=_next_billing(title.pk),
        )
        role.auditions.filter(person=person).update(outcome=AuditionOutcome.OFFERED)
        role.cast_person = person
        role.save(update_fields=["cast_person"])
        refresh_scorecard_after_commit(role.production_id)
    return role


def _next_billing(title_id: int) -> int:
    last = Credit.objects.filter(title_id=title_id, role_type=RoleType.CAST).aggregate(
        last=Max("billing_order")
    )["last"]
    return (last or 0) + 1


# ---------------------------------------------------------------------------------------
# Location scouting


def location_add(
    *,
    production_id: int,
    name: str,
    kind: str,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    daily_cost_usd: int = 0,
) -> Location:
    with transaction.atomic():
        production = _production_for_work(production_id)
        location = _validated(
            Location(
                production=production,
                name=name.strip(),
                kind=kind,
                address=address.strip(),
                latitude=_coordinate(latitude, limit=90, field="latitude"),
                longitude=_coordinate(longitude, limit=180, field="longitude"),
                daily_cost_usd=daily_cost_usd,
            ),
            fallback_field="name",
        )
        location.save()
    return location


def scouting_visit_record(
    *, location_id: int, visited_on: datetime.date, notes: str = ""
) -> ScoutingVisit:
    with transaction.atomic():
        location = _work_for_update(Location, location_id, field="location_id")
        visit = _validated(
            ScoutingVisit(location=location, visited_on=visited_on, notes=notes),
            fallback_field="visited_on",
        )
        visit.save()
    return visit


def location_approve(*, location_id: int) -> Location:
    with transaction.atomic():
        location = _work_for_update(Location, location_id, field="location_id")
        location.status = LocationStatus.APPROVED
        location.save(update_fields=["status"])
    return location


def _coordinate(value: float | None, *, limit: int, field: str) -> Decimal | None:
    """Degrees to five decimals (about a metre), as the column keeps them."""
    if value is None:
        return None
    if not -limit <= value <= limit:
        raise BadUserInput(f"A {field} lies between -{limit} and {limit} degrees.", field=field)
    return round(Decimal(str(value)), 5)


# ---------------------------------------------------------------------------------------
# Shooting


def shoot_day_schedule(
    *,
    production_id: int,
    location_id: int,
    date: datetime.date,
    call_time: datetime.time,
    scenes: str = "",
    notes: str = "",
) -> ShootDay:
    """Schedule a day at one of the production's locations that was not turned down."""
    with transaction.atomic():
        production = _production_for_work(production_id)
        location = production.locations.filter(pk=location_id).first()
        if location is None:
            raise NotFound("The production has no location with this id.", field="location_id")
        if location.status == LocationStatus.REJECTED:
            raise BadUserInput(f"{location.name} was turned down.", field="location_id")
        day = _validated(
            ShootDay(
                production=production,
                location=location,
                date=date,
                call_time=call_time,
                scenes=scenes.strip(),
                notes=notes,
            ),
            fallback_field="date",
        )
        day.save()
    return day


def shoot_day_wrap(
    *, shoot_day_id: int, wrap_time: datetime.time, notes: str | None = None
) -> ShootDay:
    with transaction.atomic():
        day = _work_for_update(ShootDay, shoot_day_id, field="shoot_day_id")
        if day.status != ShootDayStatus.SCHEDULED:
            raise BadUserInput(
                f"The shoot day of {day.date.isoformat()} is {day.get_status_display().lower()}.",
                field="shoot_day_id",
            )
        day.status = ShootDayStatus.WRAPPED
        day.wrap_time = wrap_time
        if notes is not None:
            day.notes = notes
        _validated(day, fallback_field="wrap_time").save(
            update_fields=["status", "wrap_time", "notes"]
        )
    return day


# ---------------------------------------------------------------------------------------
# Post-production


def post_task_add(
    *,
    production_id: int,
    kind: str,
    assignee_id: int | None = None,
    due_on: datetime.date | None = None,
) -> PostTask:
    with transaction.atomic():
        production = _production_for_work(production_id)
        assignee = None
        if assignee_id is not None:
            (assignee,) = _people([assignee_id], field="assignee_id")
        task = _validated(
            PostTask(production=production, kind=kind, assignee=assignee, due_on=due_on),
            fallback_field="kind",
        )
        task.save()
    return task


def post_task_complete(*, task_id: int) -> PostTask:
    with transaction.atomic():
        task = _work_for_update(PostTask, task_id, field="task_id")
        task.status = PostTaskStatus.DONE
        task.save(update_fields=["status"])
    return task


# ---------------------------------------------------------------------------------------
# Shared checks


def _production_row(production_id: int, *, field: str = "production_id") -> Production:
    """The production, its row locked until the transaction ends."""
    production = (
        Production.objects.select_for_update(no_key=True)
        .select_related("title")
        .filter(pk=production_id)
        .first()
    )
    if production is None:
        raise NotFound("No production has this id.", field=field)
    return production


def _production_for_work(production_id: int, *, field: str = "production_id") -> Production:
    """The production, locked, if it still takes work: not released, not cancelled."""
    production = _production_row(production_id, field=field)
    if production.stage in ENDED_STAGES:
        raise BadUserInput(
            f"The production is {production.get_stage_display().lower()}: its work is closed.",
            field=field,
        )
    return production


def _work_for_update(
    model: type[Work], pk: int, *, field: str, production_path: str = "production"
) -> Work:
    """One piece of a production's work, its production locked and open for work.

    The production is locked first, as every write and stage move does, so that two
    writes never wait on each other in opposite orders.
    """
    production_id = (
        model._default_manager.filter(pk=pk).values_list(f"{production_path}_id", flat=True).first()
    )
    noun = model._meta.verbose_name
    if production_id is None:
        raise NotFound(f"No {noun} has this id.", field=field)
    _production_for_work(production_id, field=field)
    work = (
        model._default_manager.select_for_update(no_key=True, of=("self",))
        .select_related(f"{production_path}__title")
        .filter(pk=pk)
        .first()
    )
    if work is None:  # deleted while the production was being locked
        raise NotFound(f"No {noun} has this id.", field=field)
    return work


def _people(person_ids: Sequence[int | None], *, field: str) -> list[Person]:
    """The people with these ids, in that order; NOT_FOUND naming the ids that are not."""
    wanted = [pk for pk in dict.fromkeys(person_ids) if pk is not None]
    found = Person.objects.in_bulk(wanted)
    unknown = [pk for pk in wanted if pk not in found]
    if unknown:
        raise NotFound(
            f"No person has the id{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(str, unknown))}.",
            field=field,
        )
    return [found[pk] for pk in wanted]


def _validated(instance: Work, *, fallback_field: str) -> Work:
    """The instance, if its fields and constraints hold; else BAD_USER_INPUT naming the field.

    Errors on a field name the model's field (the GraphQL layer spells it as the API
    does); a constraint across fields names `fallback_field`.
    """
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        if field == NON_FIELD_ERRORS:
            raise BadUserInput(" ".join(messages), field=fallback_field) from error
        label = getattr(instance._meta.get_field(field), "verbose_name", field)
        raise BadUserInput(
            f"{str(label).capitalize()}: {' '.join(messages)}", field=field
        ) from error
    return instance
