"""The audience's figures: the one place other apps read the audience from.

How titles performed over a window, for everyone or for viewer segments
(`track_records`); how much more a segment watches each genre than everyone
(`affinity`); what the staff pages show about a title and the audience (`insights`).
Other apps import from this package alone, never from the audience's other wings, so
that popularity and personalization can change their tables and workers freely.
"""

from audience.figures.affinity import GenreAffinity, Segment, genre_affinities, genre_affinity
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
    "Segment",
    "TitleViews",
    "TypicalViews",
    "ViewingWindow",
    "genre_affinities",
    "genre_affinity",
    "latest_viewing_day",
    "title_views",
    "typical_views_by_kind",
]
