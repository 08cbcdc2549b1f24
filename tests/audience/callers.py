"""Who may ask for a viewer profile's data: the callers of the permission tests."""

from typing import Any

from django.test import Client

from tests.factories import StaffUserFactory, ViewerFactory
from tests.graphql import client_of

# Each caller and the error code it gets for someone's profile (None: it may see it).
PROFILE_CALLERS: dict[str, str | None] = {
    "anonymous": "UNAUTHENTICATED",
    "owner": None,
    "other viewer": "FORBIDDEN",
    "staff": None,
}


def profile_caller(name: str, profile: Any) -> Client:
    """A client signed in as the named caller of `profile`."""
    accounts = {
        "anonymous": None,
        "owner": profile.account,
        "other viewer": ViewerFactory(),
        "staff": StaffUserFactory(),
    }
    return client_of(accounts[name])
