"""Offline evaluation of day one: new titles nobody has watched, and new profiles.

The same arrays and metrics as `audience.personalization.evaluation`; the scorers are the
served functions (`content`, `blending`, `model`), so the figures are the product's.

New titles. The titles first watched latest (among those with at least
NEW_TITLE_MIN_VIEWERS viewers, so that a title's ranking is measured on enough profiles)
lose every viewing; the recommender and the content model learn from the rest. For each
profile that watched some of them, the held-out titles are ranked: by the content model
(the "New on the service" row's order), by the popularity of their genres, by the
profile's own genres, and at random. The served list is measured too: its 30 picks, with
the new titles placed among the known ones by the calibrated content score.

New profiles. A fifth of the profiles with at least NEW_PROFILE_MIN_TITLES titles (by id)
are left out of training; each is cut to its first 1, 3 and 5 titles and asked for its
next NEXT_TITLES titles. Another fifth, the validation profiles, tunes the blend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from audience.personalization import content
from audience.personalization.blending import FewTitlesBlend, content_scale, served_order
from audience.personalization.evaluation import (
    as_histories,
    ranking_metrics,
    top_columns,
)
from audience.personalization.model import (
    ItemModel,
    Parameters,
    Watched,
    coviewing_cosine,
    history_matrix,
    most_watched_items,
    prune_columns,
    recency_positions,
    train,
)

NEW_TITLES = 200  # at most, and a tenth of the titles with NEW_TITLE_MIN_VIEWERS at most
NEW_TITLE_MIN_VIEWERS = 5
SERVED_LIST = 30  # RECOMMENDATIONS_PER_PROFILE
RANDOM_ORDERS = 20
NEW_PROFILE_MIN_TITLES = 15
NEW_PROFILE_CUTS = (1, 3, 5)
NEXT_TITLES = 10
FOLDS = 5  # profiles with id % FOLDS == 0 are tested, == 1 validate the blend
BLEND_PRIORS = (0.0, 1.0, 3.0, 10.0, 30.0)
BLEND_NEIGHBOUR_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
NEIGHBOURS_PER_TITLE = 20  # SIMILAR_TITLES_PER_TITLE
SERVED_NEW_TITLE_PICKS = (3, 5, 10)
TRENDING_DAYS = 30
FILL_TRENDING_PICKS = 3  # RECOMMENDATION_TRENDING_PICKS

Progress = Callable[[str], None]
Segments = Mapping[int, tuple[str, str]]  # profile id -> (region, age band)


class NothingToEvaluate(ValueError):
    """Too little viewing for the protocol: no title or profile qualifies."""


@dataclass(frozen=True)
class Row:
    """One line of a table: a way of ranking, its figures, and on how many profiles."""

    method: str
    recall: float
    ndcg: float
    profiles: int


# ---------------------------------------------------------------------------------------
# New titles


@dataclass(frozen=True)
class NewTitlesReport:
    titles: int
    viewings: int
    row: list[Row]  # ranking the held-out titles only: content model first
    served: list[Row]  # Recall@30 of the held-out titles in the served list
    fit_correlation: float
    weights: dict[str, float]
    scale: float

    def content_wins(self) -> bool:
        model, *baselines = self.row
        return all(model.ndcg > other.ndcg for other in baselines)


def latest_new_titles(watched: Watched) -> np.ndarray:
    """The titles with enough viewers whose first viewing came latest, sorted: NEW_TITLES,
    or a tenth of the titles with enough viewers if that is fewer."""
    order = np.lexsort((watched.last_watched, watched.item_ids))
    items = watched.item_ids[order]
    starts = np.flatnonzero(np.r_[True, items[1:] != items[:-1]])
    first_seen = watched.last_watched[order][starts]
    viewers = np.diff(np.r_[starts, len(items)])
    ids = items[starts]
    enough = viewers >= NEW_TITLE_MIN_VIEWERS
    count = min(NEW_TITLES, int(enough.sum()) // 10)
    latest = np.lexsort((ids[enough], -first_seen[enough]))[:count]
    return np.sort(ids[enough][latest])


def evaluate_new_titles(
    watched: Watched,
    features: content.TitleFeatures,
    parameters: Parameters,
    progress: Progress,
) -> NewTitlesReport:
    new = latest_new_titles(watched)
    if len(new) == 0:
        raise NothingToEvaluate(
            f"fewer than 10 titles have {NEW_TITLE_MIN_VIEWERS} viewers or more"
        )
    held_out = np.isin(watched.item_ids, new)
    training = as_histories(watched.subset(~held_out))
    hidden = watched.subset(held_out)
    items = most_watched_items(training, limit=len(training), min_viewers=1)
    profiles = np.unique(training.profile_ids)
    binary = history_matrix(training, profiles, items, half_life=None)
    weights = content.fit_weights(features, items, coviewing_cosine(binary))
    progress(
        f"New titles: {len(new)} held out ({len(hidden):,} viewings); content weights "
        f"{ {k: round(v, 3) for k, v in weights.as_dict().items() if v} }, correlation "
        f"{weights.fit_correlation:.3f} over {weights.fit_pairs:,} pairs"
    )
    tested = np.unique(hidden.profile_ids)
    tested = tested[np.isin(tested, profiles)]
    rows = np.searchsorted(profiles, tested)
    model = train(training, items, parameters)
    weighted = model.history(training, profiles)[rows]
    known_rows, new_rows = features.rows(items), features.rows(new)
    content_scores = weights.profile_scores(features, weighted, known_rows, new_rows)
    relevant = history_matrix(as_histories(hidden), tested, new, half_life=None)
    relevant_counts = np.asarray((relevant > 0).sum(axis=1)).ravel()
    nothing_watched = sp.csr_matrix(relevant.shape, dtype=np.float32)

    def measured(method: str, scores: np.ndarray) -> Row:
        ranked = top_columns(scores.copy(), nothing_watched)
        recall, ndcg = ranking_metrics(ranked, relevant, relevant_counts)
        return Row(method, float(recall.mean()), float(ndcg.mean()), len(tested))

    randoms = [
        measured("random", np.random.default_rng(seed).random(content_scores.shape))
        for seed in range(RANDOM_ORDERS)
    ]
    genre_scores = _genre_popularity(binary, features, items, new)
    row = [
        measured("content model (the New on the service row)", content_scores),
        measured("genre popularity", np.tile(genre_scores, (len(tested), 1))),
        measured("the profile's genres", _own_genres(binary[rows], features, items, new)),
        Row(
            f"random order (mean of {RANDOM_ORDERS})",
            float(np.mean([r.recall for r in randoms])),
            float(np.mean([r.ndcg for r in randoms])),
            len(tested),
        ),
    ]
    ease = model.scores(weighted)
    ease[binary[rows].nonzero()] = -np.inf
    known_content = weights.profile_scores(features, weighted, known_rows, known_rows)
    scale = content_scale(np.where(np.isfinite(ease), ease, 0.0), known_content, SERVED_LIST)
    served = [
        _served_recall(ease, scale * content_scores, relevant, most_new, len(tested))
        for most_new in SERVED_NEW_TITLE_PICKS
    ]
    return NewTitlesReport(
        titles=len(new),
        viewings=len(hidden),
        row=row,
        served=[Row("today: known titles only", 0.0, 0.0, len(tested)), *served],
        fit_correlation=weights.fit_correlation,
        weights=weights.as_dict(),
        scale=scale,
    )


def _served_recall(
    ease: np.ndarray, new_scores: np.ndarray, relevant: sp.csr_matrix, most_new: int, profiles: int
) -> Row:
    """Recall@30 and NDCG@30 of the held-out titles in the served list, with at most
    `most_new` of them among its 30."""
    relevant_dense = np.asarray(relevant.toarray() > 0)
    discounts = 1.0 / np.log2(np.arange(2, SERVED_LIST + 2))
    recalls, ndcgs = [], []
    for row in range(len(ease)):
        order = served_order(ease[row], new_scores[row], size=SERVED_LIST, most_new=most_new)
        hits = np.array(
            [is_new and relevant_dense[row, column] for is_new, column in order], dtype=bool
        )
        reachable = min(SERVED_LIST, int(relevant_dense[row].sum()))
        recalls.append(hits.sum() / reachable)
        ndcgs.append((hits * discounts[: len(hits)]).sum() / discounts[:reachable].sum())
    return Row(
        f"served list, up to {most_new} new titles placed by calibrated content score",
        float(np.mean(recalls)),
        float(np.mean(ndcgs)),
        profiles,
    )


def _genre_popularity(
    binary: sp.csr_matrix,
    features: content.TitleFeatures,
    items: np.ndarray,
    new: np.ndarray,
) -> np.ndarray:
    """Each new title scores the mean number of training viewings of its genres."""
    viewers = np.asarray(binary.sum(axis=0)).ravel()
    item_genres = _genres_of(features, items)
    per_genre = item_genres.T @ viewers
    new_genres = _genres_of(features, new)
    counts = np.maximum(np.asarray(new_genres.sum(axis=1)).ravel(), 1)
    return np.asarray(new_genres @ per_genre).ravel() / counts


def _own_genres(
    watched_rows: sp.csr_matrix,
    features: content.TitleFeatures,
    items: np.ndarray,
    new: np.ndarray,
) -> np.ndarray:
    """A new title scores, per profile, the share of its titles in the new title's genres."""
    profile_genres = watched_rows @ _genres_of(features, items)
    totals = np.maximum(np.asarray(watched_rows.sum(axis=1)).ravel(), 1)
    new_genres = _genres_of(features, new)
    counts = np.maximum(np.asarray(new_genres.sum(axis=1)).ravel(), 1)
    products = profile_genres @ new_genres.T
    shares = np.asarray(products.toarray() if sp.issparse(products) else products)
    return (shares / totals[:, None] / counts[None, :]).astype(np.float32)


