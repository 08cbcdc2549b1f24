"""A production's greenlight scorecard recomputed from its current inputs and stored:
what the worker runs (`production.tasks`), one production at a time."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.utils import timezone

from production.greenlight import scoring as greenlight
from production.greenlight.figures import SCORING_VERSION_KEY
from production.greenlight.inputs import greenlight_inputs
from production.models import GreenlightScorecard, Production

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock keys of the scorecard refresh: "gree" in ASCII in the high 32
# bits, the production id in the low 32.
LOCK_NAMESPACE = 0x67726565


@dataclass(frozen=True)
class ScorecardRefresh:
    """What a refresh did: `written` is False when the inputs had not changed."""

    production_id: int
    written: bool
    recommendation: str | None = None
    fingerprint: str | None = None
    missing: bool = False  # the production no longer exists

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def scorecard_lock_key(production_id: int) -> int:
    return (LOCK_NAMESPACE << 32) | (production_id & 0xFFFFFFFF)


def scorecard_refresh(production_id: int) -> ScorecardRefresh:
    """What `refresh_greenlight_scorecard` does, in-process."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [scorecard_lock_key(production_id)])
        production = Production.objects.select_related("title").filter(pk=production_id).first()
        if production is None:
            return ScorecardRefresh(production_id, written=False, missing=True)
        inputs = greenlight_inputs(production, today=timezone.now().date())
        fingerprint = greenlight.inputs_fingerprint(inputs)
        stored = (
            GreenlightScorecard.objects.filter(production=production)
            .values_list("inputs_fingerprint", "recommendation")
            .first()
        )
        if stored is not None and stored[0] == fingerprint:
            return ScorecardRefresh(production_id, False, stored[1], fingerprint)
        card = greenlight.scorecard(inputs)
        GreenlightScorecard.objects.update_or_create(
            production=production,
            defaults={
                "recommendation": card.recommendation,
                "score": card.score.value,
                "reasons": card.reasons,
                "figures": {**card.figures(), SCORING_VERSION_KEY: greenlight.SCORING_VERSION},
                "inputs_fingerprint": fingerprint,
                "computed_at": timezone.now(),
            },
        )
    logger.info("Greenlight scorecard of production %d: %s", production_id, card.recommendation)
    return ScorecardRefresh(production_id, True, card.recommendation, fingerprint)
