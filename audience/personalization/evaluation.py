"""Offline evaluation: the served recommender against baselines, on a temporal split.

Each profile's latest titles are hidden, every model learns from the rest, and each one
ranks every title the profile has not watched; Recall@10 and NDCG@10 say how many of the
hidden titles its top 10 finds, and how high. The same arrays, vocabulary and split go
to every model, so the figures compare the models and nothing else.

- The split is temporal, per profile: its distinct movies and series ordered by when it
  last watched them (ties by title id, as the served histories order them); a profile
  with at least MIN_TITLES_TO_HIDE titles hides its latest fifth (at least one). Hiding
  the latest rather than a random sample asks what the product is asked: what does this
  profile watch next. The hidden titles' ratings are dropped with them, and positions
  are counted again on what is left, so nothing after the split reaches the models.
- The validation split is the same split applied again to the test split's training
  part. The baselines' parameters are tuned on it; the figures reported are the test's.
- The vocabulary is every title that at least one profile watched in the training part.
  A hidden title outside it (first watched after the split by everyone) is a miss for
  every model alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.sparse as sp

from audience.personalization.model import (
    Histories,
    Parameters,
    Watched,
    ease_weights,
    gram,
    histories_from,
    history_matrix,
    most_watched_items,
    prune_columns,
    recency_positions,
    train,
)
from audience.personalization.training import RATING_FACTORS

CUTOFF = 10  # Recall@10, NDCG@10: the first row of recommendations on a screen
MIN_TITLES_TO_HIDE = 5
HIDDEN_FRACTION = 5  # one title in five is hidden, the latest ones
SPLIT_DESCRIPTION = (
    "temporal, per profile: the latest 20% of each profile's titles "
    f"(profiles with >= {MIN_TITLES_TO_HIDE} titles)"
)
KNN_NEIGHBOURS = (50, 100, 200, 400, 800)
EASE_L2 = (100.0, 300.0, 1000.0)
# Profiles scored at once: their scores take BATCH_PROFILES x items x 4 bytes.
BATCH_PROFILES = 1000

Progress = Callable[[str], None]


# ---------------------------------------------------------------------------------------
# The split


@dataclass(frozen=True)
class Split:
    training: Watched
    hidden: Watched


def temporal_split(watched: Watched) -> Split:
    """Hide the latest fifth (at least one) of each profile with MIN_TITLES_TO_HIDE titles."""
    positions = recency_positions(watched)
    _, inverse, counts = np.unique(watched.profile_ids, return_inverse=True, return_counts=True)
    hidden_per_profile = np.where(
        counts >= MIN_TITLES_TO_HIDE, np.maximum(1, counts // HIDDEN_FRACTION), 0
    )
    hidden = positions < hidden_per_profile[inverse]
    return Split(training=watched.subset(~hidden), hidden=watched.subset(hidden))


def as_histories(watched: Watched) -> Histories:
    """The histories the recommender reads: positions and rating factors from these pairs only."""
    return histories_from(watched, RATING_FACTORS)


# ---------------------------------------------------------------------------------------
# Ranking and its metrics


def top_columns(scores: np.ndarray, watched: sp.csr_matrix, k: int = CUTOFF) -> np.ndarray:
    """Each row's `k` best columns among those it has not watched, best first; -1 pads.

    Overwrites the watched entries of `scores`.
    """
    rows, columns = watched.nonzero()
    scores[rows, columns] = -np.inf
    n = scores.shape[1]
    ranked = np.full((scores.shape[0], k), -1, dtype=np.int64)
    if n == 0:
        return ranked
    keep = min(k, n)
    best = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
    best_scores = np.take_along_axis(scores, best, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    best = np.take_along_axis(best, order, axis=1)
    best[~np.isfinite(np.take_along_axis(best_scores, order, axis=1))] = -1
    ranked[:, :keep] = best
    return ranked


def ranking_metrics(
    ranked: np.ndarray, hidden: sp.csr_matrix, hidden_counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Recall@k and NDCG@k (binary relevance) of every row of `ranked`.

    `hidden` marks each row's hidden titles among the columns; `hidden_counts` counts
    them all, those outside the columns too. Recall divides the hits by min(k, hidden);
    NDCG's ideal ranking puts min(k, hidden) hidden titles first.
    """
    k = ranked.shape[1]
    relevant = np.asarray(hidden.toarray(), dtype=bool)
    hits = np.take_along_axis(relevant, np.maximum(ranked, 0), axis=1) & (ranked >= 0)
    reachable = np.minimum(k, hidden_counts)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)[reachable - 1]
    recall = hits.sum(axis=1) / reachable
    ndcg = (hits * discounts).sum(axis=1) / ideal
    return recall, ndcg


