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
from audience.models.recommendations import (
    ReasonKind,
    Recommendation,
    RecommendationChunk,
    RecommendationRun,
    RecommenderModel,
    SimilarTitle,
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
    "ReasonKind",
    "Recommendation",
    "RecommendationChunk",
    "RecommendationRun",
    "RecommenderModel",
    "SimilarTitle",
    "TitlePopularity",
    "Top10Category",
    "Top10Entry",
    "TrendingEntry",
    "ViewingEvent",
]
