"""What a profile is recommended, and why, under the product's serving rules:
- a series is recommended as the series: an episode's viewing counts for its series;
- nothing the profile has watched (finished or started) is recommended again, so
  Continue Watching, not the recommendations, brings back what it started;
- only titles available in the profile's region now and allowed by its maturity level
  (a title without a certificate counts as adults-only for a younger profile);
- too few picks from the model (or no history at all) are made up with what is trending
  in the profile's region and what is popular in its segment (region and age band);
- each recommendation says why: the watched title that contributed most to its score,
  "Trending now" or "Popular in your country".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from audience.models import (
    GLOBAL_REGION,
    ReasonKind,
    SimilarTitle,
    TrendingEntry,
)
from audience.personalization.blending import FewTitlesBlend, served_order
from audience.personalization.model import (
    Histories,
    ItemModel,
)
from audience.personalization.new_titles import (
    NewTitles,
    UnlearntHistory,
    new_titles_of,
    unlearnt_history,
)
from audience.personalization.training import UNIT_OF_TITLE
from catalog.visibility import ADULTS_ONLY_LEVEL

T = TypeVar("T")

# ---------------------------------------------------------------------------------------
# What may be recommended to whom: certificates and open windows, per title


@dataclass
class CatalogFacts:
    """Maturity level and the regions open now, per title; refetched when stale.

    One per worker process, shared by its threads (a threads pool): a lock keeps one
    thread from reading what another is clearing.
    """

    levels: dict[int, int] = field(default_factory=dict)
    regions: dict[int, frozenset[str]] = field(default_factory=dict)
    # Per (list of titles, region, maturity level): which of the list's titles may be shown.
    masks: dict[tuple[object, str, int], np.ndarray] = field(default_factory=dict)
    fetched_at: float = 0.0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def ensure(self, title_ids: Iterable[int]) -> None:
        with self.lock:
            stale = (
                time.monotonic() - self.fetched_at > settings.RECOMMENDATION_CATALOG_CACHE_SECONDS
            )
            if stale:
                self.levels.clear()
                self.regions.clear()
                self.masks.clear()
                self.fetched_at = time.monotonic()
            missing = [title_id for title_id in title_ids if title_id not in self.levels]
            if missing:
                self._fetch(missing)

    def allows(self, title_id: int, region: str, maturity_level: int) -> bool:
        level = self.levels.get(title_id, ADULTS_ONLY_LEVEL)
        return level <= maturity_level and region in self.regions.get(title_id, ())

    def allowed_items(self, model: ItemModel, region: str, maturity_level: int) -> np.ndarray:
        """A boolean per model item: may it be shown in `region` at `maturity_level`?"""
        return self.allowed(("model", model.version), model.item_ids, region, maturity_level)

    def allowed(
        self, list_key: object, title_ids: np.ndarray, region: str, maturity_level: int
    ) -> np.ndarray:
        """A boolean per title of a list that `list_key` names for as long as it holds."""
        key = (list_key, region, maturity_level)
        with self.lock:
            if key not in self.masks:
                self.masks[key] = np.fromiter(
                    (self.allows(title, region, maturity_level) for title in title_ids.tolist()),
                    dtype=bool,
                    count=len(title_ids),
                )
            return self.masks[key]

    def _fetch(self, title_ids: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT t.id, m.level,
                       ARRAY(SELECT DISTINCT a.region FROM catalog_availability a
                             WHERE a.title_id = t.id AND a.window_start <= now()
                               AND (a.window_end IS NULL OR a.window_end > now()))
                FROM catalog_title t
                LEFT JOIN catalog_maturityrating m ON m.id = t.maturity_rating_id
                WHERE t.id = ANY(%s) AND t.kind IN ('movie', 'series')
                """,
                [title_ids],
            )
            for title_id, level, regions in cursor.fetchall():
                self.levels[title_id] = ADULTS_ONLY_LEVEL if level is None else level
                self.regions[title_id] = frozenset(regions)
        for title_id in title_ids:  # not a movie or series, or gone: never recommended
            self.levels.setdefault(title_id, ADULTS_ONLY_LEVEL + 1)


