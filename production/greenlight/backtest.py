"""The greenlight scorecard replayed on history: for every sample movie released in the
chosen years, the production the studio would have had in development, scored with only
what existed before a cut-off ahead of its release, beside what happened after it.

- A sample movie is a released movie with a MovieLens id: the only titles the sample
  audience can have watched. Its production has its genres, runtime, budget (where
  ggplot2movies has one), certificate (carried, not weighed) and the people credited on it.
- Release date: 1 January of its release year (the sources give the year alone; no
  viewing of the release year is lost). Cut-off: LEAD_YEARS before it.
- As of the cut-off: viewing in the WINDOW_DAYS whole days before it (daily title stats);
  comparable candidates and people's earlier titles released in a year before the
  cut-off's; awards of ceremonies before the cut-off's year.
- The four sections are the product's own (`production.greenlight.scoring`) on inputs
  gathered as `production.greenlight.inputs` gathers them, but for demand: a backtest
  production has no target segments, so demand is one of DEMAND_SIGNALS (below).
- Timeline: the sample's events were moved forward by one constant when imported
  (`audience.figures.history.sample_time_shift`); a real moment plus the shift is its
  moment on the events' timeline.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from audience.figures import (
    GenreViewing,
    TitleViews,
    ViewingWindow,
    genre_viewing,
    title_views,
    typical_views_by_kind,
)
from catalog.models import ExternalIdSource, Title, TitleKind, TitleStatus
from production.greenlight import scoring
from production.greenlight.backtest_outcomes import Timeline, cut_off_for, outcomes_of
from production.greenlight.figures import (
    AttachedPerson,
    GenreShare,
    GreenlightInputs,
    ProductionFacts,
    SegmentGenreShares,
    ViewedTitle,
    with_views,
)
from production.greenlight.history import (
    CatalogSnapshot,
    TalentHistory,
    catalog_snapshot,
    comparable_candidates_before,
    talent_history,
)
from production.greenlight.inputs import genre_shares_of, hours_per_title_shares
from production.greenlight.talent import attached_person

# Demand without target segments: the title's genres' share of the hours viewed in the
# trailing year against
# - "momentum": their share in the year before it (is the audience turning to them?);
# - "hours per title": their share of the titles watched in the trailing year (does a
#   title of these genres draw more than its share of viewing?).
# The backtest picks one on the training years (`backtest_metrics.chosen_demand_signal`).
MOMENTUM = "momentum"
HOURS_PER_TITLE = "hours per title"
DEMAND_SIGNALS = (MOMENTUM, HOURS_PER_TITLE)
DEMAND_SIGNAL_WORDS = {
    MOMENTUM: "the genres' share of the hours viewed against their share the year before",
    HOURS_PER_TITLE: "the genres' share of the hours viewed against their share of the titles "
    "watched",
}

SECTIONS = ("demand", "comparables", "talent", "budget")


@dataclass(frozen=True)
class SampleMovie:
    title_id: int
    name: str
    year: int
    runtime_minutes: int | None
    budget_usd: int | None
    certificate: str | None  # the scorecard does not weigh it
    genres: list[str]  # by name


def sample_movies(years: Iterable[int]) -> list[SampleMovie]:
    """Released movies with a MovieLens id from these years, by year then id: two queries."""
    titles = Title.objects.filter(
        kind=TitleKind.MOVIE,
        status=TitleStatus.RELEASED,
        year__in=list(years),
        external_ids__source=ExternalIdSource.MOVIELENS,
    )
    rows = titles.order_by("year", "pk").values_list(
        "pk", "name", "year", "runtime_minutes", "budget_usd", "maturity_rating__code"
    )
    genres: dict[int, list[str]] = defaultdict(list)
    for title_id, name in (
        Title.genres.through.objects.filter(title__in=titles)
        .order_by("genre__name")
        .values_list("title_id", "genre__name")
    ):
        genres[title_id].append(name)
    return [
        SampleMovie(pk, name, year, runtime, budget, certificate, genres[pk])
        for pk, name, year, runtime, budget, certificate in rows
        if year is not None  # for mypy: the filter asks for a year
    ]


@dataclass(frozen=True)
class ReplayedTitle:
    """A sample movie's section points as of its cut-off (None: no data) and outcomes."""

    title_id: int
    name: str
    year: int
    cut_off: datetime.date
    demand_points: dict[str, float | None]  # per demand signal
    comparables_points: float | None
    talent_points: float | None
    budget_points: float | None
    outcomes: dict[str, float | None]

    def points(self, demand_signal: str) -> dict[str, float | None]:
        return {
            "demand": self.demand_points[demand_signal],
            "comparables": self.comparables_points,
            "talent": self.talent_points,
            "budget": self.budget_points,
        }


