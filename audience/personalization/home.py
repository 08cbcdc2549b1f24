"""A profile's home screen: its rows in order, as title ids, in a fixed number of queries.

Rows, in order: Continue Watching, the Top 10 in the profile's country, Trending now, New on
the service (the new titles the model ranked for the profile),
"Because you watched X" rows, then genre rows. Across the screen a title shows once (an
episode counts as its series); every title but those the profile already started is
available in its region now and allowed by its maturity level; empty rows are left out.

Each source is read once for all its rows and one more query checks what may be shown, so
the cost of a screen does not follow the number of its rows or their length.
"""

from __future__ import annotations

import datetime
import enum
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Exists,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Power, RowNumber
from django.utils import timezone
from redis import RedisError

from audience import selectors
from audience.figures import affinity
from audience.models import (
    GLOBAL_REGION,
    NewTitleRecommendation,
    Profile,
    ReasonKind,
    Recommendation,
    SimilarTitle,
    TitlePopularity,
    Top10Entry,
    TrendingEntry,
    ViewingEvent,
)
from audience.personalization import serving_rules
from catalog.models import Availability, Genre, MaturityRating, Title, TitleKind
from catalog.regions import in_region
from catalog.visibility import allowed_at_maturity_level, maturity_allows, public_shows
from config.table_tokens import tokens_of

TOP10_LENGTH = 10
SECONDS_PER_DAY = 86400
# A country's genre rankings are read this many screens deep, so that what a profile
# watched or may not see still leaves it a full row; they are shared by every profile.
GENRE_RANKING_DEPTH_FACTOR = 2
GENRE_RANKING_TABLES = (
    TitlePopularity._meta.db_table,
    Title._meta.db_table,
    Title.genres.through._meta.db_table,
    MaturityRating._meta.db_table,
)

# Row headings of the genres of the catalog's vocabulary, by slug; others show their name.
GENRE_HEADINGS = {
    "adventure": "Adventures",
    "comedy": "Comedies",
    "documentary": "Documentaries",
    "drama": "Dramas",
    "musical": "Musicals",
    "mystery": "Mysteries",
    "short": "Shorts",
    "thriller": "Thrillers",
    "western": "Westerns",
}


class HomeRowKind(enum.Enum):
    CONTINUE_WATCHING = "continue_watching"
    TOP10 = "top10"
    TRENDING = "trending"
    NEW_ON_SERVICE = "new_on_service"
    BECAUSE_YOU_WATCHED = "because_you_watched"
    GENRE = "genre"


@dataclass(frozen=True)
class HomeItem:
    title_id: int
    progress: float | None = None  # Continue Watching only: share of the runtime watched


@dataclass(frozen=True)
class HomeRow:
    kind: HomeRowKind
    title: str  # the heading: "Top 10 in France", "Because you watched Heat"
    items: tuple[HomeItem, ...]
    because_you_watched_id: int | None = None
    genre: Genre | None = None


@dataclass(frozen=True)
class _Candidate:
    title_id: int
    series_id: int  # what the screen shows once: an episode's series, else the title
    progress: float | None = None


@dataclass
class _CandidateRow:
    """A row before the screen's rules: candidates in order, more than it may keep."""

    kind: HomeRowKind
    title: str
    candidates: list[_Candidate]
    length: int
    screened: bool = True  # checked for region and maturity (not what the profile started)
    because_you_watched_id: int | None = None
    genre: Genre | None = None


@dataclass
class _Screen:
    """The rows as they fill, in order: what is shown already, and rows left of each kind."""

    viewable: set[int]
    rows: list[HomeRow] = field(default_factory=list)
    shown: set[int] = field(default_factory=set)
    rows_left: dict[HomeRowKind, int] = field(default_factory=dict)

    def add(self, row: _CandidateRow) -> None:
        if self.rows_left.get(row.kind, 1) <= 0:
            return
        items: list[HomeItem] = []
        for candidate in row.candidates:
            if len(items) == row.length:
                break
            if candidate.series_id in self.shown:
                continue
            if row.screened and candidate.title_id not in self.viewable:
                continue
            self.shown.add(candidate.series_id)
            items.append(HomeItem(candidate.title_id, candidate.progress))
        if items:
            self.rows.append(
                HomeRow(row.kind, row.title, tuple(items), row.because_you_watched_id, row.genre)
            )
            self.rows_left[row.kind] = self.rows_left.get(row.kind, 1) - 1


