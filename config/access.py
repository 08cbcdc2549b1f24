"""Staff-only parts of the API: who counts as studio staff, and the errors for the rest."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

from config.errors import Forbidden, Unauthenticated

# Whoever a request acts for: an account (the product's accounts are Django's `User`),
# or nobody signed in.
Caller: TypeAlias = User | AnonymousUser


def is_staff(user: Caller | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff)


def require_staff(user: Caller | None, *, action: str, permission: str | None = None) -> None:
    """UNAUTHENTICATED for anonymous callers, FORBIDDEN for signed-in non-staff and for
    staff without `permission` (a Django permission such as "production.change_production").

    `action` completes the messages: "see productions" gives "Only studio staff may see
    productions."
    """
    if user is None or not user.is_authenticated:
        raise Unauthenticated(f"Sign in as studio staff to {action}.")
    if not user.is_staff:
        raise Forbidden(f"Only studio staff may {action}.")
    if permission is not None and not user.has_perm(permission):
        raise Forbidden(f"Your staff account has no permission to {action}.")
