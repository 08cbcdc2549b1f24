"""The titles of a synthetic catalog and what hangs on them, drawn with NumPy up front.

Rows refer to a title by its position in the plan, not by a database id, so the plan
depends only on the seed; the writer maps positions onto ids taken from the sequence.
Each part draws from its own random stream, so that tuning one part leaves the others as
they were.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from catalog.generators import vocabulary as vocab
from catalog.models import STANDARD_JOBS, ArtworkKind, TitleKind, TitleStatus

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

MOVIE, SERIES, SEASON, EPISODE = range(4)
KINDS = TitleKind.values  # indexed by the four constants above, in the enum's order
STATUSES = [
    TitleStatus.RELEASED.value,
    TitleStatus.ANNOUNCED.value,
    TitleStatus.IN_PRODUCTION.value,
]
RELEASED = 0
FIRST_YEAR, LAST_YEAR = 1950, 2026
MOVIE_SHARE = 0.6
# Streaming windows of old films open once the service exists, not at their release.
STREAMING_START_DAY = int(np.datetime64("2012-01-01", "D").astype(np.int64))
# Days count from 1970-01-01 and go negative before it, so "no date" needs its own marker.
NO_DAY = -(10**9)

JOBS: list[tuple[str, str]] = [
    (department.value, job) for department, jobs in STANDARD_JOBS.items() for job in jobs
]
# Chance that a title of each kind has a credit for each job, in the order of JOBS:
# Director, Writer, Screenplay, Producer, Executive Producer, Casting Director,
# Cinematographer, Editor, Sound Designer, Composer, Colourist.
JOB_CHANCES = np.array(
    [
        [1.0, 0.75, 0.25, 0.9, 0.4, 0.5, 0.6, 0.6, 0.35, 0.6, 0.25],
        [0.0, 0.9, 0.0, 1.0, 1.0, 0.9, 0.3, 0.3, 0.3, 0.9, 0.2],
        [0.0, 0.0, 0.0, 0.6, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [1.0, 0.9, 0.0, 0.0, 0.0, 0.0, 0.2, 0.3, 0.0, 0.0, 0.0],
    ]
)
PRODUCER_JOB = JOBS.index(("production", "Producer"))
SERIES_REGULARS = 3  # how many of a series' top-billed cast appear in each episode


def random_stream(seed: int, part: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(part.encode())])


def ranks(counts: Ints) -> Ints:
    """0, 1, ... within each group of np.repeat(..., counts)."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


def choose_weighted(rng: np.random.Generator, weights: list[int], counts: Ints) -> Ints:
    """For each row, `counts[row]` distinct choices by weight (Gumbel top-k), flattened."""
    keys = np.log(np.asarray(weights, float)) + rng.gumbel(size=(len(counts), len(weights)))
    order = np.argsort(-keys, axis=1)
    return order[np.repeat(np.arange(len(counts)), counts), ranks(counts)]


