"""The recommender's mathematics: from viewing histories to item weights and ranked picks.

No database here: `audience.personalization.training` reads the histories and stores the
model, `audience.personalization.refresh` the picks, and `audience.personalization.evaluation`
measures this model against its baselines on the same arrays.

The served model is EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data",
WWW 2019): an item-to-item weight matrix B, learnt in closed form from the Gram matrix
of the profiles x items history, that scores item i for a profile as sum_j x_j B[j, i].
Two things make it ours:
- Recency. A profile's history is weighted by how recently it watched each title:
  x_j = 0.5 ** (position / half_life), position 0 being the title it watched last, so
  what it watched last says most about what it watches next.
- Ratings. A thumbs down shrinks a title's weight, a love raises it.
B is pruned to its strongest `neighbours` weights per column before it is stored, which
keeps the stored model small; on the MovieLens validation split 500 per column score as
well as the whole matrix (see docs/benchmarks.md).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from audience.personalization.content import BLOCKS, ContentWeights


@dataclass(frozen=True)
class Histories:
    """Who watched what: one entry per (profile, movie or series) pair.

    `position` orders a profile's titles by when it last watched them, 0 for the latest;
    `preference` is 1, or the factor of the profile's rating of the title.
    """

    profile_ids: np.ndarray  # int64
    item_ids: np.ndarray  # int64 catalog title ids (movies and series)
    positions: np.ndarray  # int32
    preference: np.ndarray  # float32

    def __len__(self) -> int:
        return len(self.profile_ids)

    def subset(self, keep: np.ndarray) -> Histories:
        return Histories(
            self.profile_ids[keep], self.item_ids[keep], self.positions[keep], self.preference[keep]
        )


@dataclass(frozen=True)
class Watched:
    """Who watched what, when, and how they rated it: one entry per (profile, title)."""

    profile_ids: np.ndarray  # int64
    item_ids: np.ndarray  # int64 movie and series ids (an episode counts for its series)
    last_watched: np.ndarray  # int64 epoch seconds of the pair's latest viewing event
    ratings: np.ndarray  # int64 RatingValue, 0 if the profile has not rated the title

    def __len__(self) -> int:
        return len(self.profile_ids)

    def subset(self, keep: np.ndarray) -> Watched:
        return Watched(
            self.profile_ids[keep], self.item_ids[keep], self.last_watched[keep], self.ratings[keep]
        )


def recency_positions(watched: Watched) -> np.ndarray:
    """Each pair's place in its profile's history, 0 for the title watched last.

    Ties in time go to the lower title id.
    """
    order = np.lexsort((watched.item_ids, -watched.last_watched, watched.profile_ids))
    sorted_profiles = watched.profile_ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_profiles[1:] != sorted_profiles[:-1]])
    lengths = np.diff(np.r_[starts, len(order)])
    positions = np.empty(len(order), dtype=np.int32)
    positions[order] = np.arange(len(order)) - np.repeat(starts, lengths)
    return positions


def histories_from(watched: Watched, rating_factors: Mapping[int, float]) -> Histories:
    """The histories the model reads: positions and rating factors from these pairs only."""
    preference = np.ones(len(watched), dtype=np.float32)
    for value, factor in rating_factors.items():
        preference[watched.ratings == value] = factor
    return Histories(
        profile_ids=watched.profile_ids,
        item_ids=watched.item_ids,
        positions=recency_positions(watched),
        preference=preference,
    )


@dataclass(frozen=True)
class Parameters:
    l2: float = 300.0  # EASE's ridge penalty
    half_life: float = 5.0  # positions after which a watched title counts half
    neighbours: int = 500  # weights kept per item

    def as_dict(self) -> dict[str, float]:
        return {"l2": self.l2, "half_life": self.half_life, "neighbours": self.neighbours}


def most_watched_items(histories: Histories, *, limit: int, min_viewers: int) -> np.ndarray:
    """The ids of the `limit` items with the most viewers (at least `min_viewers`), sorted."""
    ids, viewers = np.unique(histories.item_ids, return_counts=True)
    enough = viewers >= min_viewers
    ids, viewers = ids[enough], viewers[enough]
    if len(ids) > limit:
        # Most viewers first; the lower id wins a tie, so the choice is reproducible.
        order = np.lexsort((ids, -viewers))[:limit]
        ids = ids[order]
    return np.sort(ids)


def recency_weights(positions: np.ndarray, half_life: float) -> np.ndarray:
    return np.power(0.5, positions / half_life, dtype=np.float32)


def history_matrix(
    histories: Histories,
    profile_ids: np.ndarray,
    item_ids: np.ndarray,
    *,
    half_life: float | None,
) -> sp.csr_matrix:
    """Profiles (rows, in `profile_ids` order) x items (`item_ids` order), float32.

    With `half_life`, entries are recency x preference weights; without, 1 for watched.
    Items outside `item_ids` are left out. Both id arrays must be sorted.
    """
    shape = (len(profile_ids), len(item_ids))
    if len(item_ids) == 0 or len(profile_ids) == 0:
        return sp.csr_matrix(shape, dtype=np.float32)
    rows = np.searchsorted(profile_ids, histories.profile_ids)
    cols = np.searchsorted(item_ids, histories.item_ids)
    cols_clipped = np.minimum(cols, len(item_ids) - 1)
    known = item_ids[cols_clipped] == histories.item_ids
    if half_life is None:
        values = np.ones(int(known.sum()), dtype=np.float32)
    else:
        values = (
            recency_weights(histories.positions[known], half_life) * histories.preference[known]
        )
    return sp.csr_matrix((values, (rows[known], cols[known])), shape=shape, dtype=np.float32)


def gram(matrix: sp.csr_matrix) -> np.ndarray:
    """X^T X as a dense float64 array: the items x items co-occurrence."""
    product = (matrix.T @ matrix).toarray()
    return np.asarray(product, dtype=np.float64)


def ease_weights(gram_matrix: np.ndarray, l2: float) -> np.ndarray:
    """EASE's closed form: B = I - P diag(1 / diag(P)), P = (G + l2 I)^-1, diag(B) = 0.

    The inverse goes through a Cholesky factorisation (G + l2 I is symmetric positive
    definite), about half the work of a general inverse. Overwrites `gram_matrix`.
    """
    n = gram_matrix.shape[0]
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    gram_matrix[np.diag_indices(n)] += l2
    factor, info = scipy.linalg.lapack.dpotrf(gram_matrix, lower=False, overwrite_a=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky factorisation failed ({info})")
    inverse, info = scipy.linalg.lapack.dpotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"Inverse from the Cholesky factor failed ({info})")
    # dpotri fills the upper triangle only.
    inverse = np.triu(inverse) + np.triu(inverse, 1).T
    diagonal = np.diag(inverse).copy()
    weights = inverse / -diagonal
    weights[np.diag_indices(n)] = 0.0
    return weights.astype(np.float32)


def prune_columns(weights: np.ndarray, keep: int) -> sp.csc_matrix:
    """The `keep` largest-magnitude weights of every column, as a sparse matrix."""
    n = weights.shape[0]
    if keep >= n:
        return sp.csc_matrix(weights)
    rows = np.argpartition(-np.abs(weights), keep - 1, axis=0)[:keep]
    cols = np.broadcast_to(np.arange(n), rows.shape)
    values = weights[rows, cols]
    return sp.csc_matrix((values.ravel(), (rows.ravel(), cols.ravel())), shape=weights.shape)


@dataclass
class ItemModel:
    """A trained model as the workers use it: items and their weights, dense in memory."""

    item_ids: np.ndarray  # int64, sorted: column j is item_ids[j]
    weights: np.ndarray  # float32 items x items; weights[j, i]: how j speaks for i
    parameters: Parameters
    version: int | None = None
    # The content-to-viewing map learnt with the weights, and the factor that brings its
    # scores to EASE's (see audience.personalization.blending.content_scale).
    content: ContentWeights | None = None
    content_scale: float = 0.0

    def column_of(self, item_id: int) -> int | None:
        """The item's column, or None if the model did not learn it."""
        column = int(np.searchsorted(self.item_ids, item_id))
        if column < len(self.item_ids) and self.item_ids[column] == item_id:
            return column
        return None

    def history(self, histories: Histories, profile_ids: np.ndarray) -> sp.csr_matrix:
        return history_matrix(
            histories, profile_ids, self.item_ids, half_life=self.parameters.half_life
        )

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        """Every item's score for every profile row of `history` (rows x items, dense)."""
        return np.asarray(history @ self.weights, dtype=np.float32)

    def strongest_contributors(self, history_row: sp.csr_matrix, picks: np.ndarray) -> np.ndarray:
        """For each picked column, the history column whose x_j B[j, i] is largest."""
        watched = history_row.indices
        contributions = history_row.data[:, None] * self.weights[np.ix_(watched, picks)]
        return watched[np.argmax(contributions, axis=0)]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        pruned = sp.csc_matrix(self.weights)
        np.savez_compressed(
            buffer,
            item_ids=self.item_ids,
            data=pruned.data,
            indices=pruned.indices,
            indptr=pruned.indptr,
            parameters=np.array(
                [self.parameters.l2, self.parameters.half_life, self.parameters.neighbours]
            ),
            content_weights=(
                np.zeros(0, np.float32) if self.content is None else self.content.weights
            ),
            content_fit=np.array(
                [0, 0.0, 0.0]
                if self.content is None
                else [self.content.fit_pairs, self.content.fit_correlation, self.content_scale]
            ),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes, version: int | None = None) -> ItemModel:
        with np.load(io.BytesIO(blob)) as stored:
            item_ids = stored["item_ids"]
            n = len(item_ids)
            weights = sp.csc_matrix(
                (stored["data"], stored["indices"], stored["indptr"]), shape=(n, n)
            ).toarray()
            l2, half_life, neighbours = stored["parameters"]
            content, scale = _stored_content(stored)
        return cls(
            item_ids=item_ids,
            # Row-major: scoring reads whole rows (one per watched title).
            weights=np.ascontiguousarray(weights, dtype=np.float32),
            parameters=Parameters(float(l2), float(half_life), int(neighbours)),
            version=version,
            content=content,
            content_scale=scale,
        )