@dataclass(frozen=True)
class AsOf:
    """What the audience figures said at one cut-off."""

    cut_off: datetime.date
    window: ViewingWindow
    typical_views: dict[str, float]
    typical_titles: dict[str, int]
    genre_hours: dict[str, GenreViewing]
    genre_hours_before: dict[str, GenreViewing]


def replay(
    movies: Sequence[SampleMovie],
    *,
    timeline: Timeline,
    on_title: Callable[[], object] = lambda: None,
) -> list[ReplayedTitle]:
    """The sample movies, each scored as of its cut-off, with its outcomes."""
    snapshot = catalog_snapshot()
    talent = talent_history()
    by_year: dict[int, list[SampleMovie]] = defaultdict(list)
    for movie in movies:
        by_year[movie.year].append(movie)
    scored: list[tuple[SampleMovie, datetime.date, dict[str, GreenlightInputs]]] = []
    for year, of_year in sorted(by_year.items()):
        as_of = audience_as_of(cut_off_for(year), timeline)
        for replayed in inputs_as_of(of_year, as_of, snapshot, talent):
            scored.append(replayed)
            on_title()
    outcomes = outcomes_of([movie for movie, _, _ in scored], timeline)
    return [
        _replayed(movie, cut_off, inputs, outcomes[movie.title_id])
        for movie, cut_off, inputs in scored
    ]


def audience_as_of(cut_off: datetime.date, timeline: Timeline) -> AsOf:
    window = timeline.window_before(cut_off, days=scoring.WINDOW_DAYS)
    year_before = ViewingWindow.trailing(
        scoring.WINDOW_DAYS, until=window.start - datetime.timedelta(days=1)
    )
    typical = typical_views_by_kind(window=window)
    return AsOf(
        cut_off=cut_off,
        window=window,
        typical_views={kind: figures.median_views for kind, figures in typical.items()},
        typical_titles={kind: figures.titles for kind, figures in typical.items()},
        genre_hours=genre_viewing(window),
        genre_hours_before=genre_viewing(year_before),
    )


def inputs_as_of(
    movies: list[SampleMovie], as_of: AsOf, snapshot: CatalogSnapshot, talent: TalentHistory
) -> Iterable[tuple[SampleMovie, datetime.date, dict[str, GreenlightInputs]]]:
    """Each movie's inputs per demand signal, read as of one cut-off: one query for the
    views of every candidate and earlier title of the movies."""
    before_year = as_of.cut_off.year
    # As the product does for a title to come after the latest viewing: comparables are
    # chosen around the latest year of viewing.
    latest_year = before_year - 1
    candidates = {
        movie.title_id: comparable_candidates_before(
            snapshot,
            title_id=movie.title_id,
            kind=TitleKind.MOVIE,
            genre_names=movie.genres,
            runtime_minutes=movie.runtime_minutes,
            year=min(movie.year, latest_year),
            released_before_year=before_year,
            era_bands_years=scoring.ERA_BANDS_YEARS,
            runtime_band_minutes=scoring.RUNTIME_BAND_MINUTES,
            limit=scoring.COMPARABLE_CANDIDATES,
        )
        for movie in movies
    }
    earlier = {
        (movie.title_id, credited.person_id): talent.earlier_titles(
            credited.person_id, released_before_year=before_year, excluding_title_id=movie.title_id
        )
        for movie in movies
        for credited in talent.credited.get(movie.title_id, [])
    }
    wanted = {title.title_id for bands in candidates.values() for band in bands for title in band}
    wanted |= {title.title_id for titles in earlier.values() for title in titles}
    viewing = title_views(wanted, window=as_of.window)
    for movie in movies:
        comparables, band = _watched_band(candidates[movie.title_id], viewing)
        common = GreenlightInputs(
            production=ProductionFacts(
                production_id=movie.title_id,
                title_name=movie.name,
                kind=TitleKind.MOVIE,
                genres=movie.genres,
                year=movie.year,
                year_assumed=False,
                runtime_minutes=movie.runtime_minutes,
                budget_usd=movie.budget_usd,
                era_year=latest_year if movie.year > latest_year else None,
            ),
            window_start=as_of.window.start.isoformat(),
            window_end=as_of.window.end.isoformat(),
            target_segments=[],
            demand=[],
            comparables=comparables,
            typical_views=as_of.typical_views,
            typical_titles=as_of.typical_titles,
            people=_people(movie, talent, earlier, viewing, before_year),
            era_band_years=band,
        )
        yield (
            movie,
            as_of.cut_off,
            {
                signal: _with_demand(common, signal, as_of, movie.genres)
                for signal in DEMAND_SIGNALS
            },
        )


