"""The audience's figures: the one place other apps read the audience from.

How titles performed over a window, for everyone or for viewer segments
(`track_records`); how much more a segment watches each genre than everyone
(`affinity`); which segments a title nobody has watched yet is likely to reach, by the
known titles its metadata makes it most like (`reach`); what the staff pages show about
a title and the audience (`insights`); the audience as it stood at a past moment, for
the greenlight backtest (`history`).
Other apps import from this package alone, never from the audience's other wings, so
that popularity and personalization can change their tables and workers freely.
"""

from audience.figures.affinity import GenreAffinity, Segment, genre_affinities, genre_affinity
from audience.figures.history import (
    GenreViewing,
    ViewerSpan,
    distinct_viewers,
    genre_viewing,
    sample_time_shift,
)
from audience.figures.reach import SegmentReach, viewers_like_these
from audience.figures.track_records import (
    TitleViews,
    TypicalViews,
    ViewingWindow,
    latest_viewing_day,
    title_views,
    typical_views_by_kind,
)

__all__ = [
    "GenreAffinity",
    "GenreViewing",
    "Segment",
    "SegmentReach",
    "TitleViews",
    "TypicalViews",
    "ViewerSpan",
    "ViewingWindow",
    "distinct_viewers",
    "genre_affinities",
    "genre_affinity",
    "genre_viewing",
    "latest_viewing_day",
    "sample_time_shift",
    "title_views",
    "typical_views_by_kind",
    "viewers_like_these",
]