def home_screen(profile: Profile) -> list[HomeRow]:
    """The profile's home screen, in ten queries at most whatever its rows.

    A profile whose history names no genre takes one or two more: its segment's affinity.
    """
    length: int = settings.HOME_ROW_LENGTH
    history = _viewing_history(profile)
    rows = [
        _continue_watching_row(profile, length),
        _top10_row(profile),
        _trending_row(profile, length),
        _new_on_service_row(profile, length),
        *_because_you_watched_rows(profile, history, length),
        *_genre_rows(profile, history, length),
    ]
    screen = _Screen(
        viewable=_viewable_titles(profile, rows),
        rows_left={
            HomeRowKind.BECAUSE_YOU_WATCHED: settings.HOME_BECAUSE_YOU_WATCHED_ROWS,
            HomeRowKind.GENRE: settings.HOME_GENRE_ROWS,
        },
    )
    for row in rows:
        screen.add(row)
    return screen.rows


def _viewing_history(profile: Profile) -> dict[int, float]:
    """Seconds the profile watched per movie or series, each session halved per half-life.

    An episode counts towards its series; recent viewing weighs most.
    """
    half_life_days: float = settings.HOME_GENRE_HALF_LIFE_DAYS
    age_in_days = Func(
        Value(timezone.now()),
        F("started_at"),
        template=f"EXTRACT(EPOCH FROM (%(expressions)s)) / {SECONDS_PER_DAY}",
        arg_joiner=" - ",
        output_field=FloatField(),
    )
    weight = F("seconds_watched") * Power(Value(0.5), age_in_days / Value(half_life_days))
    rows = (
        ViewingEvent.objects.filter(profile=profile)
        .order_by()
        .annotate(watched=Coalesce("title__parent__parent_id", "title_id"))
        .values("watched")
        .annotate(weight=Sum(weight, output_field=FloatField()))
        .values_list("watched", "weight")
    )
    return dict(rows)


def _continue_watching_row(profile: Profile, length: int) -> _CandidateRow:
    """What the profile started and has not finished, latest first: one episode per series."""
    series = Coalesce("title__parent__parent_id", "title_id")
    latest_of_series = Window(
        RowNumber(), partition_by=[series], order_by=[F("started_at").desc(), F("id").desc()]
    )
    latest = (
        selectors.continue_watching(profile)
        .annotate(series_id=series, position=latest_of_series)
        .filter(position=1)
        .order_by("-started_at", "-id")
        .values_list("title_id", "series_id", "seconds_watched", "title__runtime_minutes")
    )
    candidates = [
        _Candidate(title_id, series_id, selectors.watched_share(seconds, runtime))
        for title_id, series_id, seconds, runtime in latest[:length]
    ]
    return _CandidateRow(
        HomeRowKind.CONTINUE_WATCHING, "Continue Watching", candidates, length, screened=False
    )


def _top10_row(profile: Profile) -> _CandidateRow:
    """This week's Top 10 of the profile's country, films and TV merged by views.

    The latest list of each category, of the country or, where it has none, worldwide; a
    season on the TV list shows as its series.
    """
    regions = [profile.region, GLOBAL_REGION]
    # The latest week of each list, computed once (not per row) and narrowed below to
    # each list's own latest week.
    latest_weeks = (
        Top10Entry.objects.filter(region__in=regions)
        .values("region", "category")
        .annotate(latest=Max("week_start"))
        .values("latest")
    )
    entries = (
        Top10Entry.objects.filter(region__in=regions, week_start__in=Subquery(latest_weeks))
        .order_by("-views", "-seconds_viewed", "title_id")
        .values_list("region", "category", "week_start", "title_id", "title__parent_id")
    )
    rows = list(entries)
    latest: defaultdict[tuple[str, str], datetime.date] = defaultdict(lambda: datetime.date.min)
    for region, category, week_start, _, _ in rows:
        latest[(region, category)] = max(latest[(region, category)], week_start)
    by_region: dict[str, list[_Candidate]] = defaultdict(list)
    for region, category, week_start, title_id, series_id in rows:
        if week_start == latest[(region, category)]:
            shown_id = series_id or title_id
            by_region[region].append(_Candidate(shown_id, shown_id))
    region = profile.region if by_region.get(profile.region) else GLOBAL_REGION
    return _CandidateRow(
        HomeRowKind.TOP10, f"Top 10 {in_region(region)}", by_region[region], TOP10_LENGTH
    )


def _trending_row(profile: Profile, length: int) -> _CandidateRow:
    """Titles trending in the profile's country or, where nothing trends there, worldwide."""
    entries = (
        TrendingEntry.objects.filter(region__in=[profile.region, GLOBAL_REGION])
        .order_by("rank")
        .values_list("region", "title_id")
    )
    by_region: dict[str, list[_Candidate]] = defaultdict(list)
    for region, title_id in entries:
        by_region[region].append(_Candidate(title_id, title_id))
    region = profile.region if by_region.get(profile.region) else GLOBAL_REGION
    return _CandidateRow(HomeRowKind.TRENDING, "Trending now", by_region[region], length)


