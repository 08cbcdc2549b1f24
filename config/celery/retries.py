"""Workers retry a task that met a transient error in the same process, not by message.

Celery's `autoretry_for` sends the task again with a countdown: a message that a worker
holds unacknowledged until its time comes. Such a delayed message is what killed a worker
in kombu's restore of unacknowledged messages when Redis restarted (see
`tests/audience/test_broker_restart.py`), so no task here leaves one behind. The tasks are
idempotent, and beat sends the periodic ones again anyway; these retries only save the
wait for the next turn.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# A dropped database connection, a failover, a broker hiccup: worth another try.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)
ATTEMPTS = 6  # the first and five more
LONGEST_PAUSE_SECONDS = 120.0

P = ParamSpec("P")
R = TypeVar("R")


def retried_on_transient_errors(run: Callable[P, R]) -> Callable[P, R]:
    """`run`, tried again after a transient error: pauses double from
    TASK_RETRY_FIRST_PAUSE_SECONDS up to two minutes, with jitter; the last error is raised."""

    @functools.wraps(run)
    def with_retries(*args: P.args, **kwargs: P.kwargs) -> R:
        pause: float = settings.TASK_RETRY_FIRST_PAUSE_SECONDS
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return run(*args, **kwargs)
            except TRANSIENT_ERRORS:
                if attempt == ATTEMPTS:
                    raise
                wait = min(pause, LONGEST_PAUSE_SECONDS) * random.uniform(0.5, 1.0)
                logger.warning(
                    "%s met a transient error (attempt %d of %d); trying again in %.1f s",
                    run.__name__, attempt, ATTEMPTS, wait, exc_info=True,
                )  # fmt: skip
                close_old_connections()  # a broken connection is not reused
                time.sleep(wait)
                pause *= 2
        raise AssertionError("unreachable")

    return with_retries