_FACTS = CatalogFacts()


# ---------------------------------------------------------------------------------------
# Popularity picks: for profiles with little or no history


@dataclass(frozen=True)
class Pick:
    title_id: int
    score: float
    reason: str
    because_you_watched: int | None = None
    link: str = ""  # a new title's Link code: what it shares with because_you_watched


def _cached(key: str, seconds: int, compute: Callable[[], T], *, fresh: bool = False) -> T:
    """`compute()`, kept in the cache for `seconds` (0: not cached); `fresh` recomputes."""
    if seconds <= 0:
        return compute()
    full_key = ":".join(["recommendations", connection.settings_dict["NAME"], key])
    value: T | None = None if fresh else cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, seconds)
    return value


def trending_picks(region: str) -> list[Pick]:
    """The region's trending titles (worldwide when the region has none), best first."""
    return _cached(
        f"trending:{region}",
        settings.RECOMMENDATION_CATALOG_CACHE_SECONDS,
        lambda: _trending_picks(region),
    )


def _trending_picks(region: str) -> list[Pick]:
    for scope in (region, GLOBAL_REGION):
        rows = list(
            TrendingEntry.objects.filter(region=scope)
            .order_by("rank")
            .values_list("title_id", "score")[: settings.RECOMMENDATIONS_PER_PROFILE]
        )
        if rows:
            total = sum(score for _, score in rows) or 1.0
            return [Pick(t, score / total, ReasonKind.TRENDING_NOW) for t, score in rows]
    return []


PopularityLists = dict[tuple[str, str | None], list[tuple[int, float]]]


def popular_picks(region: str, age_band: str, lists: PopularityLists) -> list[Pick]:
    """Movies and series most watched by the segment (region and age band) lately.

    Falls back to the whole region until there are enough (never to the world: these
    are "Popular in your country"); the score is the title's share of the viewing of
    the group it was ranked in.
    """
    wanted = 3 * settings.RECOMMENDATIONS_PER_PROFILE
    seen: set[int] = set()
    picks: list[Pick] = []
    for group in ((region, age_band), (region, None)):
        for title_id, share in lists.get(group, ()):
            if title_id not in seen and len(picks) < wanted:
                seen.add(title_id)
                picks.append(Pick(title_id, share, ReasonKind.POPULAR_IN_YOUR_COUNTRY))
    return picks


def popularity_lists(*, fresh: bool = False) -> PopularityLists:
    """The most watched titles per segment and per region, in one query.

    Over the popularity window, which ends on the last day with viewing (as the
    rankings' does). The query reads weeks of daily rows (seconds at benchmark scale),
    so its result is cached for RECOMMENDATION_POPULARITY_CACHE_SECONDS and recomputed
    by each full refresh (`fresh`), never by a profile's refresh waiting on it.
    """
    return _cached(
        "popular",
        settings.RECOMMENDATION_POPULARITY_CACHE_SECONDS,
        _most_watched_per_segment,
        fresh=fresh,
    )


