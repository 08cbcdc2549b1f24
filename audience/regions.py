"""The region argument of the audience lists: a country code, or the whole world."""

from __future__ import annotations

import re

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
