"""The region argument of the audience lists: a country code, or the whole world."""

from __future__ import annotations

import re

import pycountry

from audience.models import GLOBAL_REGION
from config.errors import BadUserInput

WORLDWIDE = "GLOBAL"
_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


def region_code(value: str | None, *, field: str = "region") -> str:
    """The stored region for an API value: "US" for "us", GLOBAL_REGION for "global" or none."""
    if value is None or value.strip().upper() == WORLDWIDE:
        return GLOBAL_REGION
    if _COUNTRY_CODE.fullmatch(value.strip()) is None:
        raise BadUserInput(
            f"Invalid {field}: expected a two-letter ISO 3166-1 code such as US, or GLOBAL.",
            field=field,
        )
    return value.strip().upper()


def region_name(code: str) -> str:
    return code or WORLDWIDE


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


def country_name(code: str) -> str:
    """The country's common English name ("South Korea" for KR); the code if it names none."""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code.upper()
    return str(getattr(country, "common_name", None) or country.name)


def in_region(code: str) -> str:
    """Where a list counts, as headings say it: "in France", "in the United States", "worldwide"."""
    if code == GLOBAL_REGION:
        return "worldwide"
    article = "the " if code.upper() in NAMES_WITH_ARTICLE else ""
    return f"in {article}{country_name(code)}"
