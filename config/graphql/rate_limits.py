"""Rate limits on the GraphQL endpoint, counted in Redis so that every server shares them.

A request with an API token counts against that token (`RATE_LIMIT_PER_TOKEN`), any other
against its client address (`RATE_LIMIT_PER_IP`; an IPv6 client per /64 network, which
one subscriber usually holds whole), per window of `RATE_LIMIT_WINDOW_SECONDS`.

The window slides: the count of the previous fixed window weighs in by the share of it
still inside the last `RATE_LIMIT_WINDOW_SECONDS`, so a client cannot spend two budgets
across a boundary. A refused request is not counted. Over the limit the answer is 429
with `Retry-After` (the seconds until a request will be served again) and a GraphQL error
coded RATE_LIMITED.

If Redis cannot be reached the request is served, unlimited: the API stays up while Redis
is down. The failure is logged, and Redis is left alone for a few seconds before the next
try, so that each request does not wait for it.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin

from config.errors import RATE_LIMITED

logger = logging.getLogger(__name__)

RATE_LIMITED_URL_NAMES = frozenset({"graphql"})
# How long Redis is left alone after it failed to answer.
REDIS_RETRY_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.25

# KEYS: the current and the previous window's counters. ARGV: the limit, the window and
# the time elapsed in the current window, in milliseconds. Counts the request only if
# it is allowed; returns {allowed, current count, previous count}.
_SLIDING_WINDOW_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local elapsed = tonumber(ARGV[3])
if previous * (window - elapsed) / window + current + 1 > limit then
    return {0, current, previous}
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 2 * window)
return {1, current + 1, previous}
"""


@dataclass(frozen=True)
class Bucket:
    """Whose requests are counted together, and how many each window allows."""

    kind: str  # "token" or "ip"
    identity: str
    limit: int

    def describe(self) -> str:
        return "this API token" if self.kind == "token" else "one address"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def seconds_until_allowed(
    *, limit: int, current: int, previous: int, elapsed: float, window: float
) -> float:
    """How long until one more request fits, if nobody else sends any meanwhile."""
    if current + 1 <= limit:
        # Within this window, once enough of the previous one has slid out.
        if previous == 0:
            return 0.0
        return max(window * (1 - (limit - current - 1) / previous) - elapsed, 0.0)
    # In the next window, where this window's count is the previous one.
    into_next = window * (1 - (limit - 1) / current) if current else 0.0
    return window - elapsed + max(into_next, 0.0)


class SlidingWindowCounter:
    """Counts requests per bucket in one Redis. Without Redis it lets requests through: for
    a few seconds once Redis cannot be reached, for one request when it answers late."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.script = self.client.register_script(_SLIDING_WINDOW_SCRIPT)
        self._lock = threading.Lock()
        self._skip_until = 0.0

    def hit(self, bucket: Bucket, *, window_seconds: int) -> Verdict:
        if time.monotonic() < self._skip_until:
            return Verdict(allowed=True)
        window_ms = window_seconds * 1000
        now_ms = int(time.time() * 1000)
        index, elapsed_ms = divmod(now_ms, window_ms)
        prefix = f"ratelimit:{bucket.kind}:{bucket.identity}:{window_seconds}"
        try:
            allowed, current, previous = self.script(
                keys=[f"{prefix}:{index}", f"{prefix}:{index - 1}"],
                args=[bucket.limit, window_ms, elapsed_ms],
            )
        except redis.TimeoutError:
            # A slow answer (Redis busy, or this process): let this request through and
            # ask again for the next, rather than turning the limits off for all.
            logger.warning("Redis did not answer the rate limit in time; allowing this request")
            return Verdict(allowed=True)
        except redis.RedisError:
            self._rest()
            return Verdict(allowed=True)
        if allowed:
            return Verdict(allowed=True)
        wait = seconds_until_allowed(
            limit=bucket.limit,
            current=int(current),
            previous=int(previous),
            elapsed=elapsed_ms / 1000,
            window=window_seconds,
        )
        return Verdict(allowed=False, retry_after=max(math.ceil(wait), 1))

    def _rest(self) -> None:
        with self._lock:
            self._skip_until = time.monotonic() + REDIS_RETRY_SECONDS
        logger.warning(
            "Redis did not answer: rate limits are off for %.0f seconds",
            REDIS_RETRY_SECONDS,
            exc_info=True,
        )


@cache
def counter_for(url: str) -> SlidingWindowCounter:
    return SlidingWindowCounter(url)


def client_address(request: HttpRequest) -> str:
    """The client's address: the peer's, or, behind `TRUSTED_PROXY_COUNT` proxies, the
    one the outermost trusted proxy saw (entries a client wrote itself are ignored)."""
    return address_behind_proxies(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def address_behind_proxies(peer: str, forwarded: str) -> str:
    """`client_address` from the peer's address and the X-Forwarded-For header."""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    chain = [*(part.strip() for part in forwarded.split(",") if part.strip()), peer]
    candidate = chain[max(len(chain) - 1 - proxies, 0)]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return peer
    return candidate


def address_identity(address: str) -> str:
    """What one client's addresses share: the address, or an IPv6 address's /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


def bucket_for(request: HttpRequest) -> Bucket:
    token = getattr(request, "api_token", None)
    if token is not None:
        return Bucket("token", str(token.pk), settings.RATE_LIMIT_PER_TOKEN)
    return address_bucket(client_address(request))


def address_bucket(address: str) -> Bucket:
    """The bucket of a request without an API token, from the client's address."""
    return Bucket("ip", address_identity(address), settings.RATE_LIMIT_PER_IP)


def limits_apply() -> bool:
    return bool(settings.RATE_LIMIT_ENABLED and settings.REDIS_URL)


def count_request(bucket: Bucket) -> Verdict:
    """Count one request against `bucket`'s window: whether it may be served."""
    return counter_for(settings.REDIS_URL).hit(
        bucket, window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS
    )


def too_many_requests(bucket: Bucket, retry_after: int) -> HttpResponse:
    window: int = settings.RATE_LIMIT_WINDOW_SECONDS
    message = (
        f"Too many requests: at most {bucket.limit} every {window} seconds from "
        f"{bucket.describe()}. Retry in {retry_after} seconds."
    )
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": RATE_LIMITED}}]},
        status=429,
        headers={"Retry-After": str(retry_after)},
    )


class RateLimitMiddleware(MiddlewareMixin):
    """Applies the rate limits to the GraphQL endpoint only.

    The check runs once the URL is resolved (`process_view`), after every middleware has
    prepared the request, whatever their order: `request.api_token` is set by then.
    """

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not limits_apply():
            return None
        match = request.resolver_match
        if match is None or match.url_name not in RATE_LIMITED_URL_NAMES:
            return None
        bucket = bucket_for(request)
        verdict = count_request(bucket)
        if verdict.allowed:
            return None
        return too_many_requests(bucket, verdict.retry_after)
