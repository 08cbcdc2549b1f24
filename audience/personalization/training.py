"""The recommendation model as the workers train and store it: every profile's viewing
and ratings read from PostgreSQL into arrays (`audience.personalization.model` does the
mathematics), the model trained on them, saved, and loaded back by version.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audience.models import (
    RatingValue,
    RecommenderModel,
)
from audience.personalization.model import (
    Histories,
    ItemModel,
    Parameters,
    Watched,
    histories_from,
    most_watched_items,
)
from audience.personalization.model import train as train_weights

logger = logging.getLogger(__name__)

METHOD = "ease-recency"

# How much a rating moves a watched title's weight in the profile's history; tuned on the
# MovieLens validation split (docs/benchmarks.md).
RATING_FACTORS: dict[int, float] = {
    RatingValue.THUMBS_DOWN: 0.3,
    RatingValue.THUMBS_UP: 1.0,
    RatingValue.LOVE: 1.3,
}

# A viewing event's title as the recommendations see it: a movie, or an episode's series.
UNIT_OF_TITLE = "CASE WHEN t.kind = 'episode' THEN season.parent_id ELSE t.id END"

# Per profile and movie or series: when it last watched it (epoch seconds) and its
# rating of it (0 if none).
_WATCHED = f"""
    WITH watched AS (
        SELECT e.profile_id, {UNIT_OF_TITLE} AS item_id, MAX(e.started_at) AS last_watched
        FROM audience_viewingevent e
        JOIN catalog_title t ON t.id = e.title_id
        LEFT JOIN catalog_title season ON season.id = t.parent_id
        WHERE e.profile_id BETWEEN %s AND %s
        GROUP BY 1, 2
    )
    SELECT w.profile_id, w.item_id, FLOOR(EXTRACT(EPOCH FROM w.last_watched))::bigint,
           COALESCE(r.value, 0)
    FROM watched w
    LEFT JOIN audience_rating r ON r.profile_id = w.profile_id AND r.title_id = w.item_id
"""


def read_watched(first_profile_id: int = 0, last_profile_id: int = 2**62) -> Watched:
    """What the profiles with ids in [first, last] watched, straight into arrays.

    COPY's text output parses into NumPy in one pass, which keeps reading ten million
    events within seconds and without a Python object per row.
    """
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY ({_WATCHED}) TO STDOUT", [first_profile_id, last_profile_id]
        ) as copy,
    ):
        text = b"".join(bytes(block) for block in copy)
    values = np.fromstring(text, dtype=np.int64, sep=" ") if text else np.zeros(0, np.int64)  # type: ignore[call-overload]
    rows = values.reshape(-1, 4)
    return Watched(*(rows[:, column].copy() for column in range(4)))


def read_histories(first_profile_id: int = 0, last_profile_id: int = 2**62) -> Histories:
    """The histories of the profiles with ids in [first, last], as the model reads them."""
    return histories_from(read_watched(first_profile_id, last_profile_id), RATING_FACTORS)


def model_parameters() -> Parameters:
    return Parameters(
        l2=settings.RECOMMENDER_L2,
        half_life=settings.RECOMMENDER_HALF_LIFE,
        neighbours=settings.RECOMMENDER_NEIGHBOURS,
    )


def train_model() -> RecommenderModel:
    """Learn a new model from every profile's history and store it as the next version."""
    started = time.perf_counter()
    histories = read_histories()
    items = most_watched_items(
        histories,
        limit=settings.RECOMMENDER_MAX_ITEMS,
        min_viewers=settings.RECOMMENDER_MIN_VIEWERS,
    )
    model = train_weights(histories, items, model_parameters())
    stored = RecommenderModel.objects.create(
        method=METHOD,
        parameters=model.parameters.as_dict(),
        trained_at=timezone.now(),
        training_seconds=time.perf_counter() - started,
        profiles=len(np.unique(histories.profile_ids)),
        items=len(items),
        interactions=len(histories),
        weights=model.to_bytes(),
    )
    logger.info("Trained %s on %d pairs, %d items", stored, len(histories), len(items))
    return stored


def load_model(version: int) -> ItemModel:
    """A stored model, loaded once per worker process."""
    return _load_model(connection.settings_dict["NAME"], version)


@lru_cache(maxsize=2)
def _load_model(database: str, version: int) -> ItemModel:
    stored = RecommenderModel.objects.only("weights").get(pk=version)
    return ItemModel.from_bytes(bytes(stored.weights), version=version)


def latest_model() -> ItemModel | None:
    version = RecommenderModel.objects.order_by("-id").values_list("id", flat=True).first()
    return None if version is None else load_model(version)
