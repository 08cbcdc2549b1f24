"""Workers of the audience app: they alone write the popularity aggregates, the
recommendations and the similar titles."""

from __future__ import annotations

import logging

from celery import group, shared_task

from audience.personalization import refresh as recommendations
from audience.personalization import similar_titles
from audience.popularity import refresh as popularity
from config.celery.retries import retried_on_transient_errors

logger = logging.getLogger(__name__)


@shared_task(name="audience.tasks.refresh_popularity")
@retried_on_transient_errors
def refresh_popularity() -> dict[str, object]:
    """Fold viewing events newer than the watermark into the aggregates (see popularity)."""
    return popularity.refresh_popularity().as_dict()


@shared_task(name="audience.tasks.refresh_rankings")
@retried_on_transient_errors
def refresh_rankings() -> dict[str, object]:
    """Re-rank trending and title popularity over their windows, if new events came in."""
    return popularity.refresh_rankings().as_dict()


@shared_task(name="audience.tasks.rebuild_popularity")
@retried_on_transient_errors
def rebuild_popularity() -> dict[str, object]:
    """Recompute every aggregate from all viewing events."""
    return popularity.rebuild_popularity().as_dict()


@shared_task(name="audience.tasks.refresh_recommendations")
@retried_on_transient_errors
def refresh_recommendations() -> dict[str, object]:
    """Train a new model, then score every profile in chunks, one task per chunk.

    While an earlier run is unfinished, no model is trained and that run's chunks still
    to score are sent again (see recommendations.start_full_refresh).
    """
    report = recommendations.start_full_refresh()
    if report.chunk_ids:
        group(refresh_recommendation_chunk.s(chunk_id) for chunk_id in report.chunk_ids)()
    return report.as_dict()


@shared_task(name="audience.tasks.refresh_recommendation_chunk")
@retried_on_transient_errors
def refresh_recommendation_chunk(chunk_id: int) -> dict[str, object]:
    """Score one chunk of profiles of a full refresh (once, whoever runs it)."""
    return recommendations.refresh_chunk(chunk_id).as_dict()


@shared_task(name="audience.tasks.refresh_profile_recommendations")
@retried_on_transient_errors
def refresh_profile_recommendations(profile_id: int) -> dict[str, object]:
    """Recompute one profile's recommendations now."""
    return recommendations.refresh_profile(profile_id).as_dict()


@shared_task(name="audience.tasks.refresh_due_recommendations")
@retried_on_transient_errors
def refresh_due_recommendations() -> dict[str, object]:
    """Refresh the profiles whose new viewing is due (see recommendations_due); beat runs
    it every RECOMMENDATION_SWEEP_SECONDS, so a refresh comes that much after its due time
    at most. Idempotent and safe beside itself (SKIP LOCKED)."""
    return recommendations.refresh_due_profiles().as_dict()


@shared_task(name="audience.tasks.refresh_similar_titles")
@retried_on_transient_errors
def refresh_similar_titles() -> dict[str, object]:
    return similar_titles.refresh_similar_titles().as_dict()
