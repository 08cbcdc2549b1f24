"""Reads of the audience app: a profile's lists, the titles a new profile picks its taste
from, and the published popularity tables."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery, Value

from audience.models import (
    GLOBAL_REGION,
    Profile,
    TastePick,
    TitlePopularity,
    Top10Category,
    Top10Entry,
    TrendingEntry,
    ViewingEvent,
)
from audience.personalization.picks import popularity_lists
from audience.personalization.serving_rules import watched_titles
from catalog.models import Genre, Title, TitleKind
from catalog.visibility import (
    allowed_at_maturity_level,
    available_in,
    public_shows,
    public_titles_of_few,
)
from config.errors import BadUserInput

TOP10_FORMULA = "views = hours viewed / runtime in hours; ties broken by hours viewed"
TOP10_WINDOW = "Monday 00:00 to Sunday 24:00 UTC"
MOST_ONBOARDING_TITLES = 30
# Titles per region read from the popularity table, after the segment's own lists.
POPULARITY_FALLBACK = 100


def continue_watching(profile: Profile) -> QuerySet[ViewingEvent]:
    """The latest event of each public title the profile started and has not finished,
    latest first."""
    latest_per_title = (
        ViewingEvent.objects.filter(profile=profile)
        .order_by("title_id", "-started_at", "-id")
        .distinct("title_id")
        .values("id")
    )
    return (
        ViewingEvent.objects.filter(id__in=latest_per_title, completed=False)
        .filter(public_titles_of_few(title="title"))
        .order_by("-started_at", "-id")
    )


def watched_share(seconds_watched: int, runtime_minutes: int | None) -> float | None:
    """How much of a title a session covered (0-1); None when the runtime is unknown."""
    if not runtime_minutes:
        return None
    return min(1.0, seconds_watched / (runtime_minutes * 60))


@dataclass(frozen=True)
class Top10List:
    week_start: datetime.date
    region: str
    category: Top10Category
    computed_at: datetime.datetime | None

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)

    def entries(self) -> QuerySet[Top10Entry]:
        """The list's public titles, by rank."""
        return (
            Top10Entry.objects.filter(
                week_start=self.week_start, region=self.region, category=self.category
            )
            .filter(public_titles_of_few(title="title"))
            .order_by("rank")
        )


def top10_list(
    *, region: str, category: Top10Category, week: datetime.date | None
) -> Top10List | None:
    """The Top 10 of the week holding `week` (default: the latest week with a list)."""
    leaders = Top10Entry.objects.filter(region=region, category=category, rank=1)
    if week is not None:
        leaders = leaders.filter(week_start=week - datetime.timedelta(days=week.weekday()))
    leader = leaders.order_by("-week_start").first()
    if leader is None:
        return None
    return Top10List(leader.week_start, region, category, leader.computed_at)


def trending(*, region: str) -> QuerySet[TrendingEntry]:
    """The public titles trending in `region`, by rank."""
    return (
        TrendingEntry.objects.filter(region=region)
        .filter(public_titles_of_few(title="title"))
        .order_by("rank")
    )


def popularity_by_title(keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], TitlePopularity]:
    """The popularity rows for (title id, region) pairs, in one query per region."""
    regions: dict[str, set[int]] = {}
    for title_id, region in keys:
        regions.setdefault(region, set()).add(title_id)
    rows: dict[tuple[int, str], TitlePopularity] = {}
    for region, title_ids in regions.items():
        for row in TitlePopularity.objects.filter(region=region, title_id__in=title_ids):
            rows[(row.title_id, region)] = row
    return rows


def onboarding_titles(
    profile: Profile, *, first: int, titles: QuerySet[Title] | None = None
) -> list[Title]:
    """`first` popular movies and series for a new profile to pick its taste from, as
    varied as the choice allows.

    Candidates come in order from the profile's segment's most watched titles, then its
    region's, then the popularity table's (the region's, then worldwide); only titles the
    profile may watch now and has neither watched nor picked stay. The most popular title
    of each first genre is offered before any genre has a second. `titles` is the queryset
    the offered titles are read from (shaped for what the caller reads of them).
    """
    if not 1 <= first <= MOST_ONBOARDING_TITLES:
        raise BadUserInput(
            f"first lies between 1 and {MOST_ONBOARDING_TITLES}, not {first}.", field="first"
        )
    offered = _varied_by_first_genre(_onboarding_candidates(profile), first)
    source = Title.objects.all() if titles is None else titles
    rows = {title.pk: title for title in source.filter(pk__in=offered)}
    return [rows[title_id] for title_id in offered if title_id in rows]


def _onboarding_candidates(profile: Profile) -> list[tuple[int, int | None]]:
    """(title id, first genre id) of the titles the profile may pick, most popular first."""
    popular = _most_watched_ids(profile)
    # A title's genres are a set: the first is the one the API lists first, by name.
    first_genre = Genre.objects.filter(titles=OuterRef("pk")).order_by("name", "id").values("pk")
    rows = dict(
        Title.objects.filter(pk__in=popular, kind__in=(TitleKind.MOVIE, TitleKind.SERIES))
        .filter(public_shows())
        .filter(available_in(profile.region))
        .filter(allowed_at_maturity_level(profile.maturity_level))
        .exclude(pk__in=watched_titles(profile))
        .exclude(pk__in=TastePick.objects.filter(profile=profile).values("title_id"))
        .annotate(first_genre=Subquery(first_genre[:1]))
        .values_list("pk", "first_genre")
    )
    return [(title_id, rows[title_id]) for title_id in popular if title_id in rows]


def _most_watched_ids(profile: Profile) -> list[int]:
    """Title ids by popularity for the profile's segment, then region, then the world."""
    lists = popularity_lists()
    segment = [
        title_id
        for group in ((profile.region, profile.age_band), (profile.region, None))
        for title_id, _ in lists.get(group, ())
    ]
    by_views = TitlePopularity.objects.filter(
        title__kind__in=(TitleKind.MOVIE, TitleKind.SERIES)
    ).order_by("-views", "title_id")
    regional, worldwide = (
        by_views.filter(region=region)
        .annotate(scope=Value(scope))
        .values_list("scope", "views", "title_id")[:POPULARITY_FALLBACK]
        for scope, region in enumerate((profile.region, GLOBAL_REGION))
    )
    fallback = regional.union(worldwide, all=True).order_by("scope", "-views", "title_id")
    return list(dict.fromkeys([*segment, *(title_id for _, _, title_id in fallback)]))


def _varied_by_first_genre(candidates: list[tuple[int, int | None]], first: int) -> list[int]:
    """The first title of each first genre in order, then the rest in order: `first` of them.

    Titles without a genre count as one genre of their own.
    """
    genres_offered: set[int | None] = set()
    varied: list[int] = []
    repeats: list[int] = []
    for title_id, genre in candidates:
        if genre in genres_offered:
            repeats.append(title_id)
        else:
            genres_offered.add(genre)
            varied.append(title_id)
    return [*varied, *repeats][:first]
