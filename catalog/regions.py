"""Regions, the one rule for the whole product: a region is an ISO 3166-1 alpha-2 country
code, stored upper-case. Titles are offered per region (`Availability`), productions
released and aimed at regions, audiences counted per region."""

from __future__ import annotations

import pycountry
from django.core.exceptions import ValidationError

COUNTRY_CODE_EXPECTED = "Expected a two-letter ISO 3166-1 region code such as US."

# Countries whose English name takes "the" in a heading ("Top 10 in the United States").
NAMES_WITH_ARTICLE = frozenset(
    {
        "AE",
        "AX",
        "BQ",
        "BS",
        "CC",
        "CD",
        "CF",
        "CG",
        "CK",
        "CZ",
        "DO",
        "FK",
        "FO",
        "GB",
        "GM",
        "GS",
        "HM",
        "KM",
        "KY",
        "MH",
        "MP",
        "MV",
        "NL",
        "PH",
        "SB",
        "TC",
        "TF",
        "UM",
        "US",
        "VG",
        "VI",
    }
)


def is_country_code(code: str) -> bool:
    """Whether `code` (in either case) is an assigned ISO 3166-1 alpha-2 country code."""
    return (
        len(code) == 2
        and code.isascii()
        and code.isalpha()
        and pycountry.countries.get(alpha_2=code.upper()) is not None
    )


def validate_country_code(code: str) -> None:
    """A Django validator of the rule, for model fields and filters."""
    if not is_country_code(code.strip()):
        raise ValidationError(COUNTRY_CODE_EXPECTED, code="invalid_region")


def country_name(code: str) -> str:
    """The country's common English name ("South Korea" for KR); the code if it names none."""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code.upper()
    return str(getattr(country, "common_name", None) or country.name)


def in_region(code: str) -> str:
    """Where a figure counts, as headings say it: "in France", "in the United States", or
    "worldwide" for a blank region."""
    if not code:
        return "worldwide"
    article = "the " if code.upper() in NAMES_WITH_ARTICLE else ""
    return f"in {article}{country_name(code)}"