# ---------------------------------------------------------------------------------------
# What the models learn from and are asked about


@dataclass(frozen=True)
class Experiment:
    """One split as matrices: training rows per profile, hidden titles per test profile."""

    items: np.ndarray  # the vocabulary, sorted ids
    profile_ids: np.ndarray  # every training profile, sorted
    histories: Histories  # the training part as the served recommender reads it
    binary: sp.csr_matrix  # profiles x items, 1 for watched in training
    test_rows: np.ndarray  # rows of `binary` whose profiles hid titles
    hidden: sp.csr_matrix  # test rows x items, 1 for hidden
    hidden_counts: np.ndarray  # hidden titles per test row, those outside `items` too


def experiment(split: Split) -> Experiment:
    histories = as_histories(split.training)
    items = most_watched_items(histories, limit=len(histories), min_viewers=1)
    profile_ids = np.unique(histories.profile_ids)
    test_profiles, hidden_counts = np.unique(split.hidden.profile_ids, return_counts=True)
    hidden_histories = as_histories(split.hidden)
    return Experiment(
        items=items,
        profile_ids=profile_ids,
        histories=histories,
        binary=history_matrix(histories, profile_ids, items, half_life=None),
        test_rows=np.searchsorted(profile_ids, test_profiles),
        hidden=history_matrix(hidden_histories, test_profiles, items, half_life=None),
        hidden_counts=hidden_counts,
    )


# Scores every item for the given rows of the experiment's training matrix.
Scorer = Callable[[np.ndarray], np.ndarray]


def popularity(data: Experiment) -> Scorer:
    """Every profile gets the titles most profiles watched."""
    viewers = np.asarray(data.binary.sum(axis=0), dtype=np.float32).ravel()
    return lambda rows: np.tile(viewers, (len(rows), 1))


def item_knn(data: Experiment, coviewers: np.ndarray, neighbours: int) -> Scorer:
    """Item-kNN: a title scores the cosine similarities to it of the profile's titles,
    each title keeping its `neighbours` most similar ones."""
    viewers = np.sqrt(np.diag(coviewers)).astype(np.float32)
    viewers[viewers == 0] = 1.0  # a title no one watched has no neighbours anyway
    cosine = coviewers.astype(np.float32)
    cosine /= viewers[:, None]
    cosine /= viewers[None, :]
    np.fill_diagonal(cosine, 0.0)
    similarity = prune_columns(cosine, neighbours).tocsr()
    return lambda rows: np.asarray((data.binary[rows] @ similarity).toarray(), dtype=np.float32)


def ease(data: Experiment, coviewers: np.ndarray, l2: float) -> Scorer:
    """EASE (Steck 2019) on the binary history, every weight kept."""
    weights = ease_weights(coviewers.copy(), l2)
    return lambda rows: np.asarray(data.binary[rows] @ weights, dtype=np.float32)


def served(data: Experiment, parameters: Parameters) -> Scorer:
    """The product's model: audience.personalization.model.train and ItemModel.scores, as served."""
    model = train(data.histories, data.items, parameters)
    history = model.history(data.histories, data.profile_ids)
    return lambda rows: model.scores(history[rows])


# ---------------------------------------------------------------------------------------
# Measuring


@dataclass(frozen=True)
class Result:
    model: str
    parameters: str
    recall: float
    ndcg: float
    profiles: int
    tuned_value: float | None = None  # item-kNN's k or EASE's λ


