"""API tokens: how app clients authenticate as an account, without a browser session."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A credential an app sends as `Authorization: Bearer <token>` to act as its account.

    Only a SHA-256 hash of the token's secret is stored: the whole token is shown once,
    when it is created. The prefix, part of the token, finds the row without the secret.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The account the token acts as",
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'Living-room TV app'")
    prefix = models.CharField(
        max_length=8, unique=True, editable=False, help_text="The token's public part"
    )
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="To the minute"
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Blank: never expires")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        verbose_name_plural = "API tokens"

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    def is_expired_at(self, moment: datetime.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= moment

    def state_at(self, moment: datetime.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.is_expired_at(moment):
            return "expired"
        return "active"
