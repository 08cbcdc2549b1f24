"""Reads of the production app: the list staff browse, a production's budget, and the
catalog facts that its greenlight scorecard and casting insights weigh."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Case, Count, F, Q, QuerySet, When
from django.db.models.functions import Abs

from catalog.models import Award, Credit, Department, RoleType, Title, TitleKind, TitleStatus
from production.greenlight.figures import ViewedTitle
from production.models import (
    Audition,
    BudgetLine,
    CastingRole,
    Production,
    ScriptDraft,
    Stage,
    TargetSegment,
)


def production_list(
    *, stage: Stage | None = None, is_demo: bool | None = None
) -> QuerySet[Production]:
    productions = Production.objects.order_by("-updated_at", "id")
    if stage is not None:
        productions = productions.filter(stage=stage)
    if is_demo is not None:
        productions = productions.filter(is_demo=is_demo)
    return productions


@dataclass(frozen=True)
class BudgetCategory:
    category: str
    planned_usd: int
    actual_usd: int

    @property
    def is_over(self) -> bool:
        return self.actual_usd > self.planned_usd


@dataclass(frozen=True)
class BudgetSummary:
    categories: list[BudgetCategory]

    @property
    def planned_usd(self) -> int:
        return sum(category.planned_usd for category in self.categories)

    @property
    def actual_usd(self) -> int:
        return sum(category.actual_usd for category in self.categories)

    @property
    def is_over(self) -> bool:
        return self.actual_usd > self.planned_usd


def budget_summary(lines: list[BudgetLine]) -> BudgetSummary:
    """Planned against actual per category (lines in category order) and in total."""
    return BudgetSummary(
        [BudgetCategory(line.category, line.planned_usd, line.actual_usd) for line in lines]
    )


# ---------------------------------------------------------------------------------------
# What the greenlight scorecard and casting insights weigh (their views come from the
# audience app, read by `production.tasks` and the GraphQL layer)


def target_segments_of(production_ids: Iterable[int]) -> dict[int, list[TargetSegment]]:
    """Each production's target segments, by region and age band: one query."""
    segments: dict[int, list[TargetSegment]] = defaultdict(list)
    for segment in TargetSegment.objects.filter(production_id__in=list(production_ids)).order_by(
        "production_id", "region", "age_band"
    ):
        segments[segment.production_id].append(segment)
    return segments


def comparable_candidates(
    title: Title,
    *,
    genre_ids: list[int],
    year: int,
    era_band_years: int,
    runtime_band_minutes: int,
    limit: int,
) -> list[ViewedTitle]:
    """Released titles of the title's kind with a runtime, sharing a genre with it, a year
    within the era band and (when the title has a runtime) a runtime within the runtime
    band: most shared genres first, then the closest year, the closest runtime, the oldest
    id. One query.
    """
    if not genre_ids:
        return []
    candidates = Title.objects.filter(
        kind=title.kind,
        status=TitleStatus.RELEASED,
        runtime_minutes__isnull=False,  # views are hours over the runtime
        genres__in=genre_ids,
        year__gte=year - era_band_years,
        year__lte=year + era_band_years,
    ).exclude(pk=title.pk)
    runtime = title.runtime_minutes
    if runtime:
        candidates = candidates.filter(
            runtime_minutes__gte=runtime - runtime_band_minutes,
            runtime_minutes__lte=runtime + runtime_band_minutes,
        )
    rows = (
        candidates.annotate(
            shared=Count("genres", distinct=True),
            shared_names=ArrayAgg("genres__name", distinct=True, order_by="genres__name"),
            year_gap=Abs(F("year") - year),
            runtime_gap=Abs(F("runtime_minutes") - (runtime or 0)),
        )
        .order_by("-shared", "year_gap", "runtime_gap", "id")
        .values_list("pk", "name", "kind", "year", "runtime_minutes", "budget_usd", "shared_names")
    )[:limit]
    return [
        ViewedTitle(
            title_id=pk,
            name=name,
            kind=kind,
            year=year,
            runtime_minutes=runtime_minutes,
            views=None,
            budget_usd=budget,
            shared_genres=list(shared),
        )
        for pk, name, kind, year, runtime_minutes, budget, shared in rows
    ]