def _most_watched_per_segment() -> PopularityLists:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH viewing AS (
                SELECT d.region, d.age_band, {UNIT_OF_TITLE} AS item_id,
                       SUM(d.seconds_viewed) AS seconds
                FROM audience_dailytitlestats d
                JOIN catalog_title t ON t.id = d.title_id
                LEFT JOIN catalog_title season ON season.id = t.parent_id
                WHERE d.day > (SELECT MAX(day) FROM audience_dailytitlestats) - %s
                GROUP BY GROUPING SETS ((d.region, d.age_band, item_id), (d.region, item_id))
            ), ranked AS (
                SELECT region, age_band, item_id, seconds,
                       SUM(seconds) OVER (PARTITION BY region, age_band) AS total,
                       ROW_NUMBER() OVER (
                           PARTITION BY region, age_band ORDER BY seconds DESC, item_id
                       ) AS place
                FROM viewing
            )
            SELECT region, age_band, item_id, seconds::float8 / NULLIF(total, 0)
            FROM ranked WHERE place <= %s ORDER BY region, age_band, place
            """,
            [settings.POPULARITY_WINDOW_DAYS, 3 * settings.RECOMMENDATIONS_PER_PROFILE],
        )
        lists: PopularityLists = {}
        for region, age_band, item_id, share in cursor.fetchall():
            lists.setdefault((region, age_band), []).append((item_id, share or 0.0))
    return lists


# ---------------------------------------------------------------------------------------
# Scoring a range of profiles


@dataclass(frozen=True)
class Viewer:
    id: int
    region: str
    age_band: str
    maturity_level: int


@dataclass
class Lists:
    """Per profile: its recommendations, and the new titles ranked for it (best first)."""

    picks: dict[int, list[Pick]]
    new_titles: dict[int, list[Pick]] = field(default_factory=dict)


def recommend(model: ItemModel | None, viewers: list[Viewer], histories: Histories) -> Lists:
    """Every viewer's picks, best first, by the serving rules of this module."""
    size = settings.RECOMMENDATIONS_PER_PROFILE
    profile_ids = np.array([viewer.id for viewer in viewers], dtype=np.int64)
    watched = _watched_by_profile(histories)
    lists = _model_picks(model, viewers, profile_ids, histories, size)
    model_picks = lists.picks
    fills_needed = [viewer for viewer in viewers if len(model_picks[viewer.id]) < size]
    if not fills_needed:
        return lists
    popular = popularity_lists()
    sources = {
        (viewer.region, viewer.age_band): (
            trending_picks(viewer.region),
            popular_picks(viewer.region, viewer.age_band, popular),
        )
        for viewer in fills_needed
    }
    _FACTS.ensure(pick.title_id for lists in sources.values() for picks in lists for pick in picks)
    for viewer in fills_needed:
        model_picks[viewer.id] += _popularity_fill(
            viewer,
            sources[(viewer.region, viewer.age_band)],
            watched.get(viewer.id, set()),
            model_picks[viewer.id],
            size,
        )
    return lists


def _watched_by_profile(histories: Histories) -> dict[int, set[int]]:
    watched: dict[int, set[int]] = {}
    for profile_id, item_id in zip(
        histories.profile_ids.tolist(), histories.item_ids.tolist(), strict=True
    ):
        watched.setdefault(profile_id, set()).add(item_id)
    return watched


def _model_picks(
    model: ItemModel | None,
    viewers: list[Viewer],
    profile_ids: np.ndarray,
    histories: Histories,
    size: int,
) -> Lists:
    lists = Lists(
        picks={viewer.id: [] for viewer in viewers},
        new_titles={viewer.id: [] for viewer in viewers},
    )
    if model is None or len(model.item_ids) == 0 or len(histories) == 0:
        return lists
    order = np.argsort(profile_ids)
    sorted_ids = profile_ids[order]
    history = model.history(histories, sorted_ids)
    titles = np.bincount(
        np.searchsorted(sorted_ids, histories.profile_ids), minlength=len(sorted_ids)
    )
    few = np.flatnonzero((titles > 0) & (titles < settings.RECOMMENDER_FEW_TITLES))
    unlearnt = unlearnt_history(model, histories, sorted_ids, few)
    scores = model.scores(history)
    if unlearnt is not None:
        scores[unlearnt.rows] += unlearnt.scores(model)
    new_title_factors = _few_titles_blended(
        model, [viewers[i] for i in order.tolist()], history, scores, titles, few
    )
    new = new_titles_of(model)
    new_scores = new.scores(model, history) * new_title_factors[:, None]
    _FACTS.ensure([*model.item_ids.tolist(), *new.unknown_ids.tolist()])
    unlearnt_rows = {} if unlearnt is None else {r: i for i, r in enumerate(unlearnt.rows)}
    for row, viewer_index in enumerate(order.tolist()):
        viewer = viewers[viewer_index]
        history_row = history[row]
        if history_row.nnz == 0 and row not in unlearnt_rows:
            continue
        allowed = _FACTS.allowed_items(model, viewer.region, viewer.maturity_level).copy()
        allowed[history_row.indices] = False
        known = np.where(allowed, scores[row], -np.inf)
        unknown = np.where(_allowed_new(new, viewer), new_scores[row], -np.inf)
        order_of_list = served_order(
            known, unknown, size=size, most_new=settings.RECOMMENDATION_NEW_TITLE_PICKS
        )
        explain = _Explainer(model, new, history_row, unlearnt, unlearnt_rows.get(row))
        lists.picks[viewer.id] = explain.picks(order_of_list, known, unknown)
        lists.new_titles[viewer.id] = _new_titles_row(model, new, history_row, known, unknown)
    return lists


