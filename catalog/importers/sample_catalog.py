"""The sample catalog: ggplot2movies (IMDb) and MovieLens movies, and the Oscar winners.

`sample_catalog_import` is idempotent: it merges on external ids (source, value)
and on the unique constraints, so a second run creates and changes nothing. It
runs in one transaction under an advisory lock, so two imports never interleave
and a failed import leaves nothing behind, and analyzes the tables it filled before it
commits, so that nothing is planned over them as if they were still empty.
"""

import zlib
from collections import Counter
from dataclasses import dataclass, field
from time import perf_counter
from typing import TextIO

from django.db import connection, transaction
from tqdm import tqdm

from catalog.importers.oscar_awards import oscar_awards_upsert
from catalog.importers.sample_sources import read_ggplot2movies, read_movielens, read_oscars
from catalog.importers.title_drafts import title_draft
from catalog.importers.title_matching import pair_movies
from catalog.models import Award, Credit, ExternalId, Genre, MaturityRating, Person, Title
from catalog.services import existing_links, pairs_on_existing_titles, titles_upsert
from catalog.vocabulary import MPAA_CERTIFICATES, ensure_certificates, ensure_genres
from config.planner_statistics import analyze_tables, tables_of

_LOCK_ID = zlib.crc32(b"catalog.importers.sample_catalog")


@dataclass(slots=True)
class SampleCatalogImportReport:
    """What one import did. Titles are created, updated or unchanged; `titles_merged`
    counts those among them that carry both a ggplot2movies and a MovieLens id."""

    titles_created: int = 0
    titles_updated: int = 0
    titles_unchanged: int = 0
    titles_merged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_awards: list[str] = field(default_factory=list)
    awards_by_close_spelling: list[str] = field(default_factory=list)
    genres_created: int = 0
    maturity_ratings_created: int = 0
    people_created: int = 0
    credits_created: int = 0
    awards_created: int = 0
    elapsed_seconds: float = 0.0

    @property
    def created_or_changed_anything(self) -> bool:
        return any(
            (
                self.titles_created,
                self.titles_updated,
                self.genres_created,
                self.maturity_ratings_created,
                self.people_created,
                self.credits_created,
                self.awards_created,
            )
        )


def sample_catalog_import(*, progress_file: TextIO | None = None) -> SampleCatalogImportReport:
    """Import the sample catalog; idempotent, all or nothing.

    Progress bars go to `progress_file` (none when it is None).
    """
    started = perf_counter()
    report = SampleCatalogImportReport()
    imdb_movies = read_ggplot2movies()
    movielens_movies = read_movielens(report.skipped)
    performances = read_oscars()
    pairs = pair_movies(imdb_movies, movielens_movies)
    with transaction.atomic():
        _lock_import()
        genre_ids, report.genres_created = ensure_genres()
        ratings, report.maturity_ratings_created = ensure_certificates(MPAA_CERTIFICATES)
        rating_ids = {code: pk for (_, code), pk in ratings.items()}
        links = existing_links()
        placed = pairs_on_existing_titles(pairs, links)
        report.titles_merged = sum(pair.is_merged for pair, _ in placed)
        drafts = [(title_draft(pair), title_id) for pair, title_id in placed]
        with _progress("titles", len(drafts), progress_file) as progress:
            counts = titles_upsert(
                drafts=drafts,
                links=links,
                genre_ids=genre_ids,
                rating_ids=rating_ids,
                progress=progress,
            )
        report.titles_created = counts.created
        report.titles_updated = counts.updated
        report.titles_unchanged = counts.unchanged
        with _progress("oscars", len(performances), progress_file) as progress:
            awards = oscar_awards_upsert(performances=performances, progress=progress)
        analyze_tables(tables_of(Title, ExternalId, Genre, MaturityRating, Person, Credit, Award))
    report.people_created = awards.people_created
    report.credits_created = awards.credits_created
    report.awards_created = awards.awards_created
    report.skipped_awards = awards.skipped
    report.awards_by_close_spelling = awards.close_spellings
    if awards.skipped:
        report.skipped["oscars: no movie of that name 0-2 years before the ceremony"] = len(
            awards.skipped
        )
    report.elapsed_seconds = perf_counter() - started
    return report


def _progress(description: str, total: int, progress_file: TextIO | None) -> tqdm:
    return tqdm(
        desc=description,
        total=total,
        unit="row",
        file=progress_file,
        disable=progress_file is None,
        mininterval=0.5,
    )


def _lock_import() -> None:
    """Serialise imports: the lock is held until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
