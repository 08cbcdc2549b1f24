"""What exists in the catalog: titles, the people who make them, and where they can be watched."""

from catalog.models.availability import Artwork, ArtworkKind, Availability
from catalog.models.people import (
    STANDARD_JOBS,
    Award,
    Credit,
    Department,
    Person,
    RoleType,
)
from catalog.models.titles import (
    PARENT_KIND,
    ExternalId,
    ExternalIdSource,
    Genre,
    Keyword,
    MaturityRating,
    Title,
    TitleKind,
    TitleStatus,
)

__all__ = [
    "PARENT_KIND",
    "STANDARD_JOBS",
    "Artwork",
    "ArtworkKind",
    "Availability",
    "Award",
    "Credit",
    "Department",
    "ExternalId",
    "ExternalIdSource",
    "Genre",
    "Keyword",
    "MaturityRating",
    "Person",
    "RoleType",
    "Title",
    "TitleKind",
    "TitleStatus",
]
