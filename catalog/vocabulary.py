"""The one genre vocabulary and the maturity certificates that every source maps onto.

The sample import and the synthetic generator both create what is missing from here, so
a catalog holds the same genres and certificates whichever filled it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.utils.text import slugify

from catalog.models import Genre, MaturityRating

GENRE_NAMES = (
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "Film Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Science Fiction",
    "Short",
    "Thriller",
    "War",
    "Western",
)


class Certificate(NamedTuple):
    system: str
    code: str
    level: int  # orders certificates across systems by the youngest audience they admit
    description: str


MPAA_SYSTEM = "MPAA"
MPAA_CERTIFICATES = (
    Certificate(MPAA_SYSTEM, "G", 0, "General Audiences"),
    Certificate(MPAA_SYSTEM, "PG", 8, "Parental Guidance Suggested"),
    Certificate(MPAA_SYSTEM, "PG-13", 13, "Parents Strongly Cautioned"),
    Certificate(MPAA_SYSTEM, "R", 17, "Restricted"),
    Certificate(MPAA_SYSTEM, "NC-17", 18, "Adults Only"),
)
US_TV_CERTIFICATES = (
    Certificate("US-TV", "TV-Y", 0, "All Children"),
    Certificate("US-TV", "TV-G", 0, "General Audience"),
    Certificate("US-TV", "TV-PG", 8, "Parental Guidance Suggested"),
    Certificate("US-TV", "TV-14", 14, "Parents Strongly Cautioned"),
    Certificate("US-TV", "TV-MA", 17, "Mature Audience Only"),
)


def ensure_genres() -> tuple[dict[str, int], int]:
    """Genre ids by vocabulary name, creating the missing genres; and how many were created.

    A genre staff renamed keeps its slug, so it is found by slug and not created twice.
    """
    slugs = {name: slugify(name) for name in GENRE_NAMES}
    existing = Genre.objects.filter(name__in=GENRE_NAMES) | Genre.objects.filter(
        slug__in=slugs.values()
    )
    by_name = {genre.name: genre.pk for genre in existing}
    by_slug = {genre.slug: genre.pk for genre in existing}
    missing = [
        Genre(name=name, slug=slug)
        for name, slug in slugs.items()
        if name not in by_name and slug not in by_slug
    ]
    Genre.objects.bulk_create(missing)
    by_name.update({genre.name: genre.pk for genre in missing})
    genre_ids = {name: by_name.get(name) or by_slug[slug] for name, slug in slugs.items()}
    return genre_ids, len(missing)


def ensure_certificates(
    certificates: Iterable[Certificate],
) -> tuple[dict[tuple[str, str], int], int]:
    """Rating ids by (system, code), creating the missing ones; and how many were created."""
    certificates = list(certificates)
    systems = {certificate.system for certificate in certificates}
    existing = {
        (system, code): pk
        for system, code, pk in MaturityRating.objects.filter(system__in=systems).values_list(
            "system", "code", "id"
        )
    }
    missing = [
        MaturityRating(**certificate._asdict())
        for certificate in certificates
        if (certificate.system, certificate.code) not in existing
    ]
    MaturityRating.objects.bulk_create(missing)
    existing.update({(rating.system, rating.code): rating.pk for rating in missing})
    return existing, len(missing)