def _stored_content(stored: Mapping[str, np.ndarray]) -> tuple[ContentWeights | None, float]:
    """The content map stored with a model; none for models trained before it existed."""
    if "content_weights" not in stored or len(stored["content_weights"]) != len(BLOCKS):
        return None, 0.0
    pairs, correlation, scale = stored["content_fit"]
    weights = ContentWeights(
        np.asarray(stored["content_weights"], dtype=np.float32), int(pairs), float(correlation)
    )
    return weights, float(scale)


def train(histories: Histories, item_ids: np.ndarray, parameters: Parameters) -> ItemModel:
    """Learn EASE's weights over `item_ids` from the binary history of every profile.

    The Gram matrix counts co-viewers (binary history); recency and ratings weigh the
    history only when scoring, where they say which of a profile's titles speak loudest.
    """
    profile_ids = np.unique(histories.profile_ids)
    binary = history_matrix(histories, profile_ids, item_ids, half_life=None)
    weights = ease_weights(gram(binary), parameters.l2)
    pruned = prune_columns(weights, parameters.neighbours).toarray()
    return ItemModel(
        item_ids=item_ids,
        weights=np.ascontiguousarray(pruned, dtype=np.float32),
        parameters=parameters,
    )


def top_picks(scores: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """The columns of the `k` best positive scores among `allowed`, best first."""
    candidates = np.flatnonzero(allowed & (scores > 0))
    if len(candidates) > k:
        best = np.argpartition(-scores[candidates], k - 1)[:k]
        candidates = candidates[best]
    return candidates[np.lexsort((candidates, -scores[candidates]))]


def coviewing_cosine(binary: sp.csr_matrix, *, min_coviewers: int = 1) -> np.ndarray:
    """The cosine of every two item columns' viewer sets, float32, diagonal 0; a pair that
    fewer than `min_coviewers` profiles watched both of scores 0."""
    coviewers = np.asarray((binary.T @ binary).toarray(), dtype=np.float32)
    viewers = np.sqrt(np.diag(coviewers)).copy()
    viewers[viewers == 0] = 1.0  # a title no one watched has no co-viewers anyway
    coviewers[coviewers < min_coviewers] = 0.0
    coviewers /= viewers[:, None]
    coviewers /= viewers[None, :]
    np.fill_diagonal(coviewers, 0.0)
    return coviewers


def cosine_neighbours(
    binary: sp.csr_matrix, *, keep: int, min_coviewers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every item column, its `keep` most similar columns by cosine of their viewers.

    Returns (item column, neighbour column, cosine) triples, each item's neighbours best
    first; a pair needs at least `min_coviewers` profiles who watched both.
    """
    cosine = coviewing_cosine(binary, min_coviewers=min_coviewers)
    n = cosine.shape[0]
    items, neighbours, similarity = [], [], []
    for column in range(n):
        picks = top_picks(cosine[column], np.ones(n, dtype=bool), keep)
        items.append(np.full(len(picks), column))
        neighbours.append(picks)
        similarity.append(cosine[column, picks])
    if not items:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    return np.concatenate(items), np.concatenate(neighbours), np.concatenate(similarity)
