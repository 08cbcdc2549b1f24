"""Who may see and run productions: studio staff only."""

from __future__ import annotations

from typing import Any

from config.errors import Forbidden, Unauthenticated


def require_staff(user: Any) -> None:
    """UNAUTHENTICATED for anonymous callers, FORBIDDEN for signed-in non-staff."""
    if user is None or not user.is_authenticated:
        raise Unauthenticated("Sign in as studio staff to see productions.")
    if not user.is_staff:
        raise Forbidden("Only studio staff may see productions.")


def is_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff)
