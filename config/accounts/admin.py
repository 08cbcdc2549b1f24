"""API tokens in the admin: staff create them (the secret is shown once) and revoke them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from config.accounts.models import ApiToken
from config.accounts.tokens import api_token_issue, api_token_revoke

# Where `save_model` leaves the new token's plaintext for `response_add`, on the request
# that created it: it is never stored.
_PLAINTEXT_ATTRIBUTE = "_issued_api_token"


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        now = timezone.now()
        unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        if self.value() == "active":
            return queryset.filter(unexpired, revoked_at__isnull=True)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "prefix",
        "name",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "state",
    ]
    list_filter = [StateFilter, "created_at"]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    add_fields = ["user", "name", "expires_at"]
    change_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return tuple(self.add_fields if obj is None else self.change_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        # A token's account and lifetime are fixed when it is made; only its name changes.
        return [] if obj is None else [f for f in self.change_fields if f != "name"]

    @admin.display(description="state")
    def state(self, token: ApiToken) -> str:
        return token.state_at(timezone.now())

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        setattr(request, _PLAINTEXT_ATTRIBUTE, api_token_issue(obj))

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        """A page with the new token's plaintext, instead of the usual redirect: it is never
        stored, so a redirected page could not show it."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "API token created",
            "token": obj,
            "plaintext": getattr(request, _PLAINTEXT_ATTRIBUTE),
        }
        return TemplateResponse(request, "admin/accounts/apitoken/token_created.html", context)

    @admin.action(permissions=["change"], description="Revoke the selected API tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        selected = list(queryset)
        revoked = sum(api_token_revoke(token=token) for token in selected)
        message = f"Revoked {revoked} API token(s)."
        if revoked < len(selected):
            message += f" {len(selected) - revoked} already were."
        self.message_user(request, message, messages.SUCCESS)
