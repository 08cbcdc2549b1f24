"""GraphQL enums of the audience app: the models' own choices, registered with Strawberry."""

import strawberry

from audience.models import AgeBand, Device, Gender, RatingValue, Top10Category

strawberry.enum(AgeBand, name="AgeBand", description="A viewer's age band")
strawberry.enum(Gender, name="Gender")
strawberry.enum(Device, name="Device", description="What a title was watched on")
strawberry.enum(RatingValue, name="RatingValue", description="Thumbs down, thumbs up or love")
strawberry.enum(
    Top10Category, name="Top10Category", description="Films (movies) or TV (each season)"
)

__all__ = ["AgeBand", "Device", "Gender", "RatingValue", "Top10Category"]