def _days_to_year(days: Ints) -> Ints:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def first_day_of(years: Ints) -> Ints:
    """Days since 1970-01-01 of the first of January of each year."""
    return (years - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


@dataclass
class TitlePlan:
    kind: Ints
    parent: Ints  # position of the parent, -1 for movies and series
    root: Ints  # position of the movie or series at the top of the tree
    number: Ints  # 0 for movies and series
    release_day: Ints  # days since 1970-01-01; NO_DAY when not released
    year: Ints
    runtime: Ints  # 0 when unknown
    language: Ints
    rating: Ints
    is_original: Bools
    status: Ints
    budget: Ints  # 0 when unknown
    names: list[str]
    synopses: list[str]

    def __len__(self) -> int:
        return len(self.kind)


def series_shapes(budget: int, rng: np.random.Generator) -> list[list[int]]:
    """Episode counts per season of series that together hold exactly `budget` titles."""
    shapes: list[list[int]] = []
    while budget >= 3:
        remaining = budget - 1
        shape: list[int] = []
        for episodes in rng.integers(6, 14, size=min(int(rng.geometric(0.45)), 8)).tolist():
            if remaining < 2:
                break
            shape.append(min(episodes, remaining - 1))
            remaining -= 1 + shape[-1]
        if remaining < 3:  # too few titles left for another series
            shape[-1] += remaining
            remaining = 0
        shapes.append(shape)
        budget = remaining
    return shapes


def plan_structure(n_titles: int, rng: np.random.Generator) -> tuple[Ints, Ints, Ints, Ints]:
    """Kind, parent, root and number of each title; a series' tree stays together."""
    n_movies = round(n_titles * MOVIE_SHARE)
    shapes = series_shapes(n_titles - n_movies, rng)
    if not shapes:
        n_movies = n_titles
    units = np.concatenate([np.full(n_movies, -1), np.arange(len(shapes))])
    rng.shuffle(units)
    kind: list[int] = []
    parent: list[int] = []
    number: list[int] = []

    def add(kinds: list[int], parents: list[int], numbers: Iterable[int]) -> None:
        kind.extend(kinds)
        parent.extend(parents)
        number.extend(numbers)

    for unit in units.tolist():
        if unit < 0:
            add([MOVIE], [-1], [0])
            continue
        series = len(kind)
        add([SERIES], [-1], [0])
        for season_number, episodes in enumerate(shapes[unit], 1):
            season = len(kind)
            add([SEASON], [series], [season_number])
            add([EPISODE] * episodes, [season] * episodes, range(1, episodes + 1))
    kinds, parents = np.array(kind, np.int64), np.array(parent, np.int64)
    root = np.arange(len(kinds))
    root[kinds == SEASON] = parents[kinds == SEASON]
    root[kinds == EPISODE] = parents[parents[kinds == EPISODE]]
    return kinds, parents, root, np.array(number, np.int64)


def plan_titles(n_titles: int, seed: int) -> TitlePlan:
    """Every title of the batch: years, dates, runtimes, ratings, names and synopses."""
    rng = random_stream(seed, "titles")
    kind, parent, root, number = plan_structure(n_titles, rng)
    top = np.flatnonzero(parent < 0)
    year, status = _years_and_status(kind, root, top, rng)
    release, year = _release_days(kind, parent, root, number, top, year, status, rng)
    is_series = kind[top] == SERIES

    def per_tree(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Spread a value per movie or series over its seasons and episodes."""
        spread = np.zeros(len(kind), values.dtype)
        spread[top] = values
        return spread[root]

    ratings = len(vocab.MATURITY_RATINGS)
    is_original = per_tree(rng.random(len(top)) < np.where(is_series, 0.3, 0.12))
    names, synopses = _title_texts(kind, parent, number, rng)
    return TitlePlan(
        kind=kind, parent=parent, root=root, number=number, release_day=release, year=year,
        runtime=_runtimes(kind, per_tree(rng.random(len(top)) < 0.35), rng),
        language=per_tree(rng.choice(len(vocab.LANGUAGES), len(top), p=_p(vocab.LANGUAGE_WEIGHTS))),
        rating=per_tree(np.where(
            is_series,
            rng.choice(ratings, len(top), p=_p(vocab.SERIES_RATING_WEIGHTS)),
            rng.choice(ratings, len(top), p=_p(vocab.MOVIE_RATING_WEIGHTS)),
        )),
        is_original=is_original, status=status, budget=_budgets(kind, is_original, rng),
        names=names, synopses=synopses,
    )  # fmt: skip


def _years_and_status(
    kind: Ints, root: Ints, top: Ints, rng: np.random.Generator
) -> tuple[Ints, Ints]:
    """The year of each movie and series, recent years likelier, so that a series' last
    season airs by LAST_YEAR; some of LAST_YEAR's are not released yet (whole trees)."""
    seasons = np.bincount(root[kind == SEASON], minlength=len(kind))[top]
    latest = LAST_YEAR - np.maximum(seasons, 1) + 1
    span = latest - FIRST_YEAR + 1
    recent = np.minimum(np.floor(span * rng.beta(1.0, 2.5, len(top))), span - 1)
    year = np.zeros(len(kind), np.int64)
    year[top] = latest - recent.astype(np.int64)
    status = np.full(len(kind), RELEASED, np.int64)
    coming = (year[top] == LAST_YEAR) & (rng.random(len(top)) < 0.3)
    status[top[coming]] = rng.integers(1, len(STATUSES), int(coming.sum()))
    return year, status[root]


def _release_days(
    kind: Ints,
    parent: Ints,
    root: Ints,
    number: Ints,
    top: Ints,
    year: Ints,
    status: Ints,
    rng: np.random.Generator,
) -> tuple[Ints, Ints]:
    """Release days and years: a season a year after the one before, an episode a week
    after the one before, a series on the day its first season starts."""
    release = np.full(len(kind), NO_DAY, np.int64)
    year = year.copy()
    release[top] = first_day_of(year[top]) + rng.integers(0, 365, len(top))
    season = kind == SEASON
    year[season] = year[root[season]] + number[season] - 1
    release[season] = first_day_of(year[season]) + rng.integers(0, 250, int(season.sum()))
    premiere = season & (number == 1)
    release[root[premiere]] = release[premiere]
    episode = kind == EPISODE
    release[episode] = release[parent[episode]] + 7 * (number[episode] - 1)
    year[episode] = _days_to_year(release[episode])
    release[status != RELEASED] = NO_DAY
    return release, year


def _runtimes(kind: Ints, half_hour: Bools, rng: np.random.Generator) -> Ints:
    """Minutes for movies and episodes (half-hour or hour-long shows); 0 for the rest."""
    runtime = np.zeros(len(kind), np.int64)
    movie, episode = kind == MOVIE, kind == EPISODE
    runtime[movie] = np.clip(np.round(rng.normal(104, 18, int(movie.sum()))), 72, 210)
    episodes = int(episode.sum())
    runtime[episode] = np.where(
        half_hour[episode], rng.integers(21, 31, episodes), rng.integers(40, 63, episodes)
    )
    return runtime


def _budgets(kind: Ints, is_original: Bools, rng: np.random.Generator) -> Ints:
    """Dollars for most movies, more for originals, rounded to 100,000; 0 when unknown."""
    budget = np.zeros(len(kind), np.int64)
    funded = (kind == MOVIE) & (rng.random(len(kind)) < 0.7)
    dollars = rng.lognormal(np.log(15e6), 1.0, len(kind)) * np.where(is_original, 1.6, 1.0)
    budget[funded] = np.clip(np.round(dollars[funded], -5), 2e5, 3.5e8)
    return budget


def _p(weights: list[int]) -> npt.NDArray[np.float64]:
    array = np.asarray(weights, float)
    return array / array.sum()


def _title_texts(
    kind: Ints, parent: Ints, number: Ints, rng: np.random.Generator
) -> tuple[list[str], list[str]]:
    words = rng.integers(0, 2**31, size=(len(kind), 8)).tolist()
    story = rng.integers(0, 2**31, size=(len(kind), 8)).tolist()
    names: list[str] = []
    synopses: list[str] = []
    for position, (k, up, nr) in enumerate(
        zip(kind.tolist(), parent.tolist(), number.tolist(), strict=True)
    ):
        if k in (MOVIE, SERIES):
            names.append(vocab.title_name(words[position]))
            synopses.append(vocab.synopsis(story[position], sentences=2))
        elif k == SEASON:
            names.append(f"Season {nr}")
            synopses.append(
                f"Season {nr} of {names[up]}. {vocab.synopsis(story[position], sentences=1)}"
            )
        else:
            pilot = nr == 1 and number[up] == 1 and words[position][7] % 2 == 0
            names.append("Pilot" if pilot else vocab.episode_name(words[position]))
            synopses.append(vocab.synopsis(story[position], sentences=1))
    return names, synopses


@dataclass
class TitleLinks:
    """Pairs of a title position and an index into a vocabulary list (genres, keywords)."""

    title: Ints
    item: Ints


def plan_genres(titles: TitlePlan, seed: int) -> TitleLinks:
    """One to three genres per movie or series; seasons and episodes repeat their series'."""
    rng = random_stream(seed, "genres")
    top = np.flatnonzero(titles.parent < 0)
    counts = 1 + rng.binomial(2, 0.35, len(top))
    chosen = choose_weighted(rng, vocab.GENRE_WEIGHTS, counts)
    first = np.zeros(len(titles), np.int64)
    first[top] = np.cumsum(counts) - counts
    count = np.zeros(len(titles), np.int64)
    count[top] = counts
    per_title = count[titles.root]
    title = np.repeat(np.arange(len(titles)), per_title)
    return TitleLinks(title=title, item=chosen[first[titles.root[title]] + ranks(per_title)])


def plan_keywords(titles: TitlePlan, seed: int) -> TitleLinks:
    """Up to four distinct keywords per movie or series."""
    rng = random_stream(seed, "keywords")
    top = np.flatnonzero(titles.parent < 0)
    title = np.repeat(top, rng.binomial(4, 0.5, len(top)))
    item = rng.integers(0, len(vocab.KEYWORDS), len(title))
    _, first = np.unique(title * len(vocab.KEYWORDS) + item, return_index=True)
    return TitleLinks(title=title[first], item=item[first])


POSTER, BACKDROP, LOGO = range(3)
ARTWORK_KINDS = ArtworkKind.values  # indexed by the three constants above
ARTWORK_SIZES = [
    [(2000, 3000), (1000, 1500), (680, 1000)],
    [(3840, 2160), (1920, 1080), (1280, 720)],
    [(1200, 480), (800, 320), (500, 200)],
]


@dataclass
class ArtworkPlan:
    title: Ints
    kind: Ints
    width: Ints
    height: Ints
    language: Ints  # index into LANGUAGES; -1 for images without text
    token: Ints  # makes the image URL unique


def plan_artwork(titles: TitlePlan, seed: int) -> ArtworkPlan:
    """A poster, backdrop and often a logo per movie or series (plus an English poster for
    foreign-language ones), a poster per season and a still (backdrop) per episode."""
    rng = random_stream(seed, "artwork")
    top = np.flatnonzero(titles.parent < 0)
    english = vocab.LANGUAGES.index("en")
    foreign = top[titles.language[top] != english]
    logos = top[rng.random(len(top)) < 0.5]
    seasons = np.flatnonzero(titles.kind == SEASON)
    episodes = np.flatnonzero(titles.kind == EPISODE)
    parts = [
        (top, POSTER, titles.language[top]),
        (foreign, POSTER, np.full(len(foreign), english)),
        (top, BACKDROP, np.full(len(top), -1)),
        (logos, LOGO, titles.language[logos]),
        (seasons, POSTER, titles.language[seasons]),
        (episodes, BACKDROP, np.full(len(episodes), -1)),
    ]
    title = np.concatenate([positions for positions, _, _ in parts])
    kind = np.concatenate([np.full(len(positions), k) for positions, k, _ in parts])
    language = np.concatenate([languages for _, _, languages in parts])
    sizes = np.array(ARTWORK_SIZES)[kind, rng.integers(0, 3, len(title))]
    order = np.lexsort((kind, title))
    return ArtworkPlan(
        title=title[order],
        kind=kind[order],
        width=sizes[order, 0],
        height=sizes[order, 1],
        language=language[order],
        token=rng.integers(0, 2**62, len(title)),
    )


@dataclass
class AvailabilityPlan:
    title: Ints
    region: Ints  # index into REGIONS
    start_day: Ints  # days since 1970-01-01, midnight UTC
    end_day: Ints  # NO_DAY for an open window


def plan_availability(titles: TitlePlan, seed: int) -> AvailabilityPlan:
    """Windows of released movies and series in a few regions (originals: all, open-ended).

    A closed window may be followed by a second one after a gap, so windows of a title in
    a region never overlap. Seasons and episodes follow their series and get none.
    """
    rng = random_stream(seed, "availability")
    top = np.flatnonzero((titles.parent < 0) & (titles.status == RELEASED))
    n_regions = len(vocab.REGIONS)
    original = titles.is_original[top]
    counts = np.where(original, n_regions, 1 + rng.binomial(n_regions - 1, 0.15, len(top)))
    region = choose_weighted(rng, vocab.REGION_WEIGHTS, counts)
    title = np.repeat(top, counts)
    release = titles.release_day[title]
    start = np.maximum(
        release + rng.integers(30, 400, len(title)),
        STREAMING_START_DAY + rng.integers(0, 4000, len(title)),
    )
    closed = rng.random(len(title)) >= 0.55
    end = np.where(closed, start + rng.integers(180, 1800, len(title)), NO_DAY)
    by_studio = titles.is_original[title]
    start[by_studio] = np.maximum(release[by_studio], STREAMING_START_DAY)
    end[by_studio], closed[by_studio] = NO_DAY, False
    again = closed & (rng.random(len(title)) < 0.4)
    title = np.concatenate([title, title[again]])
    region = np.concatenate([region, region[again]])
    start = np.concatenate([start, end[again] + rng.integers(30, 365, int(again.sum()))])
    end = np.concatenate([end, np.full(int(again.sum()), NO_DAY)])
    order = np.lexsort((start, region, title))
    return AvailabilityPlan(
        title=title[order], region=region[order], start_day=start[order], end_day=end[order]
    )
