"""Demographics for the MovieLens users, who came without any: a fixed function of the user id.

The rule: the SHA-256 digest of "movielens:<userId>" is cut into four 8-byte numbers
(big-endian). The first, modulo the sum of the region weights, picks the region by walking
the cumulative weights of `REGIONS`; the second picks the age band from `AGE_BANDS`, the
third the gender from `GENDERS` ("" for a user who did not say), all in
audience.generators.vocabulary. The language is the region's; the maturity level is 13 for
the 13-17 band and 18 otherwise. The same id gives the same viewer on every machine and run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from audience.generators import vocabulary as vocab


@dataclass(frozen=True, slots=True)
class Demographics:
    region: str
    language: str
    age_band: str
    gender: str
    maturity_level: int


_Choice = TypeVar("_Choice")


def weighted_pick(number: int, choices: Sequence[_Choice], weights: Sequence[int]) -> _Choice:
    """The choice whose slice of the cumulative weights holds `number` modulo their sum."""
    point = number % sum(weights)
    for choice, weight in zip(choices, weights, strict=True):
        if point < weight:
            return choice
        point -= weight
    raise AssertionError("unreachable: point < sum(weights)")


def movielens_demographics(user_id: int) -> Demographics:
    """The region, language, age band, gender and maturity level of a MovieLens user."""
    digest = hashlib.sha256(f"movielens:{user_id}".encode()).digest()
    region_number, age_number, gender_number = (
        int.from_bytes(digest[start : start + 8], "big") for start in (0, 8, 16)
    )
    region = weighted_pick(region_number, vocab.REGIONS, vocab.REGION_WEIGHTS)
    age_band = weighted_pick(age_number, vocab.AGE_BANDS, vocab.AGE_BAND_WEIGHTS)
    return Demographics(
        region=region,
        language=vocab.REGION_LANGUAGES[region],
        age_band=age_band,
        gender=weighted_pick(gender_number, vocab.GENDERS, vocab.GENDER_WEIGHTS),
        maturity_level=vocab.maturity_level_for(age_band),
    )
