"""ASGI in front of Django: a public read that the response cache holds, answered at once.

Through Django a hit cost about 1.6 ms of CPU (its handler starts a thread per request,
eleven middleware, Strawberry's view), several times what PostGraphile spends computing
the same page. Here it costs a JSON parse, the cache key and one Redis round trip.

Only a plainly anonymous JSON POST to the API is answered here: no cookie of a session,
no Authorization header, `application/json` both ways, an allowed host, over HTTPS where
the settings redirect to it, a single operation sent as text. Everything else, and every
miss, goes on to Django with its body as it came.

A hit carries the headers that Django gave the last hit of the same kind (the security
and framing headers follow the settings and the middleware, not a copy of them here); until
Django has answered one hit, hits go through Django too. The rate limit counts these
requests as the middleware does; one over the limit goes on to Django, which refuses it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from config.graphql.rate_limits import (
    address_behind_proxies,
    address_bucket,
    count_request,
    limits_apply,
)
from config.graphql.response_cache import store as response_cache
from config.graphql.view import APPLICATION_JSON, response_media_type
from config.request_ids import REQUEST_ID_HEADER, request_id_from

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]  # Django types its handler narrower than ASGI

API_PATH = "/graphql/"
# Set per response by the server or here, never learned from another response.
_OWN_HEADERS = {b"date", b"server", b"content-length", REQUEST_ID_HEADER.lower().encode()}


class ResponseCacheFront:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The headers of a hit, learned from Django's, for HTTPS (True) and plain HTTP.
        self.hit_headers: dict[bool, list[tuple[bytes, bytes]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _a_public_read(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        secure = _is_secure(scope, headers)
        if not _plainly_anonymous_json(headers, secure):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        key = _cache_key(body) if complete else None
        if key is not None and secure in self.hit_headers:
            found = await response_cache.lookup(key)
            result = found.result if found is not None else None
            # Counted only when answered here: the middleware counts what goes on to Django.
            if result is not None and await _within_rate(scope, headers):
                await self._answer(send, result, secure, headers)
                return
        await self.app(scope, _replaying(body, complete, receive), self._learning(send, secure))

    def _learning(self, send: Send, secure: bool) -> Send:
        """`send`, noting the headers of a hit that Django answered."""

        async def learn_and_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [(name.lower(), value) for name, value in message.get("headers", [])]
                if (b"cache-status", response_cache.HIT.encode()) in headers:
                    self.hit_headers[secure] = [h for h in headers if h[0] not in _OWN_HEADERS]
            await send(message)

        return learn_and_send

    async def _answer(
        self, send: Send, result: Any, secure: bool, headers: dict[bytes, bytes]
    ) -> None:
        response: dict[str, Any] = {"data": result.data}
        if result.extensions:
            response["extensions"] = result.extensions
        content = json.dumps(response, separators=(",", ":")).encode()
        request_id = request_id_from(headers.get(b"x-request-id", b"").decode("latin-1"))
        own = [
            (b"content-length", str(len(content)).encode()),
            (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
        ]
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*self.hit_headers[secure], *own],
            }
        )
        await send({"type": "http.response.body", "body": content})


def _a_public_read(scope: Scope) -> bool:
    """A POST to the API while the cache serves, every document allowed."""
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and scope["path"] == API_PATH
        and response_cache.cache_available()
        and not settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY
    )


def _plainly_anonymous_json(headers: dict[bytes, bytes], secure: bool) -> bool:
    """No session and no token, JSON both ways, an allowed host, HTTPS where required."""
    cookies = headers.get(b"cookie", b"").decode("latin-1")
    host, _ = split_domain_port(headers.get(b"host", b"").decode("latin-1"))
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    return (
        b"authorization" not in headers
        and settings.SESSION_COOKIE_NAME not in cookies
        and content_type.split(";")[0].strip().lower() == APPLICATION_JSON
        and response_media_type(headers.get(b"accept", b"").decode("latin-1")) == APPLICATION_JSON
        and bool(host)
        and validate_host(host, settings.ALLOWED_HOSTS)
        and (secure or not settings.SECURE_SSL_REDIRECT)
    )


def _is_secure(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    if scope.get("scheme") == "https":
        return True
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if not proxy_header:
        return False
    name, value = proxy_header  # as Django names it: HTTP_X_FORWARDED_PROTO
    sent = headers.get(name.removeprefix("HTTP_").replace("_", "-").lower().encode(), b"")
    return sent.decode("latin-1").split(",")[0].strip() == value


async def _read_body(receive: Receive, limit: int | None) -> tuple[bytes, bool]:
    """The request body, and whether it is whole: reading stops past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if limit is not None and size > limit:
            return b"".join(chunks), False


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """`receive` for the app behind: the part of the body read here first, then the rest."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": not complete}

    return replay


def _cache_key(body: bytes) -> str | None:
    """The response cache's key of a single operation sent as text, as the view keys it."""
    try:
        request = json.loads(body)
    except (ValueError, RecursionError):  # Django answers these with a coded error
        return None
    if not isinstance(request, dict) or request.keys() - {"query", "operationName", "variables"}:
        return None  # extensions (a persisted query), a document id, or anything unusual
    query, name = request.get("query"), request.get("operationName")
    variables = request.get("variables")
    if not isinstance(query, str) or not query or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict | None):
        return None
    return response_cache.key_for(query, name, variables)


async def _within_rate(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    if not limits_apply():
        return True
    peer = (scope.get("client") or ("", 0))[0]
    forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
    bucket = address_bucket(address_behind_proxies(peer, forwarded))
    verdict = await asyncio.to_thread(count_request, bucket)
    return verdict.allowed