def _allowed_new(new: NewTitles, viewer: Viewer) -> np.ndarray:
    return _FACTS.allowed(
        ("new", new.unknown_ids.tobytes()), new.unknown_ids, viewer.region, viewer.maturity_level
    )


def _few_titles_blended(
    model: ItemModel,
    viewers: list[Viewer],
    history: sp.csr_matrix,
    scores: np.ndarray,
    titles: np.ndarray,
    few: np.ndarray,
) -> np.ndarray:
    """Blend, in place, the scores of the `few` rows (profiles with fewer than
    RECOMMENDER_FEW_TITLES titles) with their segment's viewing and their titles' similar
    titles (`blending`).

    Returns the factor per row that keeps new titles' scores (on EASE's scale) comparable:
    the blend scales a profile's EASE scores to a best of 1.
    """
    factors = np.ones(len(titles), dtype=np.float32)
    if len(few) == 0:
        return factors
    best = scores[few].max(axis=1)
    factors[few] = np.where(best > 0, 1.0 / np.where(best > 0, best, 1.0), 1.0)
    blend = FewTitlesBlend(
        settings.RECOMMENDER_FEW_TITLES_PRIOR, settings.RECOMMENDER_NEIGHBOUR_WEIGHT
    )
    segment = _segment_scores(model, [viewers[row] for row in few.tolist()])
    watched = sp.csr_matrix(history[few].astype(bool), dtype=np.float32)
    neighbours = (watched @ _similar_of(model, history[few])).toarray()
    scores[few] = blend.scores(scores[few], titles[few], segment, neighbours)
    return factors


def _segment_scores(model: ItemModel, viewers: list[Viewer]) -> np.ndarray:
    """Each viewer's segment's share of viewing per model item (popularity_lists)."""
    popular = popularity_lists()
    scores = np.zeros((len(viewers), len(model.item_ids)), dtype=np.float32)
    for row, viewer in enumerate(viewers):
        for pick in popular_picks(viewer.region, viewer.age_band, popular):
            column = model.column_of(pick.title_id)
            if column is not None:
                scores[row, column] = max(scores[row, column], pick.score)
    return scores


def _similar_of(model: ItemModel, history: sp.csr_matrix) -> sp.csr_matrix:
    """Watched items x model items: the similar titles the workers stored, by cosine."""
    watched = np.unique(history.indices)
    rows = SimilarTitle.objects.filter(
        title_id__in=model.item_ids[watched].tolist(), link=""
    ).values_list("title_id", "similar_id", "score")
    entries = [
        (model.column_of(title), model.column_of(similar), score) for title, similar, score in rows
    ]
    kept = [(a, b, score) for a, b, score in entries if a is not None and b is not None]
    n = len(model.item_ids)
    if not kept:
        return sp.csr_matrix((n, n), dtype=np.float32)
    a, b, values = zip(*kept, strict=True)
    return sp.csr_matrix((values, (a, b)), shape=(n, n), dtype=np.float32)


