"""Similar titles: the movies and series that a title's viewers also watch.

Cosine similarity of two titles' viewer sets over the most watched movies and series (the
recommender's item vocabulary); an episode's viewing counts for its series. The worker
replaces the whole table in one transaction, so readers see the old list or the new one.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audience.personalization.model import cosine_neighbours, history_matrix, most_watched_items
from audience.personalization.training import read_histories
from audience.popularity.refresh import try_lock
from config.planner_statistics import analyze_tables

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the similar titles' refresh ("simi" in ASCII).
LOCK_KEY = 0x73696D69


@dataclass(frozen=True)
class SimilarReport:
    titles: int = 0
    pairs: int = 0
    skipped: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def refresh_similar_titles() -> SimilarReport:
    """Recompute every title's similar titles; skipped while another run holds the lock."""
    with transaction.atomic(), connection.cursor() as cursor:
        if not try_lock(cursor, LOCK_KEY):
            return SimilarReport(skipped=True)
        histories = read_histories()
        items = most_watched_items(
            histories,
            limit=settings.RECOMMENDER_MAX_ITEMS,
            min_viewers=settings.SIMILAR_TITLES_MIN_COVIEWERS,
        )
        binary = history_matrix(histories, np.unique(histories.profile_ids), items, half_life=None)
        titles, neighbours, cosine = cosine_neighbours(
            binary,
            keep=settings.SIMILAR_TITLES_PER_TITLE,
            min_coviewers=settings.SIMILAR_TITLES_MIN_COVIEWERS,
        )
        computed_at = timezone.now()
        cursor.execute("DELETE FROM audience_similartitle")
        columns = "title_id, similar_id, rank, score, computed_at"
        with cursor.cursor.copy(f"COPY audience_similartitle ({columns}) FROM STDIN") as copy:
            rank = 0
            previous = -1
            for title, neighbour, score in zip(
                items[titles].tolist(), items[neighbours].tolist(), cosine.tolist(), strict=True
            ):
                rank = rank + 1 if title == previous else 1
                previous = title
                copy.write_row((title, neighbour, rank, score, computed_at))
        analyze_tables(["audience_similartitle"])  # rewritten whole: plan over the new rows
    report = SimilarReport(titles=len(np.unique(titles)), pairs=len(titles))
    logger.info("Similar titles refreshed: %d titles, %d pairs", report.titles, report.pairs)
    return report
