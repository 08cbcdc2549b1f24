"""GraphQL enums of the production app: the models' own choices, registered with Strawberry."""

import strawberry

from production.models import (
    AuditionOutcome,
    LocationKind,
    LocationStatus,
    MilestoneKind,
    PostTaskKind,
    PostTaskStatus,
    ShootDayStatus,
    Stage,
)

strawberry.enum(Stage, name="ProductionStage", description="Where a production stands")
strawberry.enum(AuditionOutcome, name="AuditionOutcome")
strawberry.enum(LocationKind, name="LocationKind")
strawberry.enum(LocationStatus, name="LocationStatus")
strawberry.enum(ShootDayStatus, name="ShootDayStatus")
strawberry.enum(PostTaskKind, name="PostTaskKind")
strawberry.enum(PostTaskStatus, name="PostTaskStatus")
strawberry.enum(MilestoneKind, name="MilestoneKind")

__all__ = [
    "AuditionOutcome",
    "LocationKind",
    "LocationStatus",
    "MilestoneKind",
    "PostTaskKind",
    "PostTaskStatus",
    "ShootDayStatus",
    "Stage",
]
