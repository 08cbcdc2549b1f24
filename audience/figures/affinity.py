"""Genre affinity: how much more (or less) a viewer segment watches each genre than everyone.

Read from the genre hours the popularity workers keep. A title with several genres counts
its hours towards each, in the segment's total as in everyone's, so shares of the two
compare like with like.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from audience.models import GenreSegmentHours
from catalog.models import Genre


@dataclass(frozen=True)
class GenreAffinity:
    genre: Genre
    seconds_viewed: int
    share: float  # of the segment's genre hours
    everyone_share: float
    lift: float | None  # share / everyone_share; None when nobody watched the genre


@dataclass(frozen=True)
class Segment:
    """Viewers of an age band, gender and region; a dimension left as None spans all.

    Gender "" is the viewers who gave none.
    """

    age_band: str | None = None
    gender: str | None = None
    region: str | None = None

    def holds(self, age_band: str, gender: str, region: str) -> bool:
        return (
            self.age_band in (None, age_band)
            and self.gender in (None, gender)
            and self.region in (None, region)
        )


def genre_affinity(segment: Segment) -> list[GenreAffinity]:
    """Every genre's share of the segment's hours and its lift over everyone's share.

    Most over-indexed genres first; genres nobody watched come last with no lift.
    """
    (rows,) = genre_affinities([segment])
    return sorted(rows, key=lambda row: (row.lift is None, -(row.lift or 0.0), row.genre.name))


def genre_affinities(segments: Sequence[Segment]) -> list[list[GenreAffinity]]:
    """For each segment, every genre's affinity, genres by name: two queries in all.

    The genre hours table holds a row per segment and genre (thousands, not millions),
    so it is read whole and summed here.
    """
    hours = list(
        GenreSegmentHours.objects.order_by().values_list(
            "age_band", "gender", "region", "genre_id", "seconds_viewed"
        )
    )
    everyone = _seconds_by_genre(hours, Segment())
    everyone_total = sum(everyone.values())
    genres = list(Genre.objects.order_by("name"))
    affinities = []
    for segment in segments:
        in_segment = _seconds_by_genre(hours, segment)
        segment_total = sum(in_segment.values())
        affinities.append(
            [
                _affinity(genre, in_segment, segment_total, everyone, everyone_total)
                for genre in genres
            ]
        )
    return affinities


def _affinity(
    genre: Genre,
    in_segment: dict[int, int],
    segment_total: int,
    everyone: dict[int, int],
    everyone_total: int,
) -> GenreAffinity:
    seconds = in_segment.get(genre.pk, 0)
    share = seconds / segment_total if segment_total else 0.0
    everyone_share = everyone.get(genre.pk, 0) / everyone_total if everyone_total else 0.0
    lift = share / everyone_share if everyone_share else None
    return GenreAffinity(genre, seconds, share, everyone_share, lift)


def _seconds_by_genre(
    hours: list[tuple[str, str, str, int, int]], segment: Segment
) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for age_band, gender, region, genre_id, seconds in hours:
        if segment.holds(age_band, gender, region):
            totals[genre_id] += seconds
    return totals
