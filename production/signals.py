"""What the production app announces to its workers without importing them.

Services change a scorecard's inputs (target segments, budget, cast, script authors);
the greenlight task module, which reads the audience app, listens (connected in
`ProductionConfig.ready`), so that services and models keep to the catalog alone.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import Signal

# Sent with `production_id` inside the transaction that changed the inputs.
scorecard_inputs_changed = Signal()

_muted: ContextVar[bool] = ContextVar("scorecard_announcements_muted", default=False)


def announce_scorecard_inputs_changed(production_id: int) -> None:
    if not _muted.get():
        scorecard_inputs_changed.send(sender=None, production_id=production_id)


@contextmanager
def scorecard_announcements_muted() -> Iterator[None]:
    """For a bulk build that computes its scorecards once at the end (the demo slate),
    rather than once per change."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)
