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
from audience.personalization.blending import content_scale
from audience.personalization.content import fit_weights
from audience.personalization.model import (
    Histories,
    ItemModel,
    Parameters,
    Watched,
    coviewing_cosine,
    histories_from,
    history_matrix,
    most_watched_items,
)
from audience.personalization.model import train as train_weights
from audience.personalization.title_features import read_title_features

logger = logging.getLogger(__name__)

METHOD = "ease-recency"
CONTENT_SCALE_PROFILES = 2000

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
# rating of it (0 if none). A taste pick (always a movie or series) counts as watching the
# title when it was picked.
_WATCHED = f"""
    WITH watched AS (
        SELECT profile_id, item_id, MAX(seen_at) AS last_watched
        FROM (
            SELECT e.profile_id, {UNIT_OF_TITLE} AS item_id, e.started_at AS seen_at
            FROM audience_viewingevent e
            JOIN catalog_title t ON t.id = e.title_id
            LEFT JOIN catalog_title season ON season.id = t.parent_id
            WHERE e.profile_id BETWEEN %s AND %s
            UNION ALL
            SELECT p.profile_id, p.title_id, p.picked_at
            FROM audience_tastepick p
            WHERE p.profile_id BETWEEN %s AND %s
        ) history
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
            f"COPY ({_WATCHED}) TO STDOUT", [first_profile_id, last_profile_id] * 2
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
    learn_content(model, histories)
    stored = RecommenderModel.objects.create(
        method=METHOD,
        parameters={**model.parameters.as_dict(), "content": _content_summary(model)},
        trained_at=timezone.now(),
        training_seconds=time.perf_counter() - started,
        profiles=len(np.unique(histories.profile_ids)),
        items=len(items),
        interactions=len(histories),
        weights=model.to_bytes(),
    )
    logger.info("Trained %s on %d pairs, %d items", stored, len(histories), len(items))
    return stored


def learn_content(model: ItemModel, histories: Histories) -> None:
    """Fit the content-to-viewing map on the model's titles, and its scale to EASE's.

    The scale is measured on up to CONTENT_SCALE_PROFILES profiles, enough for a median.
    """
    profile_ids = np.unique(histories.profile_ids)
    binary = history_matrix(histories, profile_ids, model.item_ids, half_life=None)
    features = read_title_features(model.item_ids)
    model.content = fit_weights(features, model.item_ids, coviewing_cosine(binary))
    sample = profile_ids[:: max(1, len(profile_ids) // CONTENT_SCALE_PROFILES)]
    history = model.history(histories, sample)
    rows = features.rows(model.item_ids)
    model.content_scale = content_scale(
        model.scores(history),
        model.content.profile_scores(features, history, rows, rows),
        settings.RECOMMENDATIONS_PER_PROFILE,
    )


def _content_summary(model: ItemModel) -> dict[str, object]:
    if model.content is None:
        return {}
    return {
        "weights": model.content.as_dict(),
        "fit_pairs": model.content.fit_pairs,
        "fit_correlation": round(model.content.fit_correlation, 4),
        "scale": model.content_scale,
    }


def load_model(version: int) -> ItemModel:
    """A stored model, loaded once per worker process."""
    return _load_model(connection.settings_dict["NAME"], version)


@lru_cache(maxsize=2)
def _load_model(database: str, version: int) -> ItemModel:
    stored = RecommenderModel.objects.only("weights").get(pk=version)
    return ItemModel.from_bytes(bytes(stored.weights), version=version)


def latest_model() -> ItemModel | None:
    """The newest model with its weights (a row whose weights were emptied is a record)."""
    version = (
        RecommenderModel.objects.exclude(weights=b"")
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return None if version is None else load_model(version)
