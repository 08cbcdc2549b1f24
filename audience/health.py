"""`/healthz/workers`: are the workers and beat still folding viewing in?

`/healthz` checks what a web process needs (the database, Redis); a worker that died or a
beat that stopped leave it green while no event is folded in and no list refreshed. This
reads the workers' heartbeat instead: beat sends the popularity refresh every
POPULARITY_REFRESH_SECONDS, and every run notes when it ran, new events or none.
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from audience.popularity.refresh import workers_last_checked

# Missed runs before the workers count as stale (a run may wait behind a long task).
STALE_AFTER_PERIODS = 3


def workers_healthz(request: HttpRequest) -> JsonResponse:
    limit = STALE_AFTER_PERIODS * settings.POPULARITY_REFRESH_SECONDS
    checked = workers_last_checked()
    if checked is None:
        never = {"status": "unavailable", "lastRun": None, "ageSeconds": None, "limit": limit}
        return JsonResponse(never, status=503)
    age = (timezone.now() - checked).total_seconds()
    body: dict[str, object] = {
        "status": "ok" if age <= limit else "stale",
        "lastRun": checked.isoformat(),
        "ageSeconds": round(age, 1),
        "limit": limit,
    }
    return JsonResponse(body, status=200 if age <= limit else 503)
