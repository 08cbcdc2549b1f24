"""The one way the apps start a worker after a change: once the change commits.

A service that changes what a task computes from calls `send_after_commit` with the
task's registered name inside its transaction. Sending by name keeps the domain free of
task modules (which may read other apps); Celery routes the message to the task.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from config.celery import app

_paused: ContextVar[bool] = ContextVar("sending_paused", default=False)


def send_after_commit(task_name: str, *args: object) -> None:
    """Send `task_name(*args)` once the current transaction commits (at once outside one).

    A broker failure is logged and never fails the change that called it (`robust`): the
    task's periodic run catches up. Within `sending_paused()` nothing is sent.
    """
    if _paused.get():
        return

    # A named function, not a partial: Django names the callback when it logs a failure.
    def send_task_after_commit() -> None:
        app.send_task(task_name, args=args)

    transaction.on_commit(send_task_after_commit, robust=True)


@contextmanager
def sending_paused() -> Iterator[None]:
    """For a bulk build that runs its tasks once at the end (the demo slate) rather than
    once per change."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)
