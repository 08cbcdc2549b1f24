"""Titles without viewing: where their metadata says they sit among what people watch.

No database here: `audience.personalization.title_features` reads the catalog's metadata
into `TitleFeatures`; the workers train, store and serve the weights learnt here.

A title is described by blocks of tokens (its genres, its director, its cast, its
keywords, the words of its synopsis...). Within a block two titles are compared by the
cosine of their token vectors, each token weighted by its inverse document frequency,
so a rare keyword or a director shared says more than "Drama". The content-to-viewing
map is one non-negative weight per block, learnt by least squares so that the weighted
sum of the block cosines predicts the cosine of the two titles' viewers, over pairs of
titles that both have viewing. Its output is on the co-viewing cosine's scale, so a new
title's predicted neighbours sit in a similar-titles list beside observed ones, and a
profile's score for a new title is item-kNN's: the sum of the predicted similarities of
the profile's (recency-weighted) titles to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse as sp

# The blocks of a title's description, in a fixed order (the stored weights follow it).
BLOCKS: tuple[str, ...] = (
    "genres",
    "director",
    "writer",
    "cast",
    "crew",
    "keywords",
    "certificate",
    "language",
    "decade",
    "runtime",
    "synopsis",
)

# Pairs sampled per title to learn the weights: its most co-viewed titles and as many
# titles drawn at random, so that the fit sees both similar and unrelated pairs.
PAIRS_PER_TITLE = 40


@dataclass(frozen=True)
class TitleFeatures:
    """Titles (rows, `title_ids` sorted) x tokens, one L2-normalised matrix per block."""

    title_ids: np.ndarray  # int64, sorted
    blocks: dict[str, sp.csr_matrix]
    raw: dict[str, sp.csr_matrix]  # the same tokens, 1 per token: what two titles share

    def rows(self, title_ids: np.ndarray) -> np.ndarray:
        """Row of each id in `title_ids`; -1 for a title without features."""
        if len(self.title_ids) == 0:
            return np.full(len(title_ids), -1, dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.title_ids, title_ids), len(self.title_ids) - 1)
        return np.where(self.title_ids[rows] == title_ids, rows, -1)


def title_features(
    title_ids: np.ndarray, tokens: Mapping[str, Sequence[tuple[int, str]]]
) -> TitleFeatures:
    """Features of `title_ids` (sorted) from (title id, token) pairs per block.

    A token is weighted by log(1 + titles / titles with it), then each row of a block is
    scaled to unit length; a block's tokens held by one title only are dropped (they can
    match nothing).
    """
    blocks: dict[str, sp.csr_matrix] = {}
    raw: dict[str, sp.csr_matrix] = {}
    for block in BLOCKS:
        pairs = tokens.get(block, ())
        binary = _token_matrix(title_ids, pairs)
        raw[block] = binary
        blocks[block] = _idf_normalised(binary)
    return TitleFeatures(title_ids=title_ids, blocks=blocks, raw=raw)


def _token_matrix(title_ids: np.ndarray, pairs: Sequence[tuple[int, str]]) -> sp.csr_matrix:
    shape_rows = len(title_ids)
    if not pairs or shape_rows == 0:
        return sp.csr_matrix((shape_rows, 0), dtype=np.float32)
    ids = np.fromiter((title for title, _ in pairs), dtype=np.int64, count=len(pairs))
    vocabulary, columns = np.unique([token for _, token in pairs], return_inverse=True)
    rows = np.minimum(np.searchsorted(title_ids, ids), shape_rows - 1)
    known = title_ids[rows] == ids
    matrix = sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float32), (rows[known], columns[known])),
        shape=(shape_rows, len(vocabulary)),
    )
    matrix.data[:] = 1.0  # a token listed twice for a title counts once
    shared = np.asarray((matrix > 0).sum(axis=0)).ravel() >= 2
    return sp.csr_matrix(matrix[:, np.flatnonzero(shared)])


def _idf_normalised(binary: sp.csr_matrix) -> sp.csr_matrix:
    if binary.shape[1] == 0:
        return binary
    titles_with = np.asarray(binary.sum(axis=0)).ravel()
    idf = np.log1p(binary.shape[0] / np.maximum(titles_with, 1)).astype(np.float32)
    weighted = sp.csr_matrix(binary @ sp.diags(idf))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted, dtype=np.float32)


def pair_cosines(features: TitleFeatures, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """Per pair (rows_a[k], rows_b[k]), the cosine within each block: pairs x blocks."""
    cosines = np.zeros((len(rows_a), len(BLOCKS)), dtype=np.float32)
    for column, block in enumerate(BLOCKS):
        matrix = features.blocks[block]
        if matrix.shape[1] == 0 or len(rows_a) == 0:
            continue
        cosines[:, column] = np.asarray(matrix[rows_a].multiply(matrix[rows_b]).sum(axis=1)).ravel()
    return cosines


@dataclass(frozen=True)
class ContentWeights:
    """The content-to-viewing map: one weight per block (BLOCKS order)."""

    weights: np.ndarray  # float32, len(BLOCKS), non-negative
    fit_pairs: int = 0
    fit_correlation: float = 0.0  # of predicted and observed co-viewing cosine

    def as_dict(self) -> dict[str, float]:
        return {block: float(weight) for block, weight in zip(BLOCKS, self.weights, strict=True)}

    def similarity(
        self, features: TitleFeatures, rows: np.ndarray, columns: np.ndarray
    ) -> np.ndarray:
        """Predicted co-viewing cosine of every `rows` title with every `columns` title;
        0 for a title without features (row -1)."""
        result = np.zeros((len(rows), len(columns)), dtype=np.float32)
        for weight, matrix in self._weighted_blocks(features):
            product = _rows_of(matrix, rows) @ _rows_of(matrix, columns).T
            result += weight * np.asarray(product.toarray(), dtype=np.float32)
        return result

    def profile_scores(
        self,
        features: TitleFeatures,
        history: sp.csr_matrix,
        history_rows: np.ndarray,
        candidate_rows: np.ndarray,
    ) -> np.ndarray:
        """Item-kNN over predicted similarities: profiles x candidates.

        `history` is profiles x the titles of `history_rows` (weights of what each profile
        watched); computed block by block through the tokens, never titles x titles.
        """
        result = np.zeros((history.shape[0], len(candidate_rows)), dtype=np.float32)
        for weight, matrix in self._weighted_blocks(features):
            tokens = history @ _rows_of(matrix, history_rows)
            product = tokens @ _rows_of(matrix, candidate_rows).T
            dense = product.toarray() if sp.issparse(product) else product
            result += weight * np.asarray(dense, dtype=np.float32)
        return result

    def _weighted_blocks(self, features: TitleFeatures) -> list[tuple[float, sp.csr_matrix]]:
        return [
            (weight, features.blocks[block])
            for weight, block in zip(self.weights.tolist(), BLOCKS, strict=True)
            if weight > 0 and features.blocks[block].shape[1] > 0
        ]


def _rows_of(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """The rows asked for; an empty row for -1 (a title without features)."""
    picked = sp.csr_matrix(matrix[np.maximum(rows, 0)])
    if (rows < 0).any():
        picked = sp.csr_matrix(sp.diags((rows >= 0).astype(np.float32)) @ picked)
    return picked


def fit_weights(
    features: TitleFeatures,
    item_ids: np.ndarray,
    coviewing: np.ndarray,
    *,
    seed: int = 0,
) -> ContentWeights:
    """Learn the block weights from titles with viewing.

    `coviewing` is the cosine of the viewer sets of `item_ids` (items x items, diagonal
    ignored). Titles without features are left out of the fit.
    """
    rows = features.rows(item_ids)
    usable = np.flatnonzero(rows >= 0)
    if len(usable) < 2:
        return ContentWeights(np.zeros(len(BLOCKS), dtype=np.float32))
    a, b = _sampled_pairs(coviewing, usable, np.random.default_rng(seed))
    target = coviewing[a, b].astype(np.float64)
    design = pair_cosines(features, rows[a], rows[b]).astype(np.float64)
    weights, _ = scipy.optimize.nnls(design, target)
    predicted = design @ weights
    correlation = (
        float(np.corrcoef(predicted, target)[0, 1])
        if predicted.std() > 0 and target.std() > 0
        else 0.0
    )
    return ContentWeights(weights.astype(np.float32), len(target), correlation)


def _sampled_pairs(
    coviewing: np.ndarray, usable: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """For each usable title: its PAIRS_PER_TITLE most co-viewed usable titles and as many
    random ones (itself excluded)."""
    # Without a copy when every title is usable: at 10,000 titles a copy is 400 MB.
    sub = coviewing if len(usable) == len(coviewing) else coviewing[np.ix_(usable, usable)]
    keep = min(PAIRS_PER_TITLE, len(usable) - 1)
    # A thousand rows at a time: argpartition's indices over every row would take
    # items x items x 8 bytes.
    nearest = np.concatenate(
        [
            np.argpartition(-sub[start : start + 1000], keep - 1, axis=1)[:, :keep]
            for start in range(0, len(sub), 1000)
        ]
    )
    drawn = rng.integers(0, len(usable), size=(len(usable), keep))
    partners = np.concatenate([nearest, drawn], axis=1)
    firsts = np.repeat(np.arange(len(usable)), partners.shape[1])
    seconds = partners.ravel()
    distinct = firsts != seconds
    return usable[firsts[distinct]], usable[seconds[distinct]]


# ---------------------------------------------------------------------------------------
# Why two titles are alike


@dataclass(frozen=True)
class Link:
    """What two titles share, as the product says it: "same director", "3 cast members"."""

    kind: str  # a block name
    shared: int  # how many of its tokens they share

    def code(self) -> str:
        return f"{self.kind}:{self.shared}"

    @classmethod
    def parse(cls, code: str) -> Link | None:
        kind, _, shared = code.partition(":")
        if kind not in BLOCKS or not shared.isdigit():
            return None
        return cls(kind, int(shared))


# Blocks that make a reason on their own, the most specific first: the reason is the first
# of them that contributes to the predicted similarity.
REASON_BLOCKS = ("director", "writer", "cast", "keywords", "crew", "genres", "synopsis")


def strongest_link(
    features: TitleFeatures, weights: ContentWeights, row_a: int, row_b: int
) -> Link | None:
    """The most specific thing two titles share that the content map counts."""
    if row_a < 0 or row_b < 0:
        return None
    cosines = pair_cosines(features, np.array([row_a]), np.array([row_b]))[0]
    contributions = dict(zip(BLOCKS, (cosines * weights.weights).tolist(), strict=True))
    for block in REASON_BLOCKS:
        raw = features.raw[block]
        if contributions[block] > 0 and raw.shape[1]:
            shared = int(raw[row_a].multiply(raw[row_b]).sum())
            if shared:
                return Link(block, shared)
    return None


def link_text(link: Link) -> str:
    """How a front end says it: "same director", "shares 3 cast members"."""
    many = link.shared > 1
    match link.kind:
        case "director":
            return "same directors" if many else "same director"
        case "writer":
            return "same writers" if many else "same writer"
        case "cast":
            return f"shares {link.shared} cast members" if many else "shares a cast member"
        case "crew":
            return f"shares {link.shared} crew members" if many else "shares a crew member"
        case "keywords":
            return f"shares {link.shared} keywords" if many else "shares a keyword"
        case "genres":
            return "same genres" if many else "same genre"
        case _:
            return "a similar story"
