"""GraphQL enums of the catalog, made from the models' choices."""

import strawberry

from catalog import models

TitleKind = strawberry.enum(models.TitleKind, name="TitleKind", description="What a title is")
TitleStatus = strawberry.enum(
    models.TitleStatus, name="TitleStatus", description="Where a title is in its life"
)
RoleType = strawberry.enum(models.RoleType, name="RoleType", description="Cast or crew")
Department = strawberry.enum(
    models.Department, name="Department", description="The crew department of a credit"
)
ArtworkKind = strawberry.enum(models.ArtworkKind, name="ArtworkKind")
ExternalIdSource = strawberry.enum(models.ExternalIdSource, name="ExternalIdSource")