def _genres_of(features: content.TitleFeatures, title_ids: np.ndarray) -> sp.csr_matrix:
    """Titles x genres, 1 where the title has the genre."""
    rows = features.rows(title_ids)
    picked = sp.csr_matrix(features.raw["genres"][np.maximum(rows, 0)])
    return sp.csr_matrix(sp.diags((rows >= 0).astype(np.float32)) @ picked)


# ---------------------------------------------------------------------------------------
# New profiles


@dataclass(frozen=True)
class NewProfilesReport:
    blend: FewTitlesBlend  # the best on the validation profiles
    cuts: dict[int, list[Row]]  # per number of titles: the blend first, then the others
    tried: list[tuple[FewTitlesBlend, float]]  # validation NDCG@10, mean over the cuts

    def blend_wins(self) -> bool:
        """The blend beats what it replaces (segment popularity, the fill) at every cut."""
        return all(
            rows[0].ndcg > row.ndcg
            for rows in self.cuts.values()
            for row in rows
            if row.method in (SEGMENT_POPULARITY, CURRENT_FILL)
        )


BLEND = "served: EASE blended with the segment and the titles' neighbours"
EASE_ALONE = "EASE on the titles alone (served before)"
SEGMENT_POPULARITY = "segment popularity (region, age band)"
CURRENT_FILL = "the fill: Trending now, then Popular in your country"


