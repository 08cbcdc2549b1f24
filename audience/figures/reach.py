"""Viewers like these: whom a title nobody has watched yet is likely to reach.

The recommender's content map (`audience.personalization.content`) predicts, from their
metadata alone, how alike two titles' audiences are. A title's likely audience is the
viewing of the known titles most like it, each title's viewing weighted by its predicted
similarity; a viewer segment's share of that audience, against its share of all viewing,
says whom the title is for (its lift).

Read from the daily title stats the popularity workers keep (every day they hold): one
statement for the neighbours' viewing per segment and everyone's, whatever the number
of titles or segments. A segment is every combination of age band, gender and region,
each dimension either fixed or spanned.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from audience.figures.affinity import Segment
from audience.personalization.model import ItemModel, top_picks
from audience.personalization.title_features import read_title_features
from audience.personalization.training import latest_model
from audience.popularity.query_plans import whole_table_joins

NEIGHBOURS = 50
TOP = 5
# Below these a segment's lift is noise: a handful of viewers who happened to watch the
# titles alike. Viewers count once per title and day (as the daily stats count them).
MIN_SHARE = 0.02
MIN_VIEWERS = 20
# A segment that watches the titles alike no more than its share of all viewing is not
# their audience, however large its share: only lifts above this are listed.
MIN_LIFT = 1.0
# The titles alike that bring a segment the most of its likely viewing, shown as evidence.
EVIDENCE_TITLES = 3

# A segment as (age band, gender, region); None spans the dimension.
SegmentKey = tuple[str | None, str | None, str | None]

# Which dimensions a segment fixes: every combination but the one that spans all three
# (everyone, whose lift is 1 by definition).
_FIXED_DIMENSIONS = [fixed for fixed in itertools.product((True, False), repeat=3) if any(fixed)]


@dataclass(frozen=True)
class SegmentReach:
    """A segment's share of a title's likely audience, and its lift over all viewing."""

    age_band: str | None  # None: every age band
    gender: str | None  # None: every gender; "": the viewers who gave none
    region: str | None  # None: every region
    share: float  # of the likely audience's viewing (seconds weighted by similarity)
    everyone_share: float  # of all the viewing the daily stats hold
    lift: float  # share / everyone_share
    viewers: int  # of the titles alike, once per title and day
    title_ids: tuple[int, ...]  # the titles alike that bring the segment the most viewing

    @property
    def segment(self) -> Segment:
        return Segment(age_band=self.age_band, gender=self.gender, region=self.region)


def viewers_like_these(
    title_id: int, *, neighbours: int = NEIGHBOURS, top: int = TOP
) -> list[SegmentReach]:
    """The `top` segments by lift among the title's likely audience, each a different
    audience (a segment sharing viewers with one listed before it is skipped), among those
    with at least MIN_SHARE of it and MIN_VIEWERS viewers and a lift above MIN_LIFT.

    The likely audience is the viewing of the title's `neighbours` most alike titles of
    the latest model (a positive predicted similarity). Empty without a model, without
    its content map, or without a title alike.
    """
    model = latest_model()
    if model is None or model.content is None:
        return []
    # The features of the model's titles and every day of viewing: whole-catalog reads.
    with whole_table_joins() as cursor:
        alike = most_alike(model, title_id, neighbours)
        if not alike:
            return []
        cursor.execute(_VIEWING, {"ids": list(alike)})
        tallies = _segment_tallies(alike, cursor.fetchall())
    return _top_segments(tallies, top)


def most_alike(model: ItemModel, title_id: int, neighbours: int) -> dict[int, float]:
    """The model's titles most alike the title, best first, with their predicted
    similarity (positive only); empty when the title has no features."""
    assert model.content is not None
    candidates = model.item_ids[model.item_ids != title_id]
    if len(candidates) == 0:
        return {}
    # The token weights depend on the titles read: read the model's, as training did.
    features = read_title_features(np.union1d(model.item_ids, [title_id]))
    row = features.rows(np.array([title_id], dtype=np.int64))
    if row[0] < 0:
        return {}
    similarity = model.content.similarity(features, row, features.rows(candidates))[0]
    picks = top_picks(similarity, np.ones(len(candidates), dtype=bool), neighbours)
    return {int(candidates[pick]): float(similarity[pick]) for pick in picks}


# Per segment (age band, gender, region) and movie or series among the titles alike (NULL
# for any other title): seconds viewed and viewers, over every day of the daily stats. An
# episode counts towards its series.
_VIEWING = """
    WITH units AS (
        SELECT t.id AS title_id, t.id AS unit_id
        FROM catalog_title t
        WHERE t.id = ANY(%(ids)s) AND t.kind = 'movie'
        UNION ALL
        SELECT ep.id, season.parent_id
        FROM catalog_title season
        JOIN catalog_title ep ON ep.parent_id = season.id
        WHERE season.parent_id = ANY(%(ids)s) AND season.kind = 'season'
    )
    SELECT d.age_band, d.gender, d.region, u.unit_id,
           SUM(d.seconds_viewed), SUM(d.viewers)
    FROM audience_dailytitlestats d
    LEFT JOIN units u ON u.title_id = d.title_id
    GROUP BY 1, 2, 3, 4
