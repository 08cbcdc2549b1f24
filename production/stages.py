"""The stage machine: the one way a production's stage changes.

A production moves forward one stage when the next stage's guard passes, back one stage
with a reason, or is cancelled with a reason. Every move is recorded (from, to, who,
when, why) and counted in `Production.version`. Moving to released opens the title's
availability in the release's regions and marks the title released.

Two staff moving the same production at once: the row is locked without waiting, so the
second gets CONFLICT while the first is moving it, and a move made from a stale screen
(`expected_stage` no longer the stage) gets CONFLICT too. A failed move writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time

from django.contrib.auth.models import User
from django.db import OperationalError, transaction
from psycopg.errors import LockNotAvailable

from catalog.models import Availability, TitleStatus
from catalog.regions import is_country_code
from config.errors import BadUserInput, Conflict, NotFound
from production.models import (
    ENDED_STAGES,
    STAGE_ORDER,
    LocationStatus,
    PostTaskStatus,
    Production,
    Release,
    ShootDayStatus,
    Stage,
    StageTransition,
)


class StageGuardFailed(BadUserInput):
    """The next stage's guard failed; `missing` names every thing it lacks."""

    def __init__(self, stage: Stage, missing: list[str]) -> None:
        super().__init__(f"{stage.label} needs: {'; '.join(missing)}.", field="production_id")
        self.missing = missing


def production_advance(
    *, production_id: int, user: User, expected_stage: Stage | None = None
) -> Production:
    """Move the production to its next stage, if that stage's guard passes."""
    with transaction.atomic():
        production = _locked(production_id, expected_stage)
        target = _next_stage(production)
        missing = GUARDS[target](production)
        if missing:
            raise StageGuardFailed(target, missing)
        if target == Stage.RELEASED:
            _release(production)
        return _move(production, target, user, reason="")


def production_revert(
    *, production_id: int, user: User, reason: str, expected_stage: Stage | None = None
) -> Production:
    """Move the production back one stage; the reason is required and recorded."""
    reason = _required_reason(reason)
    with transaction.atomic():
        production = _locked(production_id, expected_stage)
        _refuse_if_ended(production, "move back")
        position = STAGE_ORDER.index(Stage(production.stage))
        if position == 0:
            raise BadUserInput("Development is the first stage.", field="production_id")
        return _move(production, STAGE_ORDER[position - 1], user, reason=reason)


def production_cancel(
    *, production_id: int, user: User, reason: str, expected_stage: Stage | None = None
) -> Production:
    """Cancel the production at any stage before release; the reason is recorded."""
    reason = _required_reason(reason)
    with transaction.atomic():
        production = _locked(production_id, expected_stage)
        _refuse_if_ended(production, "be cancelled")
        return _move(production, Stage.CANCELLED, user, reason=reason)


def production_release(
    *,
    production_id: int,
    user: User,
    release_on: date,
    regions: Sequence[str],
    expected_stage: Stage | None = None,
) -> Production:
    """Set the release's date and regions and move the production from marketing to
    released, opening the title there: one step, all or nothing."""
    codes = release_regions(regions)
    with transaction.atomic():
        production = _locked(production_id, expected_stage)
        if production.stage != Stage.MARKETING:
            raise BadUserInput(
                f"A production is released from marketing; this one is in "
                f"{production.get_stage_display().lower()}.",
                field="production_id",
            )
        Release.objects.update_or_create(
            production=production, defaults={"release_on": release_on, "regions": codes}
        )
        _release(production)
        return _move(production, Stage.RELEASED, user, reason="")


def release_regions(regions: Sequence[str]) -> list[str]:
    """ISO 3166-1 alpha-2 codes, upper-cased, each once, in order; BAD_USER_INPUT naming
    any that is not a country."""
    codes = list(dict.fromkeys(region.strip().upper() for region in regions))
    if not codes:
        raise BadUserInput("Name at least one region to release in.", field="regions")
    unknown = [code for code in codes if not is_country_code(code)]
    if unknown:
        raise BadUserInput(
            f"Not ISO 3166-1 country codes: {', '.join(map(repr, unknown))}.", field="regions"
        )
    return codes