def _new_on_service_row(profile: Profile, length: int) -> _CandidateRow:
    """Titles new on the service, in the order the model ranked them for the profile."""
    title_ids = NewTitleRecommendation.objects.filter(profile=profile).order_by("rank")
    candidates = [
        _Candidate(title_id, title_id)
        for title_id in title_ids.values_list("title_id", flat=True)[: _screen_capacity(length)]
    ]
    return _CandidateRow(HomeRowKind.NEW_ON_SERVICE, "New on the service", candidates, length)


def _because_you_watched_rows(
    profile: Profile, history: dict[int, float], length: int
) -> list[_CandidateRow]:
    """A row per title behind the profile's recommendations, the best-ranked group first.

    A row holds its recommendations, topped up with the title's similar titles that the
    profile has not watched.
    """
    recommendations = serving_rules.recommendations_for(profile).filter(
        reason=ReasonKind.BECAUSE_YOU_WATCHED, because_you_watched__isnull=False
    )
    groups: dict[int, _CandidateRow] = {}
    for title_id, watched_id, watched_name in recommendations.values_list(
        "title_id", "because_you_watched_id", "because_you_watched__name"
    ):
        if watched_id not in groups:
            groups[watched_id] = _CandidateRow(
                HomeRowKind.BECAUSE_YOU_WATCHED,
                serving_rules.reason_text(ReasonKind.BECAUSE_YOU_WATCHED, watched_name),
                [],
                length,
                because_you_watched_id=watched_id,
            )
        groups[watched_id].candidates.append(_Candidate(title_id, title_id))
    similar = (
        SimilarTitle.objects.filter(
            title_id__in=Recommendation.objects.filter(
                profile=profile, reason=ReasonKind.BECAUSE_YOU_WATCHED
            ).values("because_you_watched_id")
        )
        .order_by("title_id", "rank")
        .values_list("title_id", "similar_id")
    )
    for watched_id, similar_id in similar:
        if watched_id in groups and similar_id not in history:
            groups[watched_id].candidates.append(_Candidate(similar_id, similar_id))
    return list(groups.values())


def _genre_rows(profile: Profile, history: dict[int, float], length: int) -> list[_CandidateRow]:
    """The most popular titles in the profile's country of each of its favourite genres."""
    genres = _favourite_genres(profile, history)
    popular = _popular_titles_by_genre(
        profile, genres, watched=set(history), per_genre=_screen_capacity(length)
    )
    return [
        _CandidateRow(
            HomeRowKind.GENRE,
            GENRE_HEADINGS.get(genre.slug, genre.name),
            [_Candidate(title_id, title_id) for title_id in popular.get(genre.pk, [])],
            length,
            genre=genre,
        )
        for genre in genres
    ]


def _favourite_genres(profile: Profile, history: dict[int, float]) -> list[Genre]:
    """The genres of what the profile watched, most watched (recently) first.

    A profile without history gets those its segment (age band, gender, country) watches
    most above everyone else.
    """
    weights: dict[int, float] = defaultdict(float)
    genres: dict[int, Genre] = {}
    links = Title.genres.through.objects.filter(title_id__in=list(history)).select_related("genre")
    for link in links:
        weights[link.genre_id] += history[link.title_id]
        genres[link.genre_id] = link.genre
    limit: int = settings.HOME_GENRE_ROWS
    if weights:
        ranked = sorted(genres.values(), key=lambda genre: (-weights[genre.pk], genre.name))
        return ranked[:limit]
    segment = affinity.Segment(
        age_band=profile.age_band, gender=profile.gender, region=profile.region
    )
    return [row.genre for row in affinity.genre_affinity(segment) if row.lift][:limit]


def _popular_titles_by_genre(
    profile: Profile, genres: Iterable[Genre], *, watched: set[int], per_genre: int
) -> dict[int, list[int]]:
    """Per genre, its most viewed movies and series in the profile's country, best first.

    Only those its maturity level allows and it has not watched; `per_genre` of each at
    most. Read from the country's genre rankings, which every profile shares; a genre
    whose ranking runs out before the profile's row is full (it watched most of it) is
    read for the profile alone.
    """
    genre_ids = [genre.pk for genre in genres]
    depth = per_genre * GENRE_RANKING_DEPTH_FACTOR
    rankings = _genre_rankings(profile.region, genre_ids, depth=depth)
    popular: dict[int, list[int]] = {}
    short = []
    for genre_id in genre_ids:
        ranking = rankings.get(genre_id, [])
        allowed = [
            title_id
            for title_id, level in ranking
            if title_id not in watched and maturity_allows(profile.maturity_level, level)
        ]
        popular[genre_id] = allowed[:per_genre]
        if len(allowed) < per_genre and len(ranking) == depth:
            short.append(genre_id)
    if short:
        popular.update(
            _popular_titles_of_profile(profile, short, watched=watched, per_genre=per_genre)
        )
    return popular


