"""Workers of the audience app: they alone write the popularity aggregates."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from audience import popularity

# A dropped database connection, a failover, a broker hiccup: worth another try.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)
RETRY_OPTIONS: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="audience.tasks.refresh_popularity", **RETRY_OPTIONS)
def refresh_popularity() -> dict[str, object]:
    """Fold viewing events newer than the watermark into the aggregates (see popularity)."""
    return popularity.refresh_popularity().as_dict()


@shared_task(name="audience.tasks.refresh_rankings", **RETRY_OPTIONS)
def refresh_rankings() -> dict[str, object]:
    """Re-rank trending and title popularity over their windows, if new events came in."""
    return popularity.refresh_rankings().as_dict()


@shared_task(name="audience.tasks.rebuild_popularity", **RETRY_OPTIONS)
def rebuild_popularity() -> dict[str, object]:
    """Recompute every aggregate from all viewing events."""
    return popularity.rebuild_popularity().as_dict()
