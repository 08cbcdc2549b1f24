from audience.models.aggregates import (
    GLOBAL_REGION,
    AggregationWatermark,
    DailyTitleStats,
    GenreSegmentHours,
    TitlePopularity,
    Top10Category,
    Top10Entry,
    TrendingEntry,
)
from audience.models.events import Device, ViewingEvent
from audience.models.profiles import (
    AgeBand,
    Gender,
    MyListEntry,
    Profile,
    ProfileSource,
    Rating,
    RatingValue,
)

__all__ = [
    "GLOBAL_REGION",
    "AgeBand",
    "AggregationWatermark",
    "DailyTitleStats",
    "Device",
    "Gender",
    "GenreSegmentHours",
    "MyListEntry",
    "Profile",
    "ProfileSource",
    "Rating",
    "RatingValue",
    "TitlePopularity",
    "Top10Category",
    "Top10Entry",
    "TrendingEntry",
    "ViewingEvent",
]