@dataclass(frozen=True)
class _Cut:
    rows: np.ndarray  # rows of the profiles measured
    weighted: sp.csr_matrix  # their cut histories as the model reads them
    binary: sp.csr_matrix  # 1 for each title of the cut history
    titles: np.ndarray  # titles in each cut history
    relevant: sp.csr_matrix  # their next titles
    relevant_counts: np.ndarray


def evaluate_new_profiles(
    watched: Watched, segments: Segments, parameters: Parameters, progress: Progress
) -> NewProfilesReport:
    """Profiles cut to their first 1, 3 and 5 titles, asked for their next NEXT_TITLES."""
    profile_ids, counts = np.unique(watched.profile_ids, return_counts=True)
    eligible = profile_ids[counts >= NEW_PROFILE_MIN_TITLES]
    tested, validating = eligible[eligible % FOLDS == 0], eligible[eligible % FOLDS == 1]
    if len(tested) == 0 or len(validating) == 0:
        raise NothingToEvaluate(
            f"too few profiles have {NEW_PROFILE_MIN_TITLES} titles or more to test and "
            "validate the blend"
        )
    left_out = np.isin(watched.profile_ids, eligible[eligible % FOLDS < 2])
    training_pairs = watched.subset(~left_out)
    training = as_histories(training_pairs)
    items = most_watched_items(training, limit=len(training), min_viewers=1)
    trained_profiles = np.unique(training.profile_ids)
    binary = history_matrix(training, trained_profiles, items, half_life=None)
    model = train(training, items, parameters)
    neighbours = prune_columns(coviewing_cosine(binary), NEIGHBOURS_PER_TITLE).tocsr()
    popularity = _SegmentPopularity.of(training_pairs, trained_profiles, items, binary, segments)
    progress(
        f"New profiles: {len(trained_profiles):,} profiles in training, {len(tested)} tested, "
        f"{len(validating)} validating the blend"
    )
    scorers = _ProfileScorers(model, neighbours, popularity, items)
    validation_cuts = {
        cut: _cut(watched, validating, items, model, cut) for cut in NEW_PROFILE_CUTS
    }
    tried = []
    for prior in BLEND_PRIORS:
        for neighbour_weight in BLEND_NEIGHBOUR_WEIGHTS:
            blend = FewTitlesBlend(prior, neighbour_weight)
            ndcg = np.mean(
                [
                    _measure(BLEND, scorers.blended(c, validating, segments, blend), c).ndcg
                    for c in validation_cuts.values()
                ]
            )
            tried.append((blend, float(ndcg)))
    best = max(tried, key=lambda entry: entry[1])[0]
    progress(
        f"Blend chosen on validation: prior {best.prior:g}, neighbours {best.neighbour_weight:g}"
    )
    cuts: dict[int, list[Row]] = {}
    for cut in NEW_PROFILE_CUTS:
        data = _cut(watched, tested, items, model, cut)
        cuts[cut] = [
            _measure(BLEND, scorers.blended(data, tested, segments, best), data),
            _measure(EASE_ALONE, scorers.ease(data), data),
            _measure(SEGMENT_POPULARITY, scorers.segment(data, tested, segments), data),
            _measure(CURRENT_FILL, scorers.fill(data, tested, segments), data),
        ]
        progress(
            f"First {cut} title(s): "
            + ", ".join(f"{row.method} {row.ndcg:.4f}" for row in cuts[cut])
        )
    return NewProfilesReport(blend=best, cuts=cuts, tried=tried)