"""


@dataclass
class _Tally:
    everyone: int = 0  # seconds viewed of every title
    likely: float = 0.0  # seconds viewed of the titles alike x their similarity
    viewers: int = 0  # of the titles alike
    by_title: dict[int, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, other: _Tally) -> None:
        self.everyone += other.everyone
        self.likely += other.likely
        self.viewers += other.viewers
        for title_id, weighted in other.by_title.items():
            self.by_title[title_id] += weighted


def _segment_tallies(
    alike: dict[int, float], rows: list[tuple[str, str, str, int | None, int, int]]
) -> dict[SegmentKey, _Tally]:
    """The viewing of every segment, each dimension fixed or spanned, from `_VIEWING`."""
    finest: dict[SegmentKey, _Tally] = defaultdict(_Tally)
    for age_band, gender, region, unit_id, seconds, viewers in rows:
        tally = finest[(age_band, gender, region)]
        tally.everyone += int(seconds)
        if unit_id is not None:
            weighted = alike[unit_id] * int(seconds)
            tally.likely += weighted
            tally.viewers += int(viewers)
            tally.by_title[unit_id] += weighted
    # A viewer is in one finest segment at a time, so coarser segments are their sums.
    segments: dict[SegmentKey, _Tally] = defaultdict(_Tally)
    for key, tally in finest.items():
        for fixed in _FIXED_DIMENSIONS:
            segments[_coarsened(key, fixed)].add(tally)
        segments[(None, None, None)].add(tally)
    return segments


def _coarsened(key: SegmentKey, fixed: tuple[bool, ...]) -> SegmentKey:
    age_band, gender, region = (
        value if keep else None for value, keep in zip(key, fixed, strict=True)
    )
    return (age_band, gender, region)


def _top_segments(tallies: dict[SegmentKey, _Tally], top: int) -> list[SegmentReach]:
    everyone = tallies.pop((None, None, None), _Tally())
    if everyone.likely <= 0 or everyone.everyone <= 0:
        return []
    reaches = [
        reach
        for reach in (
            _reach(key, tally, everyone)
            for key, tally in tallies.items()
            if tally.likely / everyone.likely >= MIN_SHARE and tally.viewers >= MIN_VIEWERS
        )
        if reach.lift > MIN_LIFT
    ]
    # Highest lift first; on a tie (a finer segment holding all of a coarser one's
    # viewing) the broader segment, which says the same of more viewers.
    reaches.sort(
        key=lambda reach: (
            -round(reach.lift, 6),
            sum(value is not None for value in _key(reach)),
            tuple(value or "" for value in _key(reach)),
        )
    )
    chosen: list[SegmentReach] = []
    for reach in reaches:
        if len(chosen) == top:
            break
        if not any(_overlap(_key(reach), _key(other)) for other in chosen):
            chosen.append(reach)
    return chosen


def _reach(key: SegmentKey, tally: _Tally, everyone: _Tally) -> SegmentReach:
    share = tally.likely / everyone.likely
    everyone_share = tally.everyone / everyone.everyone
    evidence = sorted(tally.by_title.items(), key=lambda item: (-item[1], item[0]))
    age_band, gender, region = key
    return SegmentReach(
        age_band=age_band,
        gender=gender,
        region=region,
        share=share,
        everyone_share=everyone_share,
        lift=share / everyone_share,
        viewers=tally.viewers,
        title_ids=tuple(title_id for title_id, _ in evidence[:EVIDENCE_TITLES]),
    )


def _key(reach: SegmentReach) -> SegmentKey:
    return (reach.age_band, reach.gender, reach.region)


def _overlap(a: SegmentKey, b: SegmentKey) -> bool:
    """Whether some viewer could be in both segments."""
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))
