"""GraphQL enums of the catalog: the models' own choices, registered with Strawberry.

`strawberry.enum` marks the class it is given and returns it, so the names below
are the model choice classes themselves and type-check as such.
"""

import strawberry

from catalog.models import (
    ArtworkKind,
    Department,
    ExternalIdSource,
    RoleType,
    TitleKind,
    TitleStatus,
)

strawberry.enum(TitleKind, name="TitleKind", description="What a title is")
strawberry.enum(TitleStatus, name="TitleStatus", description="Where a title is in its life")
strawberry.enum(RoleType, name="RoleType", description="Cast or crew")
strawberry.enum(Department, name="Department", description="The crew department of a credit")
strawberry.enum(ArtworkKind, name="ArtworkKind")
strawberry.enum(ExternalIdSource, name="ExternalIdSource")

__all__ = ["ArtworkKind", "Department", "ExternalIdSource", "RoleType", "TitleKind", "TitleStatus"]