def _cut(
    watched: Watched, profiles: np.ndarray, items: np.ndarray, model: ItemModel, cut: int
) -> _Cut:
    history, following = profile_cuts(watched, profiles, cut)
    histories = as_histories(history)
    binary = history_matrix(histories, profiles, items, half_life=None)
    relevant = history_matrix(as_histories(following), profiles, items, half_life=None)
    relevant_counts = np.bincount(
        np.searchsorted(profiles, following.profile_ids), minlength=len(profiles)
    )
    keep = relevant_counts > 0
    return _Cut(
        rows=np.flatnonzero(keep),
        weighted=model.history(histories, profiles)[keep],
        binary=binary[keep],
        titles=np.asarray(binary[keep].sum(axis=1)).ravel(),
        relevant=relevant[keep],
        relevant_counts=relevant_counts[keep],
    )


def _measure(method: str, scores: np.ndarray, data: _Cut) -> Row:
    ranked = top_columns(scores, data.binary)
    recall, ndcg = ranking_metrics(ranked, data.relevant, data.relevant_counts)
    return Row(method, float(recall.mean()), float(ndcg.mean()), len(data.rows))


@dataclass(frozen=True)
class _SegmentPopularity:
    """Viewers per title in training: per segment, per region, and trending lately."""

    by_segment: dict[tuple[str, str], np.ndarray]
    by_region: dict[str, np.ndarray]
    everyone: np.ndarray
    trending: np.ndarray  # viewers in the training's last TRENDING_DAYS

    @classmethod
    def of(
        cls,
        training: Watched,
        profiles: np.ndarray,
        items: np.ndarray,
        binary: sp.csr_matrix,
        segments: Segments,
    ) -> _SegmentPopularity:
        by_segment: dict[tuple[str, str], np.ndarray] = {}
        by_region: dict[str, np.ndarray] = {}
        keys = [segments.get(int(p), ("", "")) for p in profiles.tolist()]
        for key in set(keys):
            rows = [i for i, k in enumerate(keys) if k == key]
            by_segment[key] = np.asarray(binary[rows].sum(axis=0)).ravel()
        for region in {key[0] for key in keys}:
            rows = [i for i, k in enumerate(keys) if k[0] == region]
            by_region[region] = np.asarray(binary[rows].sum(axis=0)).ravel()
        return cls(
            by_segment=by_segment,
            by_region=by_region,
            everyone=np.asarray(binary.sum(axis=0)).ravel(),
            trending=_recent_viewers(training, items),
        )

    def segment_scores(self, region: str, age_band: str) -> np.ndarray:
        """The segment's viewers, then the region's, then everyone's, as tie-breakers."""
        segment = self.by_segment.get((region, age_band), np.zeros_like(self.everyone))
        region_counts = self.by_region.get(region, np.zeros_like(self.everyone))
        total = self.everyone.max() + 1
        return (segment * total + region_counts) * total + self.everyone


