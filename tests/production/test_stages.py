"""The stage machine: every guard passing and failing, every move, history, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from catalog.models import Availability, Credit, RoleType, TitleStatus
from config.errors import BadUserInput, Conflict, NotFound
from production import services, stages
from production.models import (
    AuditionOutcome,
    LocationStatus,
    PostTaskStatus,
    Production,
    ShootDayStatus,
    Stage,
    StageTransition,
)
from tests.factories import (
    AuditionFactory,
    CastingRoleFactory,
    LocationFactory,
    PersonFactory,
    PostTaskFactory,
    ProductionFactory,
    ReleaseFactory,
    ScriptDraftFactory,
    ShootDayFactory,
    StaffUserFactory,
)

TODAY = datetime.now(UTC).date()
WRAP = time(19, 30)


def at_stage(stage: Stage, **kwargs: Any) -> Production:
    production: Production = ProductionFactory.create(stage=stage, **kwargs)
    return production


def advance(production: Production, user: User | None = None, **kwargs: Any) -> Production:
    return stages.production_advance(
        production_id=production.pk, user=user or StaffUserFactory(), **kwargs
    )


def missing_for(production: Production) -> list[str]:
    with pytest.raises(stages.StageGuardFailed) as failure:
        advance(production)
    production.refresh_from_db()
    return failure.value.missing


# ---------------------------------------------------------------------------------------
# Guards


@pytest.mark.django_db
def test_casting_needs_an_approved_script_draft() -> None:
    production = at_stage(Stage.DEVELOPMENT)
    ScriptDraftFactory(production=production, approved_on=None)

    assert missing_for(production) == ["an approved script draft"]
    assert production.stage == Stage.DEVELOPMENT

    ScriptDraftFactory(production=production, approved_on=TODAY)
    assert advance(production).stage == Stage.CASTING


@pytest.mark.django_db
def test_location_scouting_needs_every_lead_role_cast() -> None:
    production = at_stage(Stage.CASTING)
    assert missing_for(production) == ["a lead role"]

    hero = CastingRoleFactory(production=production, character="Hero", is_lead=True)
    CastingRoleFactory(production=production, character="Villain", is_lead=True)
    CastingRoleFactory(production=production, character="Barman", is_lead=False)
    assert missing_for(production) == [
        "the lead role Hero cast",
        "the lead role Villain cast",
    ]

    services.role_cast(role_id=hero.pk, person_id=PersonFactory().pk)
    assert missing_for(production) == ["the lead role Villain cast"]

    villain = production.roles.get(character="Villain")
    services.role_cast(role_id=villain.pk, person_id=PersonFactory().pk)
    assert advance(production).stage == Stage.LOCATION_SCOUTING


@pytest.mark.django_db
def test_shooting_needs_an_approved_location_and_a_scheduled_shoot_day() -> None:
    production = at_stage(Stage.LOCATION_SCOUTING)
    candidate = LocationFactory(production=production, status=LocationStatus.CANDIDATE)
    assert missing_for(production) == ["an approved location", "a scheduled shoot day"]

    candidate.status = LocationStatus.APPROVED
    candidate.save()
    assert missing_for(production) == ["a scheduled shoot day"]

    ShootDayFactory(production=production, location=candidate)
    assert advance(production).stage == Stage.SHOOTING


@pytest.mark.django_db
def test_post_production_needs_every_shoot_day_wrapped() -> None:
    production = at_stage(Stage.SHOOTING)
    assert missing_for(production) == ["a wrapped shoot day"]

    first = ShootDayFactory(production=production, date=TODAY)
    ShootDayFactory(production=production, date=TODAY + timedelta(days=1))
    ShootDayFactory(
        production=production, date=TODAY + timedelta(days=2), status=ShootDayStatus.CANCELLED
    )
    first.status, first.wrap_time = ShootDayStatus.WRAPPED, WRAP
    first.save()

    assert missing_for(production) == [
        f"the shoot day of {(TODAY + timedelta(days=1)).isoformat()} wrapped"
    ]
    production.shoot_days.filter(status=ShootDayStatus.SCHEDULED).update(
        status=ShootDayStatus.WRAPPED, wrap_time=WRAP
    )
    assert advance(production).stage == Stage.POST_PRODUCTION


@pytest.mark.django_db
def test_marketing_needs_every_post_task_done() -> None:
    production = at_stage(Stage.POST_PRODUCTION)
    assert missing_for(production) == ["a post-production task"]

    PostTaskFactory(production=production, kind="edit", status=PostTaskStatus.DONE)
    sound = PostTaskFactory(production=production, kind="sound", status=PostTaskStatus.IN_PROGRESS)
    assert missing_for(production) == ["the sound task done"]

    sound.status = PostTaskStatus.DONE
    sound.save()
    assert advance(production).stage == Stage.MARKETING


@pytest.mark.django_db
def test_release_needs_a_date_and_regions() -> None:
    production = at_stage(Stage.MARKETING)
    assert missing_for(production) == ["a release date", "release regions"]

    release = ReleaseFactory(production=production, release_on=None, regions=[])
    assert missing_for(production) == ["a release date", "release regions"]

    release.release_on = TODAY
    release.save()
    assert missing_for(production) == ["release regions"]


@pytest.mark.django_db
def test_releasing_opens_the_title_in_the_release_regions_and_marks_it_released() -> None:
    production = at_stage(Stage.MARKETING)
    ReleaseFactory(production=production, release_on=TODAY, regions=["US", "FR"])

    advance(production)

    title = production.title
    title.refresh_from_db()
    assert title.status == TitleStatus.RELEASED
    assert title.release_date == TODAY
    windows = Availability.objects.filter(title=title).order_by("region")
    assert [(w.region, w.window_start.date(), w.window_end) for w in windows] == [
        ("FR", TODAY, None),
        ("US", TODAY, None),
    ]


# ---------------------------------------------------------------------------------------
# Moves and history


@pytest.mark.django_db
def test_a_production_goes_from_development_to_released_one_stage_at_a_time() -> None:
    staff = StaffUserFactory()
    production = at_stage(Stage.DEVELOPMENT)
    ScriptDraftFactory(production=production, approved_on=TODAY)
    lead = CastingRoleFactory(production=production, is_lead=True)
    location = LocationFactory(production=production, status=LocationStatus.APPROVED)
    day = ShootDayFactory(production=production, location=location)
    PostTaskFactory(production=production, status=PostTaskStatus.DONE)
    ReleaseFactory(production=production, release_on=TODAY, regions=["US"])
    services.role_cast(role_id=lead.pk, person_id=PersonFactory().pk)

    visited = []
    for _ in range(6):
        if production.stage == Stage.SHOOTING:
            day.status, day.wrap_time = ShootDayStatus.WRAPPED, WRAP
            day.save()
        production = advance(production, staff)
        visited.append(production.stage)

    assert visited == [
        Stage.CASTING,
        Stage.LOCATION_SCOUTING,
        Stage.SHOOTING,
        Stage.POST_PRODUCTION,
        Stage.MARKETING,
        Stage.RELEASED,
    ]
    assert production.version == 6
    history = list(production.transitions.values_list("from_stage", "to_stage", "moved_by"))
    assert history == [
        (Stage.DEVELOPMENT, Stage.CASTING, staff.pk),
        (Stage.CASTING, Stage.LOCATION_SCOUTING, staff.pk),
        (Stage.LOCATION_SCOUTING, Stage.SHOOTING, staff.pk),
        (Stage.SHOOTING, Stage.POST_PRODUCTION, staff.pk),
        (Stage.POST_PRODUCTION, Stage.MARKETING, staff.pk),
        (Stage.MARKETING, Stage.RELEASED, staff.pk),
    ]
    with pytest.raises(BadUserInput, match="no next stage"):
        advance(production, staff)


@pytest.mark.django_db
def test_moving_back_one_stage_needs_a_reason_and_is_recorded() -> None:
    staff = StaffUserFactory()
    production = at_stage(Stage.SHOOTING)

    with pytest.raises(BadUserInput, match="reason is required"):
        stages.production_revert(production_id=production.pk, user=staff, reason="  ")
    moved = stages.production_revert(
        production_id=production.pk, user=staff, reason="The lead broke a leg"
    )

    assert moved.stage == Stage.LOCATION_SCOUTING
    transition = StageTransition.objects.get(production=production)
    assert (transition.from_stage, transition.to_stage, transition.reason) == (
        Stage.SHOOTING,
        Stage.LOCATION_SCOUTING,
        "The lead broke a leg",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("stage", [Stage.DEVELOPMENT, Stage.RELEASED, Stage.CANCELLED])
def test_there_is_no_stage_to_move_back_to_from_the_first_the_released_or_cancelled(
    stage: Stage,
) -> None:
    production = at_stage(stage)

    with pytest.raises(BadUserInput):
        stages.production_revert(production_id=production.pk, user=StaffUserFactory(), reason="x")

    production.refresh_from_db()
    assert production.stage == stage
    assert not StageTransition.objects.exists()


@pytest.mark.django_db
def test_cancelling_needs_a_reason_ends_the_production_and_is_recorded() -> None:
    staff = StaffUserFactory()
    production = at_stage(Stage.CASTING)

    cancelled = stages.production_cancel(
        production_id=production.pk, user=staff, reason="Financing fell through"
    )

    assert cancelled.stage == Stage.CANCELLED
    assert StageTransition.objects.get().reason == "Financing fell through"
    with pytest.raises(BadUserInput, match="cancelled production cannot move"):
        advance(cancelled)
    with pytest.raises(BadUserInput, match="cannot be cancelled"):
        stages.production_cancel(production_id=production.pk, user=staff, reason="again")


@pytest.mark.django_db
def test_a_failed_guard_writes_nothing() -> None:
    production = at_stage(Stage.MARKETING)

    with pytest.raises(stages.StageGuardFailed):
        advance(production)

    production.refresh_from_db()
    assert (production.stage, production.version) == (Stage.MARKETING, 0)
    assert not StageTransition.objects.exists()
    assert not Availability.objects.exists()


@pytest.mark.django_db
def test_an_unknown_production_is_not_found() -> None:
    with pytest.raises(NotFound):
        stages.production_advance(production_id=0, user=StaffUserFactory())


@pytest.mark.django_db
def test_a_move_from_a_stale_screen_is_a_conflict() -> None:
    production = at_stage(Stage.DEVELOPMENT)
    ScriptDraftFactory(production=production, approved_on=TODAY)
    advance(production, expected_stage=Stage.DEVELOPMENT)

    with pytest.raises(Conflict, match="moved meanwhile"):
        advance(production, expected_stage=Stage.DEVELOPMENT)

    production.refresh_from_db()
    assert production.stage == Stage.CASTING
    assert StageTransition.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_moving_the_same_production_at_once_one_wins_the_other_gets_a_conflict() -> None:
    production = at_stage(Stage.SHOOTING)
    staff = StaffUserFactory()
    locked = threading.Event()
    release = threading.Event()

    def first_mover() -> None:
        try:
            with transaction.atomic():
                stages.production_revert(
                    production_id=production.pk, user=staff, reason="Reshoot the opening"
                )
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_mover)
    thread.start()
    assert locked.wait(timeout=10)
    try:
        with pytest.raises(Conflict, match="in progress"):
            stages.production_cancel(production_id=production.pk, user=staff, reason="Over")
    finally:
        release.set()
        thread.join()

    production.refresh_from_db()
    assert production.stage == Stage.LOCATION_SCOUTING
    assert list(StageTransition.objects.values_list("to_stage", flat=True)) == [
        Stage.LOCATION_SCOUTING
    ]


# ---------------------------------------------------------------------------------------
# Casting decisions


@pytest.mark.django_db
def test_casting_a_role_makes_the_person_a_cast_credit_of_the_title() -> None:
    production = at_stage(Stage.CASTING)
    role = CastingRoleFactory(production=production, character="Hero")
    first, second = PersonFactory(name="Ann"), PersonFactory(name="Bo")
    audition = AuditionFactory(role=role, person=first)

    services.role_cast(role_id=role.pk, person_id=first.pk)

    credit = Credit.objects.get(title=production.title)
    assert (credit.person, credit.role_type, credit.character, credit.billing_order) == (
        first,
        RoleType.CAST,
        "Hero",
        1,
    )
    audition.refresh_from_db()
    assert audition.outcome == AuditionOutcome.OFFERED

    services.role_cast(role_id=role.pk, person_id=second.pk)

    assert list(Credit.objects.filter(title=production.title).values_list("person", flat=True)) == [
        second.pk
    ]
    role.refresh_from_db()
    assert role.cast_person == second


@pytest.mark.django_db
def test_casting_an_unknown_person_writes_nothing() -> None:
    role = CastingRoleFactory()

    with pytest.raises(NotFound):
        services.role_cast(role_id=role.pk, person_id=0)

    role.refresh_from_db()
    assert role.cast_person is None
    assert not Credit.objects.exists()
