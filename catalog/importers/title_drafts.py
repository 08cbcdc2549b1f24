"""What a title of the sample catalog holds, from its ggplot2movies and MovieLens records."""

from dataclasses import dataclass

from catalog.importers.title_matching import MoviePair, movielens_name_variants
from catalog.models import ExternalIdSource
from catalog.naming import display_and_sort_names, display_name_from_sort_name


@dataclass(frozen=True, slots=True)
class TitleDraft:
    """The values the sources give a title; None means the sources do not know."""

    name: str
    sort_name: str
    original_name: str
    year: int
    runtime_minutes: int | None
    budget_usd: int | None
    mpaa_code: str | None
    genre_names: frozenset[str]
    external_ids: tuple[tuple[ExternalIdSource, str], ...]


def title_draft(pair: MoviePair) -> TitleDraft:
    """IMDb's facts win; genres are the union of both sources."""
    imdb, movielens = pair.imdb, pair.movielens
    external_ids: list[tuple[ExternalIdSource, str]] = []
    genre_names: frozenset[str] = frozenset()
    if imdb is not None:
        external_ids.append((ExternalIdSource.GGPLOT2MOVIES, imdb.external_id))
        genre_names |= imdb.genre_names
    if movielens is not None:
        external_ids.append((ExternalIdSource.MOVIELENS, movielens.external_id))
        genre_names |= movielens.genre_names
    if imdb is not None:
        year = imdb.year
    elif movielens is not None:
        year = movielens.year
    else:
        raise ValueError("A movie pair needs at least one record.")
    name, sort_name, original_name = _names(pair)
    return TitleDraft(
        name=name,
        sort_name=sort_name,
        original_name=original_name,
        year=year,
        runtime_minutes=imdb.runtime_minutes if imdb else None,
        budget_usd=imdb.budget_usd if imdb else None,
        mpaa_code=imdb.mpaa_code if imdb else None,
        genre_names=genre_names,
        external_ids=tuple(external_ids),
    )


def _names(pair: MoviePair) -> tuple[str, str, str]:
    """Name, sort name and original name: IMDb's name, else MovieLens' main name.

    When the MovieLens movie matched only under an alternative name, IMDb's name is
    the original (foreign-language) one: the title shows MovieLens' main name and
    keeps IMDb's as its original name.
    """
    imdb, movielens = pair.imdb, pair.movielens
    if imdb is not None and movielens is not None and pair.on_alternative_name:
        main_name = movielens_name_variants(movielens.source_name)[0]
        return (*display_and_sort_names(main_name), display_name_from_sort_name(imdb.source_name))
    if imdb is not None:
        return (*display_and_sort_names(imdb.source_name), "")
    if movielens is not None:
        # "Amelie (Fabuleux destin d'Amélie Poulain, Le)": the name in parentheses
        # is the original (or another) name, not part of the English one.
        main_name, alternatives = movielens_name_variants(movielens.source_name)
        original = display_name_from_sort_name(alternatives[0]) if alternatives else ""
        return (*display_and_sort_names(main_name), original)
    raise ValueError("A movie pair needs at least one record.")