def _locked(production_id: int, expected_stage: Stage | None) -> Production:
    try:
        production = (
            Production.objects.select_for_update(nowait=True, no_key=True)
            .select_related("title")
            .filter(pk=production_id)
            .first()
        )
    except OperationalError as error:
        if isinstance(error.__cause__, LockNotAvailable):
            raise Conflict(
                "Another change to this production is in progress; try again.",
                field="production_id",
            ) from error
        raise
    if production is None:
        raise NotFound("No production has this id.", field="production_id")
    if expected_stage is not None and production.stage != expected_stage:
        raise Conflict(
            f"The production is in {production.get_stage_display().lower()} now, "
            f"not {expected_stage.label.lower()}: it was moved meanwhile.",
            field="expected_stage",
        )
    return production


def _refuse_if_ended(production: Production, action: str) -> None:
    if production.stage in ENDED_STAGES:
        raise BadUserInput(
            f"A {production.get_stage_display().lower()} production cannot {action}.",
            field="production_id",
        )


def _next_stage(production: Production) -> Stage:
    if production.stage == Stage.CANCELLED:
        raise BadUserInput("A cancelled production cannot move.", field="production_id")
    position = STAGE_ORDER.index(Stage(production.stage))
    if position == len(STAGE_ORDER) - 1:
        raise BadUserInput("A released production has no next stage.", field="production_id")
    return STAGE_ORDER[position + 1]


def _move(production: Production, target: Stage, user: User, *, reason: str) -> Production:
    StageTransition.objects.create(
        production=production,
        from_stage=production.stage,
        to_stage=target,
        moved_by=user,
        reason=reason,
    )
    production.stage = target
    production.version += 1
    production.save(update_fields=["stage", "version", "updated_at"])
    return production


def _required_reason(reason: str) -> str:
    if not reason.strip():
        raise BadUserInput("Say why: a reason is required.", field="reason")
    return reason.strip()


# ---------------------------------------------------------------------------------------
# Guards: each returns what the stage still lacks, an empty list when it may start


def _casting_missing(production: Production) -> list[str]:
    if production.drafts.filter(approved_on__isnull=False).exists():
        return []
    return ["an approved script draft"]


def _location_scouting_missing(production: Production) -> list[str]:
    leads = list(production.roles.filter(is_lead=True).order_by("character"))
    if not leads:
        return ["a lead role"]
    return [f"the lead role {role.character} cast" for role in leads if role.cast_person_id is None]


def _shooting_missing(production: Production) -> list[str]:
    missing = []
    if not production.locations.filter(status=LocationStatus.APPROVED).exists():
        missing.append("an approved location")
    if not production.shoot_days.filter(status=ShootDayStatus.SCHEDULED).exists():
        missing.append("a scheduled shoot day")
    return missing


def _post_production_missing(production: Production) -> list[str]:
    days = production.shoot_days.exclude(status=ShootDayStatus.CANCELLED).order_by("date")
    if not days.exists():
        return ["a wrapped shoot day"]
    return [
        f"the shoot day of {day.date.isoformat()} wrapped"
        for day in days
        if day.status != ShootDayStatus.WRAPPED
    ]


def _marketing_missing(production: Production) -> list[str]:
    tasks = list(production.post_tasks.order_by("due_on", "id"))
    if not tasks:
        return ["a post-production task"]
    return [
        f"the {task.get_kind_display().lower()} task done"
        for task in tasks
        if task.status != PostTaskStatus.DONE
    ]


def _released_missing(production: Production) -> list[str]:
    release = Release.objects.filter(production=production).first()
    missing = []
    if release is None or release.release_on is None:
        missing.append("a release date")
    if release is None or not release.regions:
        missing.append("release regions")
    return missing


GUARDS: dict[Stage, Callable[[Production], list[str]]] = {
    Stage.CASTING: _casting_missing,
    Stage.LOCATION_SCOUTING: _location_scouting_missing,
    Stage.SHOOTING: _shooting_missing,
    Stage.POST_PRODUCTION: _post_production_missing,
    Stage.MARKETING: _marketing_missing,
    Stage.RELEASED: _released_missing,
}


def _release(production: Production) -> None:
    """Open the title in every release region from the release date, and mark it released."""
    release = production.release
    assert release.release_on is not None
    opens = datetime.combine(release.release_on, time.min, tzinfo=UTC)
    title = production.title
    for region in sorted(set(release.regions)):
        if not Availability.objects.filter(title=title, region=region, window_end=None).exists():
            Availability.objects.create(title=title, region=region, window_start=opens)
    title.status = TitleStatus.RELEASED
    if title.release_date is None:
        title.release_date = release.release_on
    title.save(update_fields=["status", "release_date", "updated_at"])