@dataclass(frozen=True)
class AttachedTalent:
    person_id: int
    name: str
    parts: list[str]  # "cast: Conductor", "script author", "crew: Director"


def attached_talent(production: Production) -> list[AttachedTalent]:
    """The people cast in the production's roles, the authors of its script drafts and the
    crew credited on its title, by name: three queries."""
    names: dict[int, str] = {}
    parts: dict[int, list[str]] = defaultdict(list)
    cast = CastingRole.objects.filter(production=production, cast_person__isnull=False)
    for person_id, name, character in cast.order_by("character").values_list(
        "cast_person_id", "cast_person__name", "character"
    ):
        names[person_id] = name
        parts[person_id].append(f"cast: {character}")
    authors = (
        ScriptDraft.authors.through.objects.filter(scriptdraft__production=production)
        .order_by("person_id")
        .values_list("person_id", "person__name")
        .distinct()
    )
    for person_id, name in authors:
        names[person_id] = name
        parts[person_id].append("script author")
    crew = Credit.objects.filter(title_id=production.title_id, role_type=RoleType.CREW)
    for person_id, name, department, job in crew.order_by("department", "job").values_list(
        "person_id", "person__name", "department", "job"
    ):
        names[person_id] = name
        parts[person_id].append(f"crew: {job or Department(department).label}")
    return sorted(
        (AttachedTalent(person_id, names[person_id], parts[person_id]) for person_id in names),
        key=lambda talent: (talent.name, talent.person_id),
    )


@dataclass(frozen=True)
class Auditioned:
    role_id: int
    person_id: int
    name: str


def auditioned_people(role_ids: Iterable[int]) -> list[Auditioned]:
    """Everyone who auditioned for the roles, once per role: one query."""
    rows = (
        Audition.objects.filter(role_id__in=list(role_ids))
        .order_by("role_id", "person_id")
        .values_list("role_id", "person_id", "person__name")
        .distinct()
    )
    return [Auditioned(role_id, person_id, name) for role_id, person_id, name in rows]


def earlier_titles(
    person_ids: Iterable[int], *, excluding_title_ids: Iterable[int] = ()
) -> dict[int, list[ViewedTitle]]:
    """Per person, the released movies and series they are credited on (a credit on a
    season or an episode counts for its series), most recent first: two queries."""
    ids = list(person_ids)
    if not ids:
        return {}
    work_of = Case(
        When(title__kind__in=[TitleKind.MOVIE, TitleKind.SERIES], then=F("title_id")),
        When(title__kind=TitleKind.SEASON, then=F("title__parent_id")),
        When(title__kind=TitleKind.EPISODE, then=F("title__parent__parent_id")),
    )
    credited = set(
        Credit.objects.filter(person_id__in=ids)
        .annotate(work_id=work_of)
        .order_by()
        .values_list("person_id", "work_id")
        .distinct()
    )
    excluded = set(excluding_title_ids)
    works = {
        pk: ViewedTitle(
            title_id=pk, name=name, kind=kind, year=year, runtime_minutes=runtime, views=None
        )
        for pk, name, kind, year, runtime in Title.objects.filter(
            pk__in={work_id for _, work_id in credited} - excluded,
            status=TitleStatus.RELEASED,
        ).values_list("pk", "name", "kind", "year", "runtime_minutes")
    }
    titles: dict[int, list[ViewedTitle]] = defaultdict(list)
    for person_id, work_id in credited:
        if work_id in works:
            titles[person_id].append(works[work_id])
    for person_titles in titles.values():
        person_titles.sort(key=lambda title: (-(title.year or 0), -title.title_id))
    return titles


def award_tallies(person_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per person with any award: (wins, nominations), wins counted as nominations too."""
    rows = (
        Award.objects.filter(person_id__in=list(person_ids))
        .values("person_id")
        .annotate(wins=Count("id", filter=Q(is_winner=True)), nominations=Count("id"))
        .order_by("person_id")
        .values_list("person_id", "wins", "nominations")
    )
    return {person_id: (wins, nominations) for person_id, wins, nominations in rows}