def _genre_rankings(
    region: str, genre_ids: list[int], *, depth: int
) -> dict[int, list[tuple[int, int | None]]]:
    """Per genre, its `depth` most viewed movies and series in `region` with their
    certificate's level, kept in the cache for as long as none of the tables they are
    read from is written (the workers' re-ranking, every few minutes, writes them)."""
    seconds: int = settings.HOME_GENRE_RANKING_CACHE_SECONDS
    version = tokens_of(GENRE_RANKING_TABLES) if seconds else None
    if version is None:
        return _genre_rankings_read(region, genre_ids, depth=depth)
    keys = {
        genre_id: f"home:genre-ranking:{region}:{genre_id}:{depth}:{version}"
        for genre_id in genre_ids
    }
    try:
        found = cache.get_many(list(keys.values()))
    except RedisError:
        found = {}
    rankings = {genre_id: found[key] for genre_id, key in keys.items() if key in found}
    missing = [genre_id for genre_id in genre_ids if genre_id not in rankings]
    if missing:
        read = _genre_rankings_read(region, missing, depth=depth)
        rankings.update(read)
        with suppress(RedisError):
            cache.set_many({keys[genre_id]: read[genre_id] for genre_id in missing}, seconds)
    return rankings


def _genre_rankings_read(
    region: str, genre_ids: list[int], *, depth: int
) -> dict[int, list[tuple[int, int | None]]]:
    rows = _ranked_in_genres(_popular_shows(region, genre_ids), depth=depth).values_list(
        "genre_id", "title_id", "title__maturity_rating__level"
    )
    rankings: dict[int, list[tuple[int, int | None]]] = {genre_id: [] for genre_id in genre_ids}
    for genre_id, title_id, level in rows:
        rankings[genre_id].append((title_id, level))
    return rankings


def _popular_titles_of_profile(
    profile: Profile, genre_ids: list[int], *, watched: set[int], per_genre: int
) -> dict[int, list[int]]:
    """`_popular_titles_by_genre` read for one profile: those it may see and has not
    watched, `per_genre` of each genre at most, in one query."""
    shows = (
        _popular_shows(profile.region, genre_ids)
        .filter(allowed_at_maturity_level(profile.maturity_level, title="title"))
        .exclude(title_id__in=watched)
    )
    rows = _ranked_in_genres(shows, depth=per_genre).values_list("genre_id", "title_id")
    popular: dict[int, list[int]] = defaultdict(list)
    for genre_id, title_id in rows:
        popular[genre_id].append(title_id)
    return popular


def _popular_shows(region: str, genre_ids: list[int]) -> QuerySet[TitlePopularity]:
    """The popularity in `region` of the movies and series of these genres."""
    return TitlePopularity.objects.filter(
        region=region,
        title__kind__in=[TitleKind.MOVIE, TitleKind.SERIES],
        title__genres__in=genre_ids,
    )


def _ranked_in_genres(rows: QuerySet[TitlePopularity], *, depth: int) -> QuerySet[Any]:
    """The `depth` most viewed of `rows` in each genre, by genre and rank (`genre_id`)."""
    position = Window(
        RowNumber(),
        partition_by=[F("title__genres")],
        order_by=[F("views").desc(), F("seconds_viewed").desc(), F("title_id").asc()],
    )
    return (
        rows.annotate(genre_id=F("title__genres"), position=position)
        .filter(position__lte=depth)
        .order_by("genre_id", "position")
    )


def _screen_capacity(length: int) -> int:
    """How many titles a screen holds, and a row more.

    A source read this deep still fills its row after every other row took its titles and
    a row's worth turned out not to be available in the profile's country.
    """
    # Continue Watching, Trending now, New on the service, the personal rows, a row more.
    rows = 3 + settings.HOME_BECAUSE_YOU_WATCHED_ROWS + settings.HOME_GENRE_ROWS + 1
    return TOP10_LENGTH + length * rows


def _viewable_titles(profile: Profile, rows: Iterable[_CandidateRow]) -> set[int]:
    """Which candidates the profile may watch in its country now, public titles all: one
    query for the screen."""
    candidates = {
        candidate.title_id for row in rows if row.screened for candidate in row.candidates
    }
    # Every screened candidate is a movie or a series, so only its own windows count.
    open_here = Availability.objects.filter(region=profile.region).open_at(timezone.now())
    viewable = (
        Title.objects.filter(pk__in=candidates)
        .filter(Exists(open_here.filter(title=OuterRef("pk"))))
        .filter(allowed_at_maturity_level(profile.maturity_level))
        .filter(public_shows())
        .order_by()
    )
    return set(viewable.values_list("pk", flat=True))
