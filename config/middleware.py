"""Django's middleware, with the hooks that do no I/O run in the event loop under ASGI.

Under ASGI, Django runs every hook of a `MiddlewareMixin` through `sync_to_async` on the
one thread it keeps per process for sync code: about fifteen hops a request, each handing
the GIL between threads, and every concurrent request queueing for that thread. A cached
response takes about 1 ms to serve and waited several for the hops. These subclasses run
the hooks inline when they cannot block (they read headers and cookies, set attributes
and response headers) and keep the hop for what reads or writes the database (saving a
modified session, storing messages, looking up an API token). Under WSGI they behave as
Django's. config/checks.py runs Django's deployment checks over them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponseBase
from django.middleware import clickjacking, common, csrf, security

from config.accounts import middleware as accounts


class InlineHooks:
    """For a `MiddlewareMixin`: under ASGI, run its hooks inline, except when the two
    predicates below say this request's hook may block; then on Django's sync thread."""

    get_response: Any

    def __init__(self, get_response: Any) -> None:
        super().__init__(get_response)  # type: ignore[call-arg]
        process_view = getattr(self, "process_view", None)
        if process_view is not None and iscoroutinefunction(self):

            async def process_view_inline(
                request: HttpRequest, view: Any, args: Any, kwargs: Any
            ) -> HttpResponseBase | None:
                return process_view(request, view, args, kwargs)  # type: ignore[no-any-return]

            setattr(self, "process_view", process_view_inline)  # noqa: B010

    def request_may_block(self, request: HttpRequest) -> bool:
        return False

    def response_may_block(self, request: HttpRequest) -> bool:
        return False

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = None
        if hasattr(self, "process_request"):
            hook = self.process_request
            response = await _run(hook, self.request_may_block(request), request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            hook = self.process_response
            response = await _run(hook, self.response_may_block(request), request, response)
        return response  # type: ignore[no-any-return]


async def _run(hook: Callable[..., Any], may_block: bool, *args: Any) -> Any:
    if may_block:
        return await sync_to_async(hook, thread_sensitive=True)(*args)
    return hook(*args)


class SecurityMiddleware(InlineHooks, security.SecurityMiddleware):
    pass


class CommonMiddleware(InlineHooks, common.CommonMiddleware):
    pass


class CsrfViewMiddleware(InlineHooks, csrf.CsrfViewMiddleware):
    """Inline unless the CSRF secret lives in the session, which may be read from the
    database."""

    def __init__(self, get_response: Any) -> None:
        super().__init__(get_response)
        if settings.CSRF_USE_SESSIONS:
            raise NotImplementedError("config.middleware.CsrfViewMiddleware reads cookies only")


class AuthenticationMiddleware(InlineHooks, auth.AuthenticationMiddleware):
    """Sets the lazy `request.user`: the session is read when the user is first asked for."""


class MessageMiddleware(InlineHooks, messages.MessageMiddleware):
    """Storing messages may fall back on the session, which may have to be read from the
    database; a request that neither added nor showed any (every API request) stores
    nothing."""

    def response_may_block(self, request: HttpRequest) -> bool:
        storage = getattr(request, "_messages", None)
        return storage is not None and (storage.used or storage.added_new)


class XFrameOptionsMiddleware(InlineHooks, clickjacking.XFrameOptionsMiddleware):
    pass


class SessionMiddleware(InlineHooks, sessions.SessionMiddleware):
    """The session is loaded lazily; only saving a modified one reaches the database."""

    def response_may_block(self, request: HttpRequest) -> bool:
        return bool(request.session.modified or settings.SESSION_SAVE_EVERY_REQUEST)


class ApiTokenMiddleware(InlineHooks, accounts.ApiTokenMiddleware):
    """Looking a token up reads the database; a request without one needs nothing."""

    def request_may_block(self, request: HttpRequest) -> bool:
        return "Authorization" in request.headers