def measure(
    data: Experiment,
    scorer: Scorer,
    model: str,
    parameters: str,
    tuned_value: float | None = None,
) -> Result:
    """Mean Recall@10 and NDCG@10 over the test profiles, scored a batch at a time."""
    recalls, ndcgs = [], []
    for batch in _batches(len(data.test_rows)):
        rows = data.test_rows[batch]
        ranked = top_columns(scorer(rows), data.binary[rows])
        recall, ndcg = ranking_metrics(ranked, data.hidden[batch], data.hidden_counts[batch])
        recalls.append(recall)
        ndcgs.append(ndcg)
    profiles = len(data.test_rows)
    return Result(
        model=model,
        parameters=parameters,
        recall=float(np.concatenate(recalls).mean()) if profiles else 0.0,
        ndcg=float(np.concatenate(ndcgs).mean()) if profiles else 0.0,
        profiles=profiles,
        tuned_value=tuned_value,
    )


def _batches(total: int) -> Iterator[slice]:
    for start in range(0, total, BATCH_PROFILES):
        yield slice(start, min(start + BATCH_PROFILES, total))


# ---------------------------------------------------------------------------------------
# Comparing the models on one split

POPULARITY = "popularity"
ITEM_KNN = "item-kNN, cosine"
EASE = "EASE"
SERVED = "served: recency- and rating-weighted EASE"


@dataclass(frozen=True)
class Comparison:
    """Each model's figures on one split, with its best parameters among those tried."""

    best: list[Result]  # popularity, item-kNN, EASE, served, in that order
    tried: list[Result]  # every parameter value tried, for the record of the tuning

    @property
    def knn_neighbours(self) -> int:
        return int(self.best[1].tuned_value or 0)

    @property
    def ease_l2(self) -> float:
        return float(self.best[2].tuned_value or 0.0)

    def served_beats_every_baseline(self) -> bool:
        *baselines, product = self.best
        return all(
            product.recall > baseline.recall and product.ndcg > baseline.ndcg
            for baseline in baselines
        )


def compare(
    split: Split,
    *,
    knn_neighbours: Sequence[int],
    ease_l2: Sequence[float],
    served_parameters: Parameters,
    progress: Progress,
) -> Comparison:
    """Measure every model on `split`; the best of several parameter values by NDCG@10."""
    data = experiment(split)
    progress(
        f"{len(data.profile_ids):,} profiles and {len(data.items):,} titles in training, "
        f"{len(data.test_rows):,} profiles with hidden titles"
    )
    coviewers = gram(data.binary)
    measured = [
        _measured(progress, data, POPULARITY, "viewers in training", partial(popularity, data))
    ]
    measured += [
        _measured(progress, data, ITEM_KNN, f"k={k}", partial(item_knn, data, coviewers, k), k)
        for k in knn_neighbours
    ]
    measured += [
        _measured(progress, data, EASE, f"λ={l2:g}", partial(ease, data, coviewers, l2), l2)
        for l2 in ease_l2
    ]
    del coviewers  # the served model's training needs the room
    description = served_description(served_parameters)
    measured.append(
        _measured(progress, data, SERVED, description, partial(served, data, served_parameters))
    )
    best = [
        max((result for result in measured if result.model == model), key=lambda r: r.ndcg)
        for model in (POPULARITY, ITEM_KNN, EASE, SERVED)
    ]
    return Comparison(best=best, tried=measured)


def served_description(parameters: Parameters) -> str:
    factors = "/".join(f"{factor:g}" for factor in RATING_FACTORS.values())
    return (
        f"λ={parameters.l2:g}, half-life {parameters.half_life:g}, "
        f"{parameters.neighbours} neighbours, rating factors {factors}"
    )


def _measured(
    progress: Progress,
    data: Experiment,
    model: str,
    parameters: str,
    trained: Callable[[], Scorer],
    tuned_value: float | None = None,
) -> Result:
    started = time.perf_counter()
    result = measure(data, trained(), model, parameters, tuned_value)
    progress(
        f"{model} ({parameters}): Recall@10 {result.recall:.4f}, NDCG@10 {result.ndcg:.4f} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return result
