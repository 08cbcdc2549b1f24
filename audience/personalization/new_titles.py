"""Titles the trained model has not learnt: new ones it serves before anyone has watched
them, and those in a profile's history that it cannot read by their viewing.

A movie or series is new for RECOMMENDATION_NEW_TITLE_DAYS after its first availability
window opens. While it is outside the trained model's titles (it had too little viewing
at the last training), the model's content map speaks for it: its score for a profile
is the predicted similarity of the profile's titles to it, on EASE's scale. Once it has
viewing enough, the next training takes it in and its viewing speaks instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.conf import settings

from audience.personalization.content import Link, TitleFeatures, strongest_link
from audience.personalization.model import Histories, ItemModel, history_matrix
from audience.personalization.title_features import read_title_features
from audience.popularity.query_plans import whole_table_joins

_NEW_TITLES = """
    SELECT DISTINCT a.title_id
    FROM catalog_availability a JOIN catalog_title t ON t.id = a.title_id
    WHERE a.window_start > now() - make_interval(days => %(days)s) AND a.window_start <= now()
      AND t.kind IN ('movie', 'series') AND t.status = 'released'
      AND NOT EXISTS (
          SELECT 1 FROM catalog_availability earlier
          WHERE earlier.title_id = a.title_id
            AND earlier.window_start <= now() - make_interval(days => %(days)s)
      )
    ORDER BY 1
"""


def read_new_title_ids() -> np.ndarray:
    """Movies and series whose first window opened in the last RECOMMENDATION_NEW_TITLE_DAYS."""
    with whole_table_joins() as cursor:  # every availability window
        cursor.execute(_NEW_TITLES, {"days": settings.RECOMMENDATION_NEW_TITLE_DAYS})
        return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


@dataclass(frozen=True)
class NewTitles:
    """The new titles of one model: all of them (`all_ids`) and those it has not learnt
    (`unknown_ids`, the content map scores them), with the features both need."""

    all_ids: np.ndarray  # sorted
    unknown_ids: np.ndarray  # sorted, outside model.item_ids
    features: TitleFeatures  # of model.item_ids and unknown_ids
    item_rows: np.ndarray  # features' row of each model item (-1: none)
    unknown_rows: np.ndarray

    def scores(self, model: ItemModel, history: sp.csr_matrix) -> np.ndarray:
        """Profiles x unknown new titles, on EASE's scale (0 without a content map)."""
        if model.content is None or len(self.unknown_ids) == 0:
            return np.zeros((history.shape[0], len(self.unknown_ids)), dtype=np.float32)
        scores = model.content.profile_scores(
            self.features, history, self.item_rows, self.unknown_rows
        )
        return scores * np.float32(model.content_scale)

    def link(
        self, model: ItemModel, history_row: sp.csr_matrix, unknown_column: int
    ) -> tuple[int, Link | None]:
        """The watched model item that speaks most for an unknown new title, and why."""
        assert model.content is not None
        watched = history_row.indices
        similarity = model.content.similarity(
            self.features,
            self.item_rows[watched],
            self.unknown_rows[[unknown_column]],
        )[:, 0]
        best = int(np.argmax(history_row.data * similarity))
        link = strongest_link(
            self.features,
            model.content,
            int(self.item_rows[watched[best]]),
            int(self.unknown_rows[unknown_column]),
        )
        return int(model.item_ids[watched[best]]), link


class _NewTitlesCache:
    """One NewTitles per model version, per worker process, refetched when stale."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: int | None = None
        self.value: NewTitles | None = None
        self.fetched_at = 0.0

    def get(self, model: ItemModel) -> NewTitles:
        with self.lock:
            stale = (
                time.monotonic() - self.fetched_at > settings.RECOMMENDATION_CATALOG_CACHE_SECONDS
            )
            if self.value is None or stale or self.version != model.version:
                self.value = _new_titles(model)
                self.version = model.version
                self.fetched_at = time.monotonic()
            return self.value


def _new_titles(model: ItemModel) -> NewTitles:
    all_ids = read_new_title_ids()
    unknown = np.setdiff1d(all_ids, model.item_ids)
    features = read_title_features(np.union1d(model.item_ids, unknown))
    return NewTitles(
        all_ids=all_ids,
        unknown_ids=unknown,
        features=features,
        item_rows=features.rows(model.item_ids),
        unknown_rows=features.rows(unknown),
    )


_CACHE = _NewTitlesCache()


def new_titles_of(model: ItemModel) -> NewTitles:
    return _CACHE.get(model)


@dataclass(frozen=True)
class UnlearntHistory:
    """The titles of a few profiles' histories that the model did not learn (a pick of a
    title too little watched at training, or one that came since): the content map makes
    them speak for the model's titles as EASE would, so that a profile whose few titles
    the model does not know still gets picks of its own."""

    rows: np.ndarray  # rows of the batch's history matrix that have such titles
    history: sp.csr_matrix  # those rows x `title_ids`, recency-weighted
    title_ids: np.ndarray  # sorted
    features: TitleFeatures  # of model.item_ids and title_ids
    item_rows: np.ndarray
    title_rows: np.ndarray

    def scores(self, model: ItemModel) -> np.ndarray:
        """`rows` x model items, on EASE's scale."""
        assert model.content is not None
        return model.content.profile_scores(
            self.features, self.history, self.title_rows, self.item_rows
        ) * np.float32(model.content_scale)

    def strongest(self, model: ItemModel, index: int, columns: np.ndarray) -> np.ndarray:
        """For the `index`-th of `rows`, the title of its own that speaks most for each
        model column in `columns`."""
        assert model.content is not None
        row = self.history[index]
        similarity = model.content.similarity(
            self.features, self.title_rows[row.indices], self.item_rows[columns]
        )
        return self.title_ids[row.indices[np.argmax(row.data[:, None] * similarity, axis=0)]]


def unlearnt_history(
    model: ItemModel, histories: Histories, profile_ids: np.ndarray, rows: np.ndarray
) -> UnlearntHistory | None:
    """The titles outside the model in the histories of `profile_ids[rows]` (sorted ids)."""
    if model.content is None or len(rows) == 0:
        return None
    chosen = np.isin(histories.profile_ids, profile_ids[rows])
    outside = chosen & ~np.isin(histories.item_ids, model.item_ids)
    if not outside.any():
        return None
    title_ids = np.unique(histories.item_ids[outside])
    matrix = history_matrix(
        histories.subset(outside),
        profile_ids,
        title_ids,
        half_life=model.parameters.half_life,
    )
    with_titles = rows[np.diff(matrix.indptr)[rows] > 0]
    features = read_title_features(np.union1d(model.item_ids, title_ids))
    return UnlearntHistory(
        rows=with_titles,
        history=sp.csr_matrix(matrix[with_titles]),
        title_ids=title_ids,
        features=features,
        item_rows=features.rows(model.item_ids),
        title_rows=features.rows(title_ids),
    )
