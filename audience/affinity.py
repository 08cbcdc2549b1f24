"""Genre affinity: how much more (or less) a viewer segment watches each genre than everyone.

Read from the genre hours the popularity workers keep. A title with several genres counts
its hours towards each, in the segment's total as in everyone's, so shares of the two
compare like with like.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, Sum

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
    """Viewers of an age band, gender and region; a dimension left as None spans all."""

    age_band: str | None = None
    gender: str | None = None
    region: str | None = None

    def as_filter(self) -> Q:
        conditions = {
            name: value
            for name, value in (
                ("age_band", self.age_band),
                ("gender", self.gender),
                ("region", self.region),
            )
            if value is not None
        }
        return Q(**conditions)


def genre_affinity(segment: Segment) -> list[GenreAffinity]:
    """Every genre's share of the segment's hours and its lift over everyone's share.

    Most over-indexed genres first; genres nobody watched come last with no lift.
    """
    everyone = _seconds_by_genre(Q())
    in_segment = _seconds_by_genre(segment.as_filter())
    everyone_total = sum(everyone.values())
    segment_total = sum(in_segment.values())
    rows = []
    for genre in Genre.objects.order_by("name"):
        seconds = in_segment.get(genre.pk, 0)
        share = seconds / segment_total if segment_total else 0.0
        everyone_share = everyone.get(genre.pk, 0) / everyone_total if everyone_total else 0.0
        lift = share / everyone_share if everyone_share else None
        rows.append(GenreAffinity(genre, seconds, share, everyone_share, lift))
    return sorted(rows, key=lambda row: (row.lift is None, -(row.lift or 0.0), row.genre.name))


def _seconds_by_genre(segment: Q) -> dict[int, int]:
    totals = (
        GenreSegmentHours.objects.filter(segment)
        .values("genre_id")
        .annotate(seconds=Sum("seconds_viewed"))
    )
    return {row["genre_id"]: int(row["seconds"]) for row in totals}
