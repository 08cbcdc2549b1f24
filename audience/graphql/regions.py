"""The region argument of the audience lists as the API spells it: a country code
(`catalog.regions`), or GLOBAL for the whole world, stored as a blank region."""

from __future__ import annotations

from audience.models import GLOBAL_REGION
from catalog.regions import is_country_code
from config.errors import BadUserInput

WORLDWIDE = "GLOBAL"


def region_code(value: str | None, *, field: str = "region") -> str:
    """The stored region for an API value: "US" for "us", GLOBAL_REGION for "global" or none."""
    if value is None or value.strip().upper() == WORLDWIDE:
        return GLOBAL_REGION
    if not is_country_code(value.strip()):
        raise BadUserInput(
            f"Invalid {field}: expected a two-letter ISO 3166-1 code such as US, or GLOBAL.",
            field=field,
        )
    return value.strip().upper()


def region_name(code: str) -> str:
    return code or WORLDWIDE
