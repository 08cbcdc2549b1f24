"""The catalog as it stood before a cut-off, for the greenlight backtest: comparable
candidates and people's earlier titles released before it, awards of ceremonies before it.

The product's selectors (`production.selectors`) read the catalog as it is now, one
production at a time; a backtest asks the same questions of thousands of titles at
twenty cut-offs, so the catalog is read once into memory (a few queries) and the
selectors' rules are applied here, with the cut-off added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from catalog.models import Award, Credit, Department, RoleType, Title, TitleKind, TitleStatus
from production.greenlight.figures import ViewedTitle


@dataclass(frozen=True)
class CatalogSnapshot:
    """Every released movie and series with a year and a runtime (the titles whose views
    can be counted), as arrays, and their genres as a title x genre matrix."""

    ids: np.ndarray
    names: list[str]
    kinds: np.ndarray
    years: np.ndarray
    runtimes: np.ndarray
    budgets: list[int | None]
    genre_names: list[str]  # the matrix's columns, by name
    genres: np.ndarray  # bool, titles x genres

    def genre_columns(self, names: list[str]) -> list[int]:
        return [self.genre_names.index(name) for name in sorted(names)]


def catalog_snapshot() -> CatalogSnapshot:
    """Two queries: the titles, then their genres."""
    rows = list(
        Title.objects.filter(
            kind__in=[TitleKind.MOVIE, TitleKind.SERIES],
            status=TitleStatus.RELEASED,
            year__isnull=False,
            runtime_minutes__isnull=False,
        )
        .order_by("pk")
        .values_list("pk", "name", "kind", "year", "runtime_minutes", "budget_usd")
    )
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    position = {title_id: index for index, title_id in enumerate(ids.tolist())}
    pairs = Title.genres.through.objects.filter(title_id__in=position).values_list(
        "title_id", "genre__name"
    )
    links = list(pairs)
    genre_names = sorted({name for _, name in links})
    column = {name: index for index, name in enumerate(genre_names)}
    genres = np.zeros((len(rows), len(genre_names)), dtype=bool)
    for title_id, name in links:
        genres[position[title_id], column[name]] = True
    return CatalogSnapshot(
        ids=ids,
        names=[row[1] for row in rows],
        kinds=np.array([row[2] for row in rows], dtype=object),
        years=np.array([row[3] for row in rows], dtype=np.int64),
        runtimes=np.array([row[4] for row in rows], dtype=np.int64),
        budgets=[row[5] for row in rows],
        genre_names=genre_names,
        genres=genres,
    )


def comparable_candidates_before(
    snapshot: CatalogSnapshot,
    *,
    title_id: int,
    kind: str,
    genre_names: list[str],
    runtime_minutes: int | None,
    year: int,
    released_before_year: int,
    era_bands_years: Sequence[int],
    runtime_band_minutes: int,
    limit: int,
) -> list[list[ViewedTitle]]:
    """`production.selectors.comparable_candidates` for each era band, among titles
    released in a year before `released_before_year`: same kind, sharing a genre, a year
    within the era band, a runtime within the band; most shared genres first, then the
    closest year, the closest runtime, the oldest id."""
    known = [name for name in genre_names if name in snapshot.genre_names]
    if not known:
        return [[] for _ in era_bands_years]
    columns = snapshot.genre_columns(known)
    shared = snapshot.genres[:, columns].sum(axis=1)
    keep = (
        (shared > 0)
        & (snapshot.years < released_before_year)
        & (snapshot.kinds == kind)
        & (snapshot.ids != title_id)
    )
    if runtime_minutes:
        keep &= np.abs(snapshot.runtimes - runtime_minutes) <= runtime_band_minutes
    rows = np.flatnonzero(keep)
    year_gap = np.abs(snapshot.years[rows] - year)
    runtime_gap = np.abs(snapshot.runtimes[rows] - (runtime_minutes or 0))
    # The last key sorts first.
    rows = rows[np.lexsort((snapshot.ids[rows], runtime_gap, year_gap, -shared[rows]))]
    year_gap = np.abs(snapshot.years[rows] - year)
    return [
        [_candidate(snapshot, int(row), known, columns) for row in rows[year_gap <= band][:limit]]
        for band in era_bands_years
    ]


def _candidate(
    snapshot: CatalogSnapshot, row: int, known: list[str], columns: list[int]
) -> ViewedTitle:
    return ViewedTitle(
        title_id=int(snapshot.ids[row]),
        name=snapshot.names[row],
        kind=str(snapshot.kinds[row]),
        year=int(snapshot.years[row]),
        runtime_minutes=int(snapshot.runtimes[row]),
        views=None,
        budget_usd=snapshot.budgets[row],
        shared_genres=[
            name
            for name, column in zip(sorted(known), columns, strict=True)
            if snapshot.genres[row, column]
        ],
    )


@dataclass(frozen=True)
class Credited:
    person_id: int
    name: str
    part: str  # "cast: Conductor", "crew: Director"


@dataclass
class TalentHistory:
    """Who is credited on what, the works they are credited on, and their awards."""

    credited: dict[int, list[Credited]] = field(default_factory=lambda: defaultdict(list))
    works_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    works: dict[int, ViewedTitle] = field(default_factory=dict)
    awards: dict[int, list[tuple[int, bool]]] = field(default_factory=lambda: defaultdict(list))

    def earlier_titles(
        self, person_id: int, *, released_before_year: int, excluding_title_id: int
    ) -> list[ViewedTitle]:
        """`production.selectors.earlier_titles` of one person, released in a year before
        `released_before_year` (a work without a year cannot be placed: left out)."""
        titles = [
            self.works[work_id]
            for work_id in self.works_of.get(person_id, set())
            if work_id in self.works
            and work_id != excluding_title_id
            and (self.works[work_id].year or released_before_year) < released_before_year
        ]
        return sorted(titles, key=lambda title: (-(title.year or 0), -title.title_id))

    def award_tally(self, person_id: int, *, before_year: int) -> tuple[int, int]:
        """(wins, nominations) at ceremonies held before `before_year`."""
        held = [won for year, won in self.awards.get(person_id, []) if year < before_year]
        return sum(held), len(held)


def talent_history() -> TalentHistory:
    """Every credit and award, and the released works credited (a credit on a season or an
    episode counts for its series): three queries."""
    history = TalentHistory()
    credits = Credit.objects.order_by("title_id", "role_type", "billing_order", "id").values_list(
        "title_id",
        "title__kind",
        "title__parent_id",
        "title__parent__parent_id",
        "person_id",
        "person__name",
        "role_type",
        "character",
        "department",
        "job",
    )
    for title_id, kind, parent, grandparent, person_id, name, role, character, dept, job in credits:
        work_id = {"season": parent, "episode": grandparent}.get(kind, title_id)
        if work_id is not None:
            history.works_of[person_id].add(work_id)
        part = (
            f"cast: {character}"
            if role == RoleType.CAST
            else f"crew: {job or Department(dept).label}"
        )
        history.credited[title_id].append(Credited(person_id, name, part))
    work_ids = {work for works in history.works_of.values() for work in works}
    for pk, name, kind, year, runtime in Title.objects.filter(
        pk__in=work_ids, status=TitleStatus.RELEASED, kind__in=[TitleKind.MOVIE, TitleKind.SERIES]
    ).values_list("pk", "name", "kind", "year", "runtime_minutes"):
        history.works[pk] = ViewedTitle(
            title_id=pk, name=name, kind=kind, year=year, runtime_minutes=runtime, views=None
        )
    for person_id, ceremony_year, is_winner in Award.objects.values_list(
        "person_id", "ceremony_year", "is_winner"
    ):
        history.awards[person_id].append((ceremony_year, is_winner))
    return history
