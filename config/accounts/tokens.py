"""Issuing, revoking and checking API tokens.

A token reads `cat_<prefix>_<secret>`: the prefix (8 lowercase letters and digits) finds
its row, the secret (32 random bytes, URL-safe base64) proves it. The secret's SHA-256
is all that is stored; a fast hash is enough for 256 random bits, which no one guesses.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from config.accounts.models import ApiToken

TOKEN_MARK = "cat_"
TOKEN_PATTERN = re.compile(r"cat_(?P<prefix>[a-z0-9]{8})_(?P<secret>[A-Za-z0-9_-]{43})")
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
PREFIX_LENGTH = 8
SECRET_BYTES = 32
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
# Attempts at a prefix no other token has (36^8 prefixes: a second attempt is rare).
PREFIX_ATTEMPTS = 5


class InvalidToken(Exception):
    """The credential a request sent authenticates no one; the message says why."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown once, never stored


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_prefix() -> str:
    return "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))


def api_token_issue(token: ApiToken) -> str:
    """Give an unsaved token its prefix and secret, save it, and return the plaintext token.

    The caller shows the plaintext once: only the secret's hash is saved.
    """
    secret = secrets.token_urlsafe(SECRET_BYTES)
    token.secret_hash = _secret_hash(secret)
    for attempt in range(1, PREFIX_ATTEMPTS + 1):
        token.prefix = _new_prefix()
        try:
            with transaction.atomic():
                token.save()
        except IntegrityError:
            collided = ApiToken.objects.filter(prefix=token.prefix).exists()
            if not collided or attempt == PREFIX_ATTEMPTS:
                raise
        else:
            break
    return f"{TOKEN_MARK}{token.prefix}_{secret}"


def api_token_create(
    *, user: User, name: str, expires_at: datetime.datetime | None = None
) -> IssuedToken:
    """A new token for `user`; its plaintext is in the result and nowhere else."""
    token = ApiToken(user=user, name=name, expires_at=expires_at)
    plaintext = api_token_issue(token)
    return IssuedToken(token=token, plaintext=plaintext)


def api_token_revoke(*, token: ApiToken) -> bool:
    """Revoke the token from now on; False if it already was. Idempotent."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        token.revoked_at = now
    return bool(revoked)


def api_token_authenticate(plaintext: str) -> ApiToken:
    """The live token `plaintext` names, its account loaded; InvalidToken if there is none.

    Unknown and wrong tokens get the same message; revoked and expired ones say so, as
    only their holder can present their secret.
    """
    match = TOKEN_PATTERN.fullmatch(plaintext)
    if match is None:
        raise InvalidToken("This is not an API token of this service.")
    token = ApiToken.objects.select_related("user").filter(prefix=match["prefix"]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _secret_hash(match["secret"])):
        raise InvalidToken("This API token is not valid.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise InvalidToken("This API token was revoked.")
    if token.is_expired_at(now):
        raise InvalidToken("This API token has expired.")
    if not token.user.is_active:
        raise InvalidToken("The account of this API token is disabled.")
    _note_use(token, now)
    return token


def _note_use(token: ApiToken, now: datetime.datetime) -> None:
    """Record when the token was last used, to the minute: one write a minute at most."""
    stale_before = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > stale_before:
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now
