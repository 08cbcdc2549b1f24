"""Staff-only parts of the API: who counts as studio staff, and the errors for the rest."""

from __future__ import annotations

from typing import Any

from config.errors import Forbidden, Unauthenticated


def is_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff)


def require_staff(user: Any, *, action: str) -> None:
    """UNAUTHENTICATED for anonymous callers, FORBIDDEN for signed-in non-staff.

    `action` completes the messages: "see productions" gives "Only studio staff may see
    productions."
    """
    if user is None or not user.is_authenticated:
        raise Unauthenticated(f"Sign in as studio staff to {action}.")
    if not user.is_staff:
        raise Forbidden(f"Only studio staff may {action}.")
