"""Synthetic viewers: households (accounts) of one to five profiles, drawn with NumPy.

Profiles of a household share its region (and so its language and time zone); each has
its own age band and gender. Positions in the plan, not database ids, tie a profile to
its household, so the plan depends only on the random stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from audience.generators import vocabulary as vocab

Ints = npt.NDArray[np.int64]

HOUSEHOLD_SIZES = [1, 2, 3, 4, 5]
HOUSEHOLD_SIZE_WEIGHTS = [30, 26, 22, 14, 8]  # 2.4 profiles per account on average


@dataclass(frozen=True)
class ViewerPlan:
    """New profiles, by position; `household` is the position of each one's account."""

    household: Ints
    region: Ints  # index into vocab.REGIONS
    age_band: Ints  # index into vocab.AGE_BANDS
    gender: Ints  # index into vocab.GENDERS
    households: int

    def __len__(self) -> int:
        return len(self.household)


def plan_viewers(count: int, rng: np.random.Generator) -> ViewerPlan:
    """Exactly `count` profiles in households; the last household may be smaller."""
    sizes = np.zeros(0, np.int64)
    while int(sizes.sum()) < count:
        more = rng.choice(
            HOUSEHOLD_SIZES, max(count // 2, 1), p=vocab.probabilities(HOUSEHOLD_SIZE_WEIGHTS)
        )
        sizes = np.concatenate([sizes, more])
    households = int(np.searchsorted(np.cumsum(sizes), count)) + 1 if count else 0
    household = np.repeat(np.arange(households), sizes[:households])[:count]
    regions = rng.choice(
        len(vocab.REGIONS), households, p=vocab.probabilities(vocab.REGION_WEIGHTS)
    )
    return ViewerPlan(
        household=household,
        region=regions[household],
        age_band=rng.choice(
            len(vocab.AGE_BANDS), count, p=vocab.probabilities(vocab.AGE_BAND_WEIGHTS)
        ),
        gender=rng.choice(len(vocab.GENDERS), count, p=vocab.probabilities(vocab.GENDER_WEIGHTS)),
        households=households,
    )
