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
    """For a `MiddlewareMixin` whose hooks never block: under ASGI, run them inline."""

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

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = None
        if hasattr(self, "process_request"):
            response = self.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            response = self.process_response(request, response)
        return response  # type: ignore[no-any-return]


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


class MessageMiddleware(messages.MessageMiddleware):
    """Storing messages may fall back on the session, which may have to be read from the
    database; a request that neither added nor showed any (every API request) stores
    nothing."""

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        self.process_request(request)
        response = await self.get_response(request)  # type: ignore[misc]
        storage = getattr(request, "_messages", None)
        if storage is not None and (storage.used or storage.added_new):
            return await sync_to_async(self.process_response, thread_sensitive=True)(
                request, response
            )
        return self.process_response(request, response)


class XFrameOptionsMiddleware(InlineHooks, clickjacking.XFrameOptionsMiddleware):
    pass


class SessionMiddleware(sessions.SessionMiddleware):
    """The session is loaded lazily; only saving a modified one reaches the database."""

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        self.process_request(request)
        response = await self.get_response(request)  # type: ignore[misc]
        if request.session.modified or settings.SESSION_SAVE_EVERY_REQUEST:
            return await sync_to_async(self.process_response, thread_sensitive=True)(
                request, response
            )
        return self.process_response(request, response)


class ApiTokenMiddleware(accounts.ApiTokenMiddleware):
    """Looking a token up reads the database; a request without one needs nothing."""

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if "Authorization" in request.headers:
            response = await sync_to_async(self.process_request, thread_sensitive=True)(request)
        else:
            response = self.process_request(request)
        return response or await self.get_response(request)  # type: ignore[misc]
