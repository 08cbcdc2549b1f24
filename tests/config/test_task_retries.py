"""A worker's task that meets a transient error tries again in the same process: no task
leaves a delayed message behind, which a broker restart could not restore."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from config.celery import app
from config.celery.retries import ATTEMPTS, retried_on_transient_errors


def test_no_task_of_the_workers_retries_by_sending_itself_again() -> None:
    app.loader.import_default_modules()
    ours = [
        task for name, task in app.tasks.items() if name.startswith(("audience.", "production."))
    ]

    assert len(ours) >= 10
    assert [task.name for task in ours if getattr(task, "autoretry_for", ())] == []


def test_a_transient_error_is_tried_again_until_it_passes(settings: Any) -> None:
    settings.TASK_RETRY_FIRST_PAUSE_SECONDS = 0.001
    calls: list[int] = []

    @retried_on_transient_errors
    def flaky(value: int) -> int:
        calls.append(value)
        if len(calls) < 3:
            raise OperationalError("the server closed the connection unexpectedly")
        return value * 2

    assert flaky(21) == 42
    assert calls == [21, 21, 21]


def test_an_error_that_does_not_pass_is_raised_after_the_last_attempt(settings: Any) -> None:
    settings.TASK_RETRY_FIRST_PAUSE_SECONDS = 0.001
    calls: list[None] = []

    @retried_on_transient_errors
    def down() -> None:
        calls.append(None)
        raise OperationalError("could not connect to server")

    with pytest.raises(OperationalError):
        down()
    assert len(calls) == ATTEMPTS


def test_other_errors_are_not_tried_again() -> None:
    calls: list[None] = []

    @retried_on_transient_errors
    def wrong() -> None:
        calls.append(None)
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        wrong()
    assert len(calls) == 1
