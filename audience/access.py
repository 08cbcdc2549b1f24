"""Who may see and act for a viewer profile: its own account, and staff.

Anonymous callers get UNAUTHENTICATED, signed-in callers acting for someone else's
profile get FORBIDDEN; both before anything is read or written.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from audience.models import Profile
from config.access import Caller
from config.errors import Forbidden, NotFound, Unauthenticated


def require_signed_in(user: Caller) -> None:
    signed_in_account(user)


def signed_in_account(user: Caller) -> User:
    """The caller's own account; UNAUTHENTICATED for an anonymous caller."""
    if user is None or not user.is_authenticated:
        raise Unauthenticated("Sign in to see or change a viewer profile.")
    return user


def may_act_for(user: Caller, profile: Profile) -> bool:
    return bool(user.is_staff or profile.account_id == user.pk)


def visible_profiles(user: Caller) -> QuerySet[Profile]:
    """The profiles `user` may see: their own, or every profile for staff."""
    if user is None or not user.is_authenticated:
        return Profile.objects.none()
    if user.is_staff:
        return Profile.objects.all()
    return Profile.objects.filter(account_id=user.pk)


def profile_for(user: Caller, profile_id: int) -> Profile:
    """The profile, if `user` may act for it; otherwise the error that says why not."""
    require_signed_in(user)
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise NotFound("No viewer profile has this id.", field="profile_id")
    if not may_act_for(user, profile):
        raise Forbidden("This profile belongs to another account.", field="profile_id")
    return profile