def _watched_band(
    bands: list[list[ViewedTitle]], viewing: dict[int, TitleViews]
) -> tuple[list[ViewedTitle], int]:
    """As `production.greenlight.inputs.watched_comparables`: the narrowest era band in
    which enough candidates were watched, else the widest."""
    chosen = [with_views(candidates, viewing) for candidates in bands]
    for comparables, band in zip(chosen, scoring.ERA_BANDS_YEARS, strict=True):
        if sum(title.views is not None for title in comparables) >= scoring.MIN_COMPARABLES:
            return comparables, band
    return chosen[-1], scoring.ERA_BANDS_YEARS[-1]


def _people(
    movie: SampleMovie,
    talent: TalentHistory,
    earlier: dict[tuple[int, int], list[ViewedTitle]],
    viewing: dict[int, TitleViews],
    before_year: int,
) -> list[AttachedPerson]:
    parts: dict[int, list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    for credited in talent.credited.get(movie.title_id, []):
        parts[credited.person_id].append(credited.part)
        names[credited.person_id] = credited.name
    return [
        attached_person(
            person_id=person_id,
            name=names[person_id],
            parts=parts[person_id],
            earlier_titles=earlier[(movie.title_id, person_id)],
            viewing=viewing,
            awards=talent.award_tally(person_id, before_year=before_year),
        )
        for person_id in sorted(names, key=lambda pk: (names[pk], pk))
    ]


def _with_demand(
    inputs: GreenlightInputs, signal: str, as_of: AsOf, genres: list[str]
) -> GreenlightInputs:
    """The inputs with demand as one pseudo-segment whose lift is the signal: "hours per
    title" is what the product measures without target segments."""
    if signal == HOURS_PER_TITLE:
        return replace(inputs, demand=[hours_per_title_shares(as_of.genre_hours, genres)])
    hours = genre_shares_of({name: g.seconds_viewed for name, g in as_of.genre_hours.items()})
    against = genre_shares_of(
        {name: g.seconds_viewed for name, g in as_of.genre_hours_before.items()}
    )
    shares = [
        GenreShare(genre, hours.get(genre, 0.0), against.get(genre, 0.0))
        for genre in genres
        if genre in hours or genre in against
    ]
    return replace(inputs, demand=[SegmentGenreShares(signal, shares)])


def _replayed(
    movie: SampleMovie,
    cut_off: datetime.date,
    inputs: dict[str, GreenlightInputs],
    outcomes: dict[str, float | None],
) -> ReplayedTitle:
    first = inputs[DEMAND_SIGNALS[0]]
    comparables = scoring.comparables_section(first)
    return ReplayedTitle(
        title_id=movie.title_id,
        name=movie.name,
        year=movie.year,
        cut_off=cut_off,
        demand_points={
            signal: scoring.demand_section(signal_inputs).points
            for signal, signal_inputs in inputs.items()
        },
        comparables_points=comparables.points,
        talent_points=scoring.talent_section(first).points,
        budget_points=scoring.budget_section(first, comparables).points,
        outcomes=outcomes,
    )
