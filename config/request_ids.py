"""A request id for every request: in the `X-Request-ID` response header and on log records.

A proxy or client that already names the request (a sane `X-Request-ID`: at most 128
letters, digits and `._:=+/-`) keeps its id, so that its logs and ours line up; otherwise
the request gets a new random one. Whatever runs for the request (in threads too: asgiref
carries context variables over) finds the id with `current_request_id()`.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.signals import request_finished

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
_current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return _current_request_id.get()


def request_id_from(inbound: str) -> str:
    """The id a client sent in the header, if it is a sane one; a new one otherwise."""
    if _SANE_REQUEST_ID.fullmatch(inbound):
        return inbound
    return uuid.uuid4().hex


def _request_id_of(request: HttpRequest) -> str:
    return request_id_from(request.headers.get(REQUEST_ID_HEADER, ""))


class RequestIdMiddleware:
    """Gives the request its id for as long as it is handled, and names it in the response."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._handle_async(request)
        request_id = _request_id_of(request)
        _current_request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    async def _handle_async(self, request: HttpRequest) -> HttpResponseBase:
        request_id = _request_id_of(request)
        _current_request_id.set(request_id)
        response = await self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**_kwargs: Any) -> None:
    _current_request_id.set(None)


# The id outlives the middleware until the response is sent, so that what Django logs
# after the middleware returns (`django.request`: every 4xx and 5xx, with the traceback
# of an unhandled error) names it too. A thread that serves requests one after another
# (WSGI) then forgets it; under ASGI each request has a context of its own anyway.
request_finished.connect(_forget_request_id, dispatch_uid="config.request_ids.forget")


class RequestIdLogFilter(logging.Filter):
    """Puts `request_id` on every record a handler emits ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True