@dataclass(frozen=True)
class _Explainer:
    """Why each pick of one profile's list: the title of its history that speaks most."""

    model: ItemModel
    new: NewTitles
    history_row: sp.csr_matrix  # the profile's titles the model learnt
    unlearnt: UnlearntHistory | None
    unlearnt_index: int | None  # the profile's row in `unlearnt`, if it has such titles

    def picks(
        self, order: list[tuple[bool, int]], known: np.ndarray, unknown: np.ndarray
    ) -> list[Pick]:
        known_columns = np.array([c for is_new, c in order if not is_new], dtype=np.int64)
        contributors = dict(
            zip(known_columns.tolist(), self._contributors(known_columns).tolist(), strict=True)
        )
        picks = []
        for is_new, column in order:
            if is_new:
                picks.append(self._new_pick(column, float(unknown[column])))
            else:
                picks.append(
                    Pick(
                        int(self.model.item_ids[column]),
                        float(known[column]),
                        ReasonKind.BECAUSE_YOU_WATCHED,
                        contributors[column],
                    )
                )
        return picks

    def _contributors(self, columns: np.ndarray) -> np.ndarray:
        """The watched (or picked) title behind each known column."""
        if len(columns) == 0:
            return np.zeros(0, dtype=np.int64)
        if self.history_row.nnz:
            learnt = self.model.strongest_contributors(self.history_row, columns)
            return self.model.item_ids[learnt]
        assert self.unlearnt is not None and self.unlearnt_index is not None
        return self.unlearnt.strongest(self.model, self.unlearnt_index, columns)

    def _new_pick(self, column: int, score: float) -> Pick:
        watched, link = self.new.link(self.model, self.history_row, column)
        return Pick(
            int(self.new.unknown_ids[column]),
            score,
            ReasonKind.NEW_LIKE_WATCHED,
            watched,
            "" if link is None else link.code(),
        )


def _new_titles_row(
    model: ItemModel,
    new: NewTitles,
    history_row: sp.csr_matrix,
    known: np.ndarray,
    unknown: np.ndarray,
) -> list[Pick]:
    """The new titles the profile may watch, ranked by the model: EASE for those it learnt,
    the content map for the others."""
    scored = [(float(unknown[c]), int(t)) for c, t in enumerate(new.unknown_ids.tolist())]
    for title_id in np.intersect1d(new.all_ids, model.item_ids).tolist():
        column = model.column_of(title_id)
        if column is not None:
            scored.append((float(known[column]), title_id))
    scored = [entry for entry in scored if np.isfinite(entry[0])]
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    return [
        Pick(title_id, score, ReasonKind.NEW_LIKE_WATCHED)
        for score, title_id in scored[: settings.HOME_ROW_LENGTH]
    ]


def _popularity_fill(
    viewer: Viewer,
    sources: tuple[list[Pick], list[Pick]],
    watched: set[int],
    chosen: list[Pick],
    size: int,
) -> list[Pick]:
    """A few trending titles, then the segment's most watched, then more trending ones."""
    taken = watched | {pick.title_id for pick in chosen}
    fill: list[Pick] = []
    trending, popular = sources
    passes = ((trending, settings.RECOMMENDATION_TRENDING_PICKS), (popular, size), (trending, size))
    for source, room in passes:
        added = 0
        for pick in source:
            if len(chosen) + len(fill) >= size or added >= room:
                break
            if pick.title_id in taken:
                continue
            if _FACTS.allows(pick.title_id, viewer.region, viewer.maturity_level):
                fill.append(pick)
                taken.add(pick.title_id)
                added += 1
    return fill


# ---------------------------------------------------------------------------------------
