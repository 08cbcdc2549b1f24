"""Workers of the production app: the greenlight scorecards.

A scorecard is computed here, never on a request (`production.greenlight`); the services
send a refresh by name once a change to its inputs commits
(`production.services.refresh_scorecard_after_commit`).
"""

from __future__ import annotations

from celery import group, shared_task

from config.celery.retries import retried_on_transient_errors
from production.greenlight.refresh import scorecard_refresh
from production.models import ENDED_STAGES, Production


@shared_task(name="production.tasks.refresh_greenlight_scorecard")
@retried_on_transient_errors
def refresh_greenlight_scorecard(production_id: int) -> dict[str, object]:
    """Recompute one production's greenlight scorecard from its current inputs.

    Idempotent: the row is rewritten only when the inputs' fingerprint changed, so a
    second run with the same inputs writes nothing. Safe to run concurrently: a
    transaction-scoped advisory lock per production is held from reading the inputs to
    writing the row, so runs for one production follow each other and the last reads the
    newest inputs. Retried on database and broker errors.
    """
    return scorecard_refresh(production_id).as_dict()


@shared_task(name="production.tasks.refresh_greenlight_scorecards")
@retried_on_transient_errors
def refresh_greenlight_scorecards() -> dict[str, object]:
    """Send a scorecard refresh for every production that is neither released nor
    cancelled (their scorecards stay as last computed)."""
    production_ids = list(
        Production.objects.exclude(stage__in=ENDED_STAGES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if production_ids:
        group(refresh_greenlight_scorecard.s(pk) for pk in production_ids)()
    return {"productions": len(production_ids)}
