"""Who the synthetic and the imported viewers are: the weights both draw their segments from.

The MovieLens import picks from these tables with a hash of the user id, the generator with
NumPy; both therefore give the same mix of regions, ages, genders and devices. The order of
each list is part of the rules (a weighted pick walks it in order): append, never reorder.
"""

from __future__ import annotations

from audience.models import AgeBand, Device, Gender

# A streaming service's audience by country, weighted roughly by subscribers.
REGIONS = ["US", "GB", "CA", "DE", "FR", "BR", "IN", "JP", "AU", "ES"]
REGION_WEIGHTS = [34, 9, 6, 8, 7, 10, 9, 7, 5, 5]
REGION_LANGUAGES = {
    "US": "en",
    "GB": "en",
    "CA": "en",
    "DE": "de",
    "FR": "fr",
    "BR": "pt",
    "IN": "en",
    "JP": "ja",
    "AU": "en",
    "ES": "es",
}
# Standard time of each region's main population centre, in minutes east of UTC; viewers
# watch by their local clock.
REGION_UTC_OFFSET_MINUTES = {
    "US": -300,
    "GB": 0,
    "CA": -300,
    "DE": 60,
    "FR": 60,
    "BR": -180,
    "IN": 330,
    "JP": 540,
    "AU": 600,
    "ES": 60,
}

AGE_BANDS = [band.value for band in AgeBand]  # 13-17, 18-24, 25-34, 35-44, 45-54, 55+
AGE_BAND_WEIGHTS = [5, 18, 27, 22, 16, 12]

# "" is a profile that did not say.
GENDERS = [Gender.FEMALE.value, Gender.MALE.value, Gender.NON_BINARY.value, ""]
GENDER_WEIGHTS = [45, 44, 2, 9]

DEVICES = [device.value for device in Device]  # TV, web, mobile, tablet, console
DEVICE_WEIGHTS = [48, 16, 22, 9, 5]

# Teen profiles are capped at PG-13-like certificates; everyone else may watch anything.
TEEN_MATURITY_LEVEL = 13
ADULT_MATURITY_LEVEL = 18


def maturity_level_for(age_band: str) -> int:
    """The oldest certificate a profile of this age band may watch."""
    return TEEN_MATURITY_LEVEL if age_band == AgeBand.TEEN else ADULT_MATURITY_LEVEL


def probabilities(weights: list[int]) -> list[float]:
    total = sum(weights)
    return [weight / total for weight in weights]
