"""Which MovieLens movie is which ggplot2movies (IMDb) movie.

Two records meet when their names share a `normalised_title_key` and their years
are equal. MovieLens may add alternative names in parentheses ("Umbrellas of
Cherbourg, The (Parapluies de Cherbourg, Les)") where IMDb keeps the original
one, so a MovieLens movie that matches nothing under its full name is tried
under its main name and then under each alternative.

Each ggplot2movies row is its own title, even when two rows share a key and a
year ("Good Boy" the short and "Good Boy!" the feature): their rownames differ
and so do their runtimes. A MovieLens movie merges with at most one of them (the
one spelled exactly like it, else the one with the most IMDb votes, else the
first), and each ggplot2movies row with at most one MovieLens movie (the one with
the lowest movieId), so "Hamlet (2000)" twice in MovieLens gives one merged title
and one MovieLens-only title.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.importers.sample_sources import ImdbSampleMovie, MovielensMovie
from catalog.naming import display_name_from_sort_name, normalised_title_key

_TRAILING_PARENTHESES = re.compile(r"\s*\((?P<inner>[^()]*)\)\s*$")
_ALSO_KNOWN_AS = re.compile(r"^a\.?k\.?a\.?\s+", re.IGNORECASE)
# A name that ends in a joining word or mark goes on inside the parentheses:
# "Birdman: Or (The Unexpected Virtue of Ignorance)" is one name, not two.
_UNFINISHED_NAME = re.compile(r"(?:[:&\-]|\b(?:or|and|of))\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MoviePair:
    """The records of one title: from ggplot2movies, from MovieLens, or from both.

    `on_alternative_name` says that the MovieLens movie matched under one of its
    alternative names, so its main name is the English one and IMDb's the original.
    """

    imdb: ImdbSampleMovie | None = None
    movielens: MovielensMovie | None = None
    on_alternative_name: bool = False

    @property
    def is_merged(self) -> bool:
        return self.imdb is not None and self.movielens is not None


def movielens_name_variants(source_name: str) -> tuple[str, list[str]]:
    """The main name and the alternative names of a MovieLens title.

    'Umbrellas of Cherbourg, The (Parapluies de Cherbourg, Les)' ->
    ('Umbrellas of Cherbourg, The', ['Parapluies de Cherbourg, Les']);
    'Phenomena (a.k.a. Creepers)' -> ('Phenomena', ['Creepers']);
    'Birdman: Or (The Unexpected Virtue of Ignorance)' -> (the whole name, []).
    """
    main = source_name.strip()
    alternatives: list[str] = []
    while (
        (match := _TRAILING_PARENTHESES.search(main))
        and match.start() > 0
        and not _UNFINISHED_NAME.search(main[: match.start()])
    ):
        alternatives.insert(0, _ALSO_KNOWN_AS.sub("", match["inner"]).strip())
        main = main[: match.start()]
    return main, [name for name in alternatives if name]


class _ImdbIndex:
    """ggplot2movies rows by (key, year), each of which may be claimed by one MovieLens movie."""

    def __init__(self, movies: Iterable[ImdbSampleMovie]) -> None:
        self._by_key_and_year: dict[tuple[str, int], list[ImdbSampleMovie]] = defaultdict(list)
        for movie in movies:
            self._by_key_and_year[normalised_title_key(movie.source_name), movie.year].append(movie)
        self._claimed: set[str] = set()

    def claim(self, name: str, year: int) -> ImdbSampleMovie | None:
        """The best unclaimed row named `name` in `year`, now claimed; None if there is none."""
        candidates = [
            movie
            for movie in self._by_key_and_year.get((normalised_title_key(name), year), ())
            if movie.external_id not in self._claimed
        ]
        if not candidates:
            return None
        wanted = display_name_from_sort_name(name).casefold()

        def preference(movie: ImdbSampleMovie) -> tuple[bool, int, int]:
            spelled_alike = display_name_from_sort_name(movie.source_name).casefold() == wanted
            return (not spelled_alike, -movie.votes, int(movie.external_id))

        best = min(candidates, key=preference)
        self._claimed.add(best.external_id)
        return best


def pair_movies(
    imdb_movies: list[ImdbSampleMovie], movielens_movies: list[MovielensMovie]
) -> list[MoviePair]:
    """Every record in exactly one pair: ggplot2movies rows in order, then unmatched MovieLens.

    Full names are matched first for all movies, so that a full-name match is never
    taken away by another movie's alternative name.
    """
    index = _ImdbIndex(imdb_movies)
    movielens_movies = sorted(movielens_movies, key=lambda movie: int(movie.external_id))
    partners: dict[str, tuple[MovielensMovie, bool]] = {}
    for movie in movielens_movies:
        if imdb := index.claim(movie.source_name, movie.year):
            partners[imdb.external_id] = (movie, False)
    matched = {movie.external_id for movie, _ in partners.values()}
    for movie in movielens_movies:
        if movie.external_id in matched:
            continue
        main, alternatives = movielens_name_variants(movie.source_name)
        if not alternatives:
            continue
        for name, on_alternative_name in [(main, False), *((a, True) for a in alternatives)]:
            if imdb := index.claim(name, movie.year):
                partners[imdb.external_id] = (movie, on_alternative_name)
                matched.add(movie.external_id)
                break
    pairs = []
    for imdb in imdb_movies:
        movielens, on_alternative_name = partners.get(imdb.external_id, (None, False))
        pairs.append(MoviePair(imdb, movielens, on_alternative_name))
    pairs.extend(
        MoviePair(movielens=movie) for movie in movielens_movies if movie.external_id not in matched
    )
    return pairs
