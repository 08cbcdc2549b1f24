"""GraphQL enums of the audience app: the models' choices and the home screen's row kinds."""

import strawberry

from audience.models import AgeBand, Device, Gender, RatingValue, ReasonKind, Top10Category
from audience.personalization.home import HomeRowKind

strawberry.enum(AgeBand, name="AgeBand", description="A viewer's age band")
strawberry.enum(Gender, name="Gender")
strawberry.enum(Device, name="Device", description="What a title was watched on")
strawberry.enum(RatingValue, name="RatingValue", description="Thumbs down, thumbs up or love")
strawberry.enum(
    Top10Category, name="Top10Category", description="Films (movies) or TV (each season)"
)
strawberry.enum(
    ReasonKind,
    name="RecommendationReasonKind",
    description="Why a title is recommended: a title the profile watched, or what is popular",
)
strawberry.enum(HomeRowKind, name="HomeRowKind", description="What a row of the home screen holds")

__all__ = [
    "AgeBand",
    "Device",
    "Gender",
    "HomeRowKind",
    "RatingValue",
    "ReasonKind",
    "Top10Category",
]