def _recent_viewers(training: Watched, items: np.ndarray) -> np.ndarray:
    """Viewers per item in the training's last TRENDING_DAYS: what "Trending now" showed."""
    if len(training) == 0:
        return np.zeros(len(items))
    recent = training.last_watched > training.last_watched.max() - TRENDING_DAYS * 86400
    columns = np.searchsorted(items, training.item_ids[recent])
    return np.bincount(columns, minlength=len(items)).astype(np.float64)


class _ProfileScorers:
    """Scores of every item for the profiles of a cut, one method each."""

    def __init__(
        self,
        model: ItemModel,
        neighbours: sp.csr_matrix,
        popularity: _SegmentPopularity,
        items: np.ndarray,
    ) -> None:
        self.model = model
        self.neighbours = neighbours
        self.popularity = popularity
        self.items = items

    def ease(self, data: _Cut) -> np.ndarray:
        return self.model.scores(data.weighted)

    def segment(self, data: _Cut, profiles: np.ndarray, segments: Segments) -> np.ndarray:
        return np.array(
            [
                self.popularity.segment_scores(*segments.get(int(p), ("", "")))
                for p in profiles[data.rows].tolist()
            ],
            dtype=np.float64,
        )

    def fill(self, data: _Cut, profiles: np.ndarray, segments: Segments) -> np.ndarray:
        """FILL_TRENDING_PICKS trending titles first, then the segment's most watched."""
        segment = self.segment(data, profiles, segments)
        segment /= segment.max(axis=1, keepdims=True) + 1.0
        trending = np.argsort(-self.popularity.trending, kind="stable")[:FILL_TRENDING_PICKS]
        segment[:, trending] += 2.0 + np.arange(len(trending))[::-1]
        return segment

    def blended(
        self, data: _Cut, profiles: np.ndarray, segments: Segments, blend: FewTitlesBlend
    ) -> np.ndarray:
        neighbour_scores = np.asarray((data.binary @ self.neighbours).toarray())
        return blend.scores(
            self.ease(data), data.titles, self.segment(data, profiles, segments), neighbour_scores
        )


def profile_cuts(watched: Watched, profiles: np.ndarray, cut: int) -> tuple[Watched, Watched]:
    """Each of `profiles`' first `cut` titles (the history) and its next NEXT_TITLES."""
    subset = watched.subset(np.isin(watched.profile_ids, profiles))
    positions = recency_positions(subset)  # 0 = latest
    _, inverse, counts = np.unique(subset.profile_ids, return_inverse=True, return_counts=True)
    from_first = counts[inverse] - 1 - positions  # 0 = the first title
    history = from_first < cut
    following = (from_first >= cut) & (from_first < cut + NEXT_TITLES)
    return subset.subset(history), subset.subset(following)
