"""Authenticating API requests by `Authorization: Bearer <token>`."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin

from config.accounts.tokens import TOKEN_MARK, InvalidToken, api_token_authenticate
from config.errors import UNAUTHENTICATED

_HOW_TO_SEND = "Send the API token as 'Authorization: Bearer <token>'."


@cache
def _api_path() -> str:
    return reverse("graphql")


def _bearer_credential(header: str) -> str | None:
    """The token of a Bearer header; None for another scheme that carries no token of ours
    (HTTP Basic of a proxy in front of a staging site, say)."""
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer":
        if not credential:
            raise InvalidToken(_HOW_TO_SEND)
        return credential
    if credential.startswith(TOKEN_MARK):
        raise InvalidToken(_HOW_TO_SEND)
    return None


def _unauthenticated(message: str) -> HttpResponse:
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": UNAUTHENTICATED}}]},
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
    )


class ApiTokenMiddleware(MiddlewareMixin):
    """Acts as a token's account on the API when the request sends one.

    Runs after `AuthenticationMiddleware`, whose session user the token's account
    replaces. Sets `request.api_token` on every request: the token, or None. A request
    to the API with a bad, revoked or expired token (or one of ours under another scheme)
    is refused with 401, never served as anonymous. Other schemes, and other paths (the
    admin, where staff sign in), are left alone.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        request.api_token = None  # type: ignore[attr-defined]
        header = request.headers.get("Authorization")
        if header is None or not request.path_info.startswith(_api_path()):
            return None
        try:
            credential = _bearer_credential(header)
            if credential is None:
                return None
            token = api_token_authenticate(credential)
        except InvalidToken as error:
            return _unauthenticated(str(error))
        _act_as(request, token)
        return None


def _act_as(request: HttpRequest, token: Any) -> None:
    user = token.user

    async def auser() -> Any:
        return user

    request.api_token = token  # type: ignore[attr-defined]
    request.user = user
    request.auser = auser  # type: ignore[attr-defined]
    # CSRF guards credentials a browser adds on its own (cookies). A bearer token is
    # added by the client itself, and no other site can make a browser send it.
    request.csrf_processing_done = True  # type: ignore[attr-defined]
