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
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from audience.models import (
    GLOBAL_REGION,
    ReasonKind,
    TrendingEntry,
)
from audience.personalization.model import (
    Histories,
    ItemModel,
    top_picks,
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
    # Per (model version, region, maturity level): which of the model's items may be shown.
    masks: dict[tuple[int | None, str, int], np.ndarray] = field(default_factory=dict)
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
        key = (model.version, region, maturity_level)
        with self.lock:
            if key not in self.masks:
                self.masks[key] = np.fromiter(
                    (self.allows(item, region, maturity_level) for item in model.item_ids.tolist()),
                    dtype=bool,
                    count=len(model.item_ids),
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


def recommend(
    model: ItemModel | None, viewers: list[Viewer], histories: Histories
) -> dict[int, list[Pick]]:
    """Every viewer's picks, best first, by the serving rules of this module."""
    size = settings.RECOMMENDATIONS_PER_PROFILE
    profile_ids = np.array([viewer.id for viewer in viewers], dtype=np.int64)
    watched = _watched_by_profile(histories)
    model_picks = _model_picks(model, viewers, profile_ids, histories, size)
    fills_needed = [viewer for viewer in viewers if len(model_picks[viewer.id]) < size]
    if not fills_needed:
        return model_picks
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
    return model_picks


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
) -> dict[int, list[Pick]]:
    picks: dict[int, list[Pick]] = {viewer.id: [] for viewer in viewers}
    if model is None or len(model.item_ids) == 0 or len(histories) == 0:
        return picks
    order = np.argsort(profile_ids)
    sorted_ids = profile_ids[order]
    history = model.history(histories, sorted_ids)
    scores = model.scores(history)
    _FACTS.ensure(model.item_ids.tolist())
    for row, viewer_index in enumerate(order.tolist()):
        viewer = viewers[viewer_index]
        history_row = history[row]
        if history_row.nnz == 0:
            continue
        allowed = _FACTS.allowed_items(model, viewer.region, viewer.maturity_level).copy()
        allowed[history_row.indices] = False
        columns = top_picks(scores[row], allowed, size)
        if len(columns) == 0:
            continue
        contributors = model.strongest_contributors(history_row, columns)
        picks[viewer.id] = [
            Pick(
                int(model.item_ids[column]),
                float(scores[row, column]),
                ReasonKind.BECAUSE_YOU_WATCHED,
                int(model.item_ids[contributor]),
            )
            for column, contributor in zip(columns.tolist(), contributors.tolist(), strict=True)
        ]
    return picks


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
