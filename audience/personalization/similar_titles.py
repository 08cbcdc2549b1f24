"""Similar titles: the movies and series that a title's viewers also watch.

Cosine similarity of two titles' viewer sets over the most watched movies and series (the
recommender's item vocabulary); an episode's viewing counts for its series. The worker
replaces the whole table in one transaction, so readers see the old list or the new one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from audience.personalization.content import strongest_link
from audience.personalization.model import (
    cosine_neighbours,
    history_matrix,
    most_watched_items,
    top_picks,
)
from audience.personalization.new_titles import read_new_title_ids
from audience.personalization.title_features import read_title_features
from audience.personalization.training import latest_model, read_histories
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
        lists: dict[int, list[_Similar]] = defaultdict(list)
        for title, neighbour, score in zip(
            items[titles].tolist(), items[neighbours].tolist(), cosine.tolist(), strict=True
        ):
            lists[title].append(_Similar(score, neighbour, ""))
        _add_new_titles(lists, items)
        pairs = _write(cursor, lists)
        analyze_tables(["audience_similartitle"])  # rewritten whole: plan over the new rows
    report = SimilarReport(titles=len(lists), pairs=pairs)
    logger.info("Similar titles refreshed: %d titles, %d pairs", report.titles, report.pairs)
    return report


@dataclass(frozen=True)
class _Similar:
    score: float
    similar_id: int
    link: str  # empty when observed; a content.Link code when predicted


def _add_new_titles(lists: dict[int, list[_Similar]], items: np.ndarray) -> None:
    """Titles new on the service without co-viewers enough: their neighbours predicted from
    metadata by the latest model's content map, in their own lists and in the lists of the
    titles they are like (where the prediction beats an observed neighbour)."""
    model = latest_model()
    new = np.setdiff1d(read_new_title_ids(), items)
    if model is None or model.content is None or len(new) == 0:
        return
    everyone = np.union1d(items, new)
    features = read_title_features(everyone)
    rows, new_rows = features.rows(everyone), features.rows(new)
    similarity = model.content.similarity(features, rows, new_rows)  # everyone x new
    keep = settings.SIMILAR_TITLES_PER_TITLE
    for column, new_id in enumerate(new.tolist()):
        scores = similarity[:, column].copy()
        scores[everyone == new_id] = 0.0
        for row in top_picks(scores, np.ones(len(scores), dtype=bool), keep).tolist():
            link = strongest_link(features, model.content, int(rows[row]), int(new_rows[column]))
            if link is None:
                continue
            score = float(scores[row])
            lists[new_id].append(_Similar(score, int(everyone[row]), link.code()))
            lists[int(everyone[row])].append(_Similar(score, new_id, link.code()))
    for entries in lists.values():
        entries.sort(key=lambda entry: (-entry.score, entry.similar_id))
        del entries[keep:]


def _write(cursor: CursorWrapper, lists: dict[int, list[_Similar]]) -> int:
    computed_at = timezone.now()
    cursor.execute("DELETE FROM audience_similartitle")
    columns = "title_id, similar_id, rank, score, link, computed_at"
    pairs = 0
    with cursor.cursor.copy(f"COPY audience_similartitle ({columns}) FROM STDIN") as copy:
        for title in sorted(lists):
            for rank, entry in enumerate(lists[title], start=1):
                copy.write_row(
                    (title, entry.similar_id, rank, entry.score, entry.link, computed_at)
                )
                pairs += 1
    return pairs
