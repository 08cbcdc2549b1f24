"""Where what the model knows is thin: new titles beside known ones, and profiles with few
titles. No database here; the serving rules (`picks`) and the evaluation use the same
functions, so the evaluation measures what is served.

- A new title's content score (`content`) is on item-kNN's scale, not EASE's. `content_scale`
  matches the two over the depth of a served list: the best known titles by content score
  as high as the best known titles by EASE.
- A profile with few titles says little: its EASE scores are blended with what its
  segment (region and age band) watches and with the similar titles of what it watched,
  the blend fading as its history grows (`FewTitlesBlend`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audience.personalization.model import top_picks


def content_scale(ease_scores: np.ndarray, content_scores: np.ndarray, depth: int) -> float:
    """The factor that brings content scores to EASE's scale, from the same rows x known items.

    Per row, the mean of its `depth` best EASE scores over the mean of its `depth` best
    content scores (negative scores count as 0); the median over rows where both are
    positive.
    """
    if ease_scores.size == 0:
        return 0.0
    depth = min(depth, ease_scores.shape[1])
    ease_top = _mean_of_best(ease_scores, depth)
    content_top = _mean_of_best(content_scores, depth)
    usable = (ease_top > 0) & (content_top > 0)
    if not usable.any():
        return 0.0
    return float(np.median(ease_top[usable] / content_top[usable]))


def _mean_of_best(scores: np.ndarray, depth: int) -> np.ndarray:
    best = -np.partition(-scores, depth - 1, axis=1)[:, :depth]
    return np.maximum(best, 0.0).mean(axis=1)


def _scaled_to_one(scores: np.ndarray) -> np.ndarray:
    """Each row divided by its largest value (rows without a positive value stay 0)."""
    top = scores.max(axis=1, keepdims=True) if scores.size else np.zeros((len(scores), 1))
    return np.where(top > 0, scores / np.where(top > 0, top, 1.0), 0.0).astype(np.float32)


@dataclass(frozen=True)
class FewTitlesBlend:
    """score = ease + prior / (prior + titles) x (segment + neighbour_weight x neighbours),
    each term scaled to a best of 1 per profile.

    `prior` is how many titles of its own a profile needs before its history outweighs its
    segment; 0 turns the blend off. Tuned by `evaluate_recommendations`.
    """

    prior: float = 3.0
    neighbour_weight: float = 1.0

    def weight(self, titles: np.ndarray) -> np.ndarray:
        if self.prior <= 0:
            return np.zeros(len(titles), dtype=np.float32)
        return (self.prior / (self.prior + np.asarray(titles, dtype=np.float32))).astype(np.float32)

    def scores(
        self,
        ease: np.ndarray,
        titles: np.ndarray,
        segment: np.ndarray,
        neighbours: np.ndarray,
    ) -> np.ndarray:
        """Blended scores, rows x items; `titles` counts each row's titles."""
        prior_weight = self.weight(titles)[:, None]
        evidence = _scaled_to_one(segment) + self.neighbour_weight * _scaled_to_one(neighbours)
        return _scaled_to_one(np.maximum(ease, 0.0)) + prior_weight * evidence


def served_order(
    known: np.ndarray, new: np.ndarray, *, size: int, most_new: int
) -> list[tuple[bool, int]]:
    """One profile's list from its known and new candidates' scores (-inf: not allowed):
    (is new, column) pairs, best first, `size` at most and `most_new` new ones at most."""
    entries = [(float(known[c]), False, int(c)) for c in _best_positive(known, size)]
    entries += [(float(new[c]), True, int(c)) for c in _best_positive(new, most_new)]
    entries.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    return [(is_new, column) for _, is_new, column in entries[:size]]


def _best_positive(scores: np.ndarray, k: int) -> np.ndarray:
    """The columns of the `k` best positive scores, -inf (not allowed) left out."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    return top_picks(scores, np.isfinite(scores), k)
