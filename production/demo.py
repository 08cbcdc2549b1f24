"""Demo productions for a first start: two at each stage, one released and one cancelled.

They are built the way staff build a production, through `production.services` and the
stage machine, so every guard has really passed; the cast and writers are people of the
sample catalog, so their track records are real. Each is marked `is_demo`, and the stage
history is spread over the past months so that the admin's timelines read like a slate.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from catalog.models import Department, Genre, Person, RoleType, Title, TitleKind, TitleStatus
from catalog.naming import sort_name_for
from config.celery.after_commit import sending_paused
from production import services, stages
from production.models import (
    STAGE_ORDER,
    AuditionOutcome,
    LocationKind,
    MarketingMilestone,
    MilestoneKind,
    PostTaskKind,
    Production,
    Stage,
    StageTransition,
)

SEED = 2026
RELEASED_DAYS_AGO = 14
DEMO_REGIONS = ("US", "GB", "DE", "FR", "BR", "IN", "JP")
BUDGET_SHARES = {
    "Script and rights": 0.06,
    "Cast": 0.30,
    "Crew": 0.22,
    "Locations and sets": 0.17,
    "Post-production": 0.15,
    "Marketing": 0.10,
}
# The budget categories spent by the time a production has reached each stage.
SPENT_BY_STAGE = {
    Stage.DEVELOPMENT: ("Script and rights",),
    Stage.CASTING: ("Script and rights", "Cast"),
    Stage.LOCATION_SCOUTING: ("Script and rights", "Cast", "Locations and sets"),
    Stage.SHOOTING: ("Script and rights", "Cast", "Crew", "Locations and sets"),
    Stage.POST_PRODUCTION: (
        "Script and rights",
        "Cast",
        "Crew",
        "Locations and sets",
        "Post-production",
    ),
    Stage.MARKETING: tuple(BUDGET_SHARES),
    Stage.RELEASED: tuple(BUDGET_SHARES),
    Stage.CANCELLED: ("Script and rights", "Cast"),
}


@dataclass(frozen=True)
class DemoPlan:
    name: str
    logline: str
    genres: tuple[str, ...]
    runtime_minutes: int
    budget_usd: int
    stage: Stage
    segments: tuple[tuple[str, str], ...]  # (region, age band; "" for every age)
    characters: tuple[tuple[str, bool], ...]  # (character, is lead)
    locations: tuple[tuple[str, LocationKind, str], ...]  # (name, kind, address)
    over_budget: bool = False
    overdue_shoot_day: bool = False


PLANS: tuple[DemoPlan, ...] = (
    DemoPlan(
        "The Salt Road",
        "Two estranged sisters drive their father's ashes across a desert in a failing van.",
        ("Drama", "Comedy"),
        104,
        9_000_000,
        Stage.DEVELOPMENT,
        (("US", ""), ("GB", "")),
        (("June", True), ("Marta", True), ("The mechanic", False)),
        (("Bonneville flats", LocationKind.ON_LOCATION, "Wendover, Utah"),),
    ),
    DemoPlan(
        "Cold Harbour",
        "A harbour pilot finds the ship she guided in was carrying no crew.",
        ("Thriller", "Mystery"),
        112,
        28_000_000,
        Stage.DEVELOPMENT,
        (("GB", ""), ("DE", "")),
        (("Captain Ines Kerr", True), ("Harbourmaster", False)),
        (("Port of Leith", LocationKind.ON_LOCATION, "Edinburgh"),),
    ),
    DemoPlan(
        "Paper Lanterns",
        "A retired typesetter teaches a teenage forger the one craft she can't fake.",
        ("Drama",),
        98,
        6_500_000,
        Stage.CASTING,
        (("JP", ""), ("US", "")),
        (("Hideko", True), ("Rin", True), ("Inspector Mori", False)),
        (("Old press hall", LocationKind.SET_BUILD, "Stage 4"),),
    ),
    DemoPlan(
        "Ninth Inning",
        "A minor-league team sells its last home game to a man who wants to lose it.",
        ("Comedy", "Drama"),
        109,
        14_000_000,
        Stage.CASTING,
        (("US", ""),),
        (("Coach Dell", True), ("Ray Castillo", True), ("The buyer", False)),
        (("Riverside ballpark", LocationKind.ON_LOCATION, "Durham, North Carolina"),),
    ),
    DemoPlan(
        "Lowlands",
        "When the dykes fail, a ferryman rows the town's last census through the flood.",
        ("Drama", "Action"),
        121,
        42_000_000,
        Stage.LOCATION_SCOUTING,
        (("DE", ""), ("FR", ""), ("GB", "")),
        (("Pieter", True), ("Anouk", True), ("The mayor", False)),
        (
            ("Zeeland polder", LocationKind.ON_LOCATION, "Zeeland, Netherlands"),
            ("Flood tank", LocationKind.STAGE, "Studio Babelsberg, Stage 9"),
            ("Town square", LocationKind.SET_BUILD, "Backlot B"),
        ),
    ),
    DemoPlan(
        "Static",
        "A late-night radio host starts hearing callers from next week.",
        ("Science Fiction", "Thriller"),
        96,
        11_000_000,
        Stage.LOCATION_SCOUTING,
        (("US", ""), ("BR", "")),
        (("Nadia Voss", True), ("The caller", False)),
        (
            ("Radio tower", LocationKind.ON_LOCATION, "Marfa, Texas"),
            ("Studio booth", LocationKind.SET_BUILD, "Stage 2"),
        ),
    ),
    DemoPlan(
        "The Long Table",
        "Four generations, one wedding and a recipe nobody agrees on.",
        ("Comedy", "Romance"),
        107,
        18_000_000,
        Stage.SHOOTING,
        (("IN", ""), ("GB", "")),
        (("Asha", True), ("Dev", True), ("Nani", False)),
        (
            ("Haveli courtyard", LocationKind.ON_LOCATION, "Jaipur, Rajasthan"),
            ("Kitchen set", LocationKind.SET_BUILD, "Stage 6"),
        ),
        overdue_shoot_day=True,
    ),
    DemoPlan(
        "Black Ice",
        "A road crew on the last winter highway must decide whom to leave behind.",
        ("Action", "Thriller"),
        118,
        55_000_000,
        Stage.SHOOTING,
        (("US", ""), ("DE", "")),
        (("Mack Harlan", True), ("Sue Quill", True), ("Dispatcher", False)),
        (("Ice road", LocationKind.ON_LOCATION, "Yellowknife, Canada"),),
        over_budget=True,
    ),
    DemoPlan(
        "Understudy",
        "An understudy gets her break the night the lead vanishes mid-performance.",
        ("Mystery", "Drama"),
        101,
        12_000_000,
        Stage.POST_PRODUCTION,
        (("GB", ""), ("US", "")),
        (("Iris Vale", True), ("Director Wren", False)),
        (("Old Vic stage", LocationKind.STAGE, "London"),),
    ),
    DemoPlan(
        "Orbit of Small Things",
        "A school science club's satellite starts answering back.",
        ("Science Fiction", "Animation"),
        92,
        35_000_000,
        Stage.POST_PRODUCTION,
        (("US", "13-17"), ("JP", "13-17"), ("FR", "13-17")),
        (("Kit (voice)", True), ("Ms Okafor (voice)", False)),
        (("Recording stage", LocationKind.STAGE, "Stage 1"),),
        over_budget=True,
    ),
    DemoPlan(
        "Wildfire Season",
        "Smokejumpers, a drought summer and the fire that jumps the ridge.",
        ("Action", "Drama"),
        124,
        60_000_000,
        Stage.MARKETING,
        (("US", ""), ("BR", "")),
        (("Cal Brennan", True), ("Rosa Diaz", True), ("Chief", False)),
        (("Ridge camp", LocationKind.ON_LOCATION, "Sierra Nevada, California"),),
    ),
    DemoPlan(
        "Last Orders",
        "The regulars of a closing pub stage one final, illegal lock-in.",
        ("Comedy",),
        95,
        5_000_000,
        Stage.MARKETING,
        (("GB", ""),),
        (("Maureen", True), ("Big Tam", False)),
        (("The Anchor", LocationKind.ON_LOCATION, "Glasgow"),),
    ),
    DemoPlan(
        "Tidewater",
        "A marine biologist returns to the island that exiled her mother.",
        ("Drama", "Mystery"),
        110,
        16_000_000,
        Stage.RELEASED,
        (("US", ""), ("GB", ""), ("DE", "")),
        (("Dr Nell Ashby", True), ("Tom Ashby", False)),
        (("Harris cliffs", LocationKind.ON_LOCATION, "Isle of Harris"),),
    ),
    DemoPlan(
        "Glass Houses",
        "A stylish heist in a museum built entirely of glass.",
        ("Action", "Comedy"),
        105,
        70_000_000,
        Stage.CANCELLED,
        (("US", ""),),
        (("Vera", True), ("Luca", True)),
        (("Museum atrium", LocationKind.SET_BUILD, "Stage 3"),),
    ),
)

CANCEL_REASON = "Budget above what comparable heist titles earned; slot given to Lowlands."


@dataclass
class DemoReport:
    created: int = 0
    already_loaded: bool = False


def demo_productions_load(
    *, user: User, progress: Callable[[str], object] | None = None
) -> DemoReport:
    """Create the demo productions unless any exists; each in its own transaction.

    Their greenlight scorecards are left to the caller (`load_demo_productions` computes
    them once each), not refreshed after every step of the build.
    """
    if Production.objects.filter(is_demo=True).exists():
        return DemoReport(already_loaded=True)
    people = _demo_people()
    rng = random.Random(SEED)
    report = DemoReport()
    for plan in PLANS:
        with transaction.atomic(), sending_paused():
            _build(plan, user=user, rng=rng, people=people)
        report.created += 1
        if progress is not None:
            progress(plan.name)
    return report


@dataclass(frozen=True)
class DemoPeople:
    actors: list[Person]
    writers: list[Person]
    crew: list[Person]


def _demo_people() -> DemoPeople:
    """Sample actors with the most cast credits, sample writers and crew; demo people
    where the catalog has too few (a catalog without the sample data)."""
    actors = list(
        Person.objects.filter(credits__role_type=RoleType.CAST)
        .annotate(parts=Count("credits"))
        .order_by("-parts", "id")[:120]
    )
    writers = list(
        Person.objects.filter(credits__department=Department.WRITING).distinct().order_by("id")[:30]
    )
    crew = list(
        Person.objects.filter(credits__role_type=RoleType.CREW)
        .exclude(credits__department=Department.WRITING)
        .distinct()
        .order_by("id")[:30]
    )
    return DemoPeople(
        actors=actors + _made_up("Demo actor", len(actors), 12),
        writers=writers + _made_up("Demo writer", len(writers), 3),
        crew=crew + _made_up("Demo editor", len(crew), len(PostTaskKind)),
    )


def _made_up(name: str, have: int, need: int) -> list[Person]:
    return [Person.objects.create(name=f"{name} {n + 1}") for n in range(have, need)]


def _build(plan: DemoPlan, *, user: User, rng: random.Random, people: DemoPeople) -> Production:
    title = _demo_title(plan)
    production = services.production_create(
        title_id=title.pk,
        logline=plan.logline,
        budget_usd=plan.budget_usd,
        target_segments=[services.SegmentData(region, band) for region, band in plan.segments],
    )
    Production.objects.filter(pk=production.pk).update(is_demo=True)
    target = Stage.CASTING if plan.stage == Stage.CANCELLED else plan.stage
    reached = STAGE_ORDER.index(target)
    for position, stage_work in enumerate(STAGE_WORK):
        finished = position < reached
        stage_work(production, plan, finished=finished, rng=rng, people=people)
        if not finished:
            break
        if STAGE_ORDER[position + 1] == Stage.RELEASED:
            _release(production, user=user)
        else:
            stages.production_advance(production_id=production.pk, user=user)
    if plan.stage == Stage.CANCELLED:
        stages.production_cancel(production_id=production.pk, user=user, reason=CANCEL_REASON)
    _budget(production, plan, rng)
    _spread_history(production)
    return production


def _demo_title(plan: DemoPlan) -> Title:
    today = timezone.localdate()
    title = Title.objects.create(
        kind=TitleKind.MOVIE,
        name=plan.name,
        sort_name=sort_name_for(plan.name),
        synopsis=plan.logline,
        year=today.year if plan.stage == Stage.RELEASED else today.year + 1,
        runtime_minutes=plan.runtime_minutes,
        original_language="en",
        is_original=True,
        status=TitleStatus.ANNOUNCED,
        budget_usd=plan.budget_usd,
    )
    title.genres.set(Genre.objects.filter(name__in=plan.genres))
    return title


# ---------------------------------------------------------------------------------------
# Each stage's work; `finished` does what the next stage's guard asks for


def _develop(production: Production, plan: DemoPlan, *, finished: bool, **kw: Any) -> None:
    rng: random.Random = kw["rng"]
    writers = kw["people"].writers
    today = timezone.localdate()
    authors = [writer.pk for writer in rng.sample(writers, k=2)]
    drafts = []
    for number, label in enumerate(("White", "Blue revision"), start=1):
        drafts.append(
            services.script_draft_submit(
                production_id=production.pk,
                submitted_on=today - timedelta(days=200 - 60 * number),
                revision_label=label,
                author_ids=authors,
                page_count=plan.runtime_minutes + rng.randint(-4, 6),
                notes="Notes from the table read folded in." if number > 1 else "",
            )
        )
    if finished:
        services.script_draft_approve(
            draft_id=drafts[-1].pk, approved_on=drafts[-1].submitted_on + timedelta(days=9)
        )


def _cast(production: Production, plan: DemoPlan, *, finished: bool, **kw: Any) -> None:
    rng: random.Random = kw["rng"]
    auditioned_at = datetime.combine(timezone.localdate(), time(10), tzinfo=UTC)
    for character, is_lead in plan.characters:
        role = services.casting_role_add(
            production_id=production.pk, character=character, is_lead=is_lead
        )
        people = rng.sample(kw["people"].actors, k=3)
        auditions = [
            services.audition_schedule(
                role_id=role.pk,
                person_id=person.pk,
                scheduled_at=auditioned_at - timedelta(days=rng.randint(20, 80), hours=hour),
            )
            for hour, person in enumerate(people)
        ]
        services.audition_outcome_record(
            audition_id=auditions[-1].pk, outcome=AuditionOutcome.REJECTED
        )
        if finished or not is_lead:
            services.role_cast(role_id=role.pk, person_id=people[0].pk)
        else:
            services.audition_outcome_record(
                audition_id=auditions[0].pk, outcome=AuditionOutcome.CALLBACK
            )


def _scout(production: Production, plan: DemoPlan, *, finished: bool, **kw: Any) -> None:
    rng: random.Random = kw["rng"]
    today = timezone.localdate()
    locations = [
        services.location_add(
            production_id=production.pk,
            name=name,
            kind=kind,
            address=address,
            daily_cost_usd=rng.randrange(2_000, 30_000, 500),
        )
        for name, kind, address in plan.locations
    ]
    for location in locations:
        services.scouting_visit_record(
            location_id=location.pk,
            visited_on=today - timedelta(days=rng.randint(5, 40)),
            notes="Light is good until four; parking for the trucks on the north side.",
        )
    if not finished:
        return
    services.location_approve(location_id=locations[0].pk)
    first_day = today + timedelta(days=_first_shoot_day_offset(plan))
    for day in range(6):
        services.shoot_day_schedule(
            production_id=production.pk,
            location_id=locations[0].pk,
            date=first_day + timedelta(days=day),
            call_time=time(6, 30) if day % 2 else time(7),
            scenes=f"{3 * day + 1}, {3 * day + 2}, {3 * day + 3}",
        )


def _first_shoot_day_offset(plan: DemoPlan) -> int:
    """Shooting productions are mid-schedule; later ones shot weeks ago."""
    if plan.stage == Stage.SHOOTING:
        return -3
    return -(90 + 30 * (STAGE_ORDER.index(plan.stage) - STAGE_ORDER.index(Stage.SHOOTING)))


def _shoot(production: Production, plan: DemoPlan, *, finished: bool, **kw: Any) -> None:
    today = timezone.localdate()
    days = list(production.shoot_days.order_by("date"))
    # An overdue day: its date has passed and nobody has wrapped it.
    left_open = {days[0].pk} if plan.overdue_shoot_day and not finished else set()
    for day in days:
        if (finished or day.date < today) and day.pk not in left_open:
            services.shoot_day_wrap(shoot_day_id=day.pk, wrap_time=time(19, 15))


def _post(production: Production, plan: DemoPlan, *, finished: bool, **kw: Any) -> None:
    today = timezone.localdate()
    tasks = [
        services.post_task_add(
            production_id=production.pk,
            kind=kind,
            assignee_id=kw["people"].crew[index].pk,
            due_on=today + timedelta(days=14 * (index - 2)),
        )
        for index, kind in enumerate(PostTaskKind)
    ]
    for task in tasks if finished else tasks[:2]:
        services.post_task_complete(task_id=task.pk)


def _market(production: Production, plan: DemoPlan, *, finished: bool, **kw: Any) -> None:
    today = timezone.localdate()
    for weeks, kind in ((-6, MilestoneKind.TRAILER), (-2, MilestoneKind.KEY_ART)):
        MarketingMilestone.objects.create(
            production=production,
            kind=kind,
            due_on=today + timedelta(weeks=weeks),
            done_on=today + timedelta(weeks=weeks, days=-2),
        )
    MarketingMilestone.objects.create(
        production=production,
        kind=MilestoneKind.PREMIERE,
        due_on=today + timedelta(weeks=-3 if finished else 3),
        done_on=today - timedelta(weeks=3) if finished else None,
    )


STAGE_WORK: Sequence[Callable[..., None]] = (_develop, _cast, _scout, _shoot, _post, _market)


def _release(production: Production, *, user: User) -> None:
    stages.production_release(
        production_id=production.pk,
        user=user,
        release_on=timezone.localdate() - timedelta(days=RELEASED_DAYS_AGO),
        regions=DEMO_REGIONS,
    )


def _budget(production: Production, plan: DemoPlan, rng: random.Random) -> None:
    stage = Stage(Production.objects.values_list("stage", flat=True).get(pk=production.pk))
    spent = SPENT_BY_STAGE[stage]
    for category, share in BUDGET_SHARES.items():
        planned = _thousands(plan.budget_usd * share)
        if category not in spent:
            actual = 0
        elif plan.over_budget and category in ("Crew", "Post-production"):
            actual = _thousands(planned * rng.uniform(1.25, 1.45))
        else:
            actual = _thousands(planned * rng.uniform(0.8, 0.99))
        services.budget_line_set(
            production_id=production.pk, category=category, planned_usd=planned, actual_usd=actual
        )


def _thousands(amount: float) -> int:
    return int(round(amount, -3))


def _spread_history(production: Production) -> None:
    """Date the stage moves a month apart, the latest on release day (all were made now)."""
    moves = list(StageTransition.objects.filter(production=production).order_by("id"))
    latest = timezone.now() - timedelta(days=RELEASED_DAYS_AGO)
    for back, move in enumerate(reversed(moves)):
        move.moved_at = latest - timedelta(days=30 * back)
    StageTransition.objects.bulk_update(moves, ["moved_at"])
