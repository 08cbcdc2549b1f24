"""Which tables each SQL statement reads and writes, and a token per public table that
changes whenever a committed transaction wrote to it.

Every statement run through Django's cursors passes through `statement_track` (a Django
execute wrapper, installed as each connection opens). Reads are collected only inside
`tables_read()`, around a response being computed; writes always (whenever the cache's
Redis is configured), and their tables get new tokens when the transaction commits (at
once in autocommit). Statements run on psycopg's own cursors, `COPY` among them, bypass
execute wrappers: whoever writes a public table that way calls `tokens_renew_on_commit`.

The GraphQL response cache (`config.graphql.response_cache`) keys its entries by these
tokens, and so may any cache of figures read from public tables (the home screen's genre
rankings); the response cache's app installs the tracking.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

import redis
from django.apps import apps
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.25
RENEWAL_ATTEMPTS = 3
# The audience's published figures; with every catalog table, the tables any caller may
# read. A response that read any other table (a profile, an account, a production) is
# someone's own and is never stored.
AUDIENCE_PUBLIC_MODELS = (
    "Top10Entry",
    "TrendingEntry",
    "TitlePopularity",
    "SimilarTitle",
    "AggregationWatermark",
)

_WRITE_TARGET = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|ALTER\s+TABLE|DROP\s+TABLE|COPY)\s+"
    r"(?:ONLY\s+|IF\s+EXISTS\s+)?\"?(\w+)\"?",
    re.IGNORECASE,
)
_reads: ContextVar[set[str] | None] = ContextVar("response_cache_reads", default=None)


@cache
def public_tables() -> frozenset[str]:
    catalog = apps.get_app_config("catalog").get_models(include_auto_created=True)
    audience = [apps.get_model("audience", name) for name in AUDIENCE_PUBLIC_MODELS]
    return frozenset(model._meta.db_table for model in [*catalog, *audience])


@cache
def _table_names() -> re.Pattern[str]:
    """Any model's table named in a statement; the longest first, so that a table's
    many-to-many table is not read as the table itself."""
    names = sorted(
        {model._meta.db_table for model in apps.get_models(include_auto_created=True)},
        key=len,
        reverse=True,
    )
    return re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")


def tables_in(sql: str) -> set[str]:
    """Every model's table the statement names."""
    return set(_table_names().findall(sql))


def tables_written(sql: str) -> set[str]:
    """The public tables a statement writes to."""
    head = sql.lstrip()[:8].upper()
    if head.startswith("SELECT"):
        return set()
    if head.startswith("TRUNCATE"):
        return tables_in(sql) & public_tables()
    return {name for name in _WRITE_TARGET.findall(sql) if name in public_tables()}


@contextmanager
def tables_read() -> Iterator[set[str]]:
    """The tables every statement run inside the block reads, in whichever thread it runs
    (Django's sync_to_async carries the context into its threads)."""
    tables: set[str] = set()
    reset = _reads.set(tables)
    try:
        yield tables
    finally:
        _reads.reset(reset)


def announcing() -> bool:
    return bool(settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL)


def statement_track(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    if not announcing():
        return execute(sql, params, many, context)
    # psycopg's composed SQL (sql.SQL(...).format(...)) is rendered to be read.
    text = sql if isinstance(sql, str) else sql.as_string(context["cursor"])
    reading = _reads.get()
    if reading is not None:
        reading.update(tables_in(text))
    written = tables_written(text)
    try:
        return execute(sql, params, many, context)
    finally:
        # Even when the statement raised: in autocommit it may have committed first (a
        # connection lost after COMMIT), and a renewal too many only costs a recompute.
        if written:
            tokens_renew_on_commit(context["connection"], written)


def statement_tracking_install(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Called as each connection opens; the wrapper list outlives reconnections."""
    if statement_track not in connection.execute_wrappers:
        connection.execute_wrappers.append(statement_track)


class _TokensRenewal:
    """The public tables one transaction wrote, renewed together when it commits."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self) -> None:
        tokens_renew(self.tables)


def tokens_renew_on_commit(connection: BaseDatabaseWrapper, tables: set[str]) -> None:
    """Renew the public ones of `tables` when the connection's transaction commits."""
    tables = tables & public_tables()
    if not tables:
        return
    if not connection.in_atomic_block:
        tokens_renew(tables)
        return
    # One renewal per transaction: the one registered earlier is reused while it is still
    # waiting for this commit (a rollback drops it, a commit runs it).
    renewal = getattr(connection, "_response_cache_renewal", None)
    if renewal is None or not any(entry[1] is renewal for entry in connection.run_on_commit):
        renewal = _TokensRenewal()
        connection._response_cache_renewal = renewal  # type: ignore[attr-defined]
        connection.on_commit(renewal, robust=True)
    renewal.tables.update(tables)


def key_prefix() -> str:
    """The cache's keys in Redis: the prefix, then the database's name."""
    database = settings.DATABASES["default"]["NAME"]
    return f"{settings.GRAPHQL_RESPONSE_CACHE_PREFIX}:{database}"


def tokens_key() -> str:
    return f"{key_prefix()}:tables"


@cache
def _redis_at(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )


def tokens_renew(tables: Iterable[str]) -> None:
    """Give the tables new tokens: every response stored from them is stale from now on.

    Random tokens rather than counters: were the tokens lost (Redis restarted, or evicted
    them), a counter could come back to a value an old entry was stored with.
    """
    tables = sorted(tables)
    if not tables or not announcing():
        return
    token = secrets.token_hex(8)
    client = _redis_at(settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL)
    for attempt in range(RENEWAL_ATTEMPTS):
        try:
            client.hset(tokens_key(), mapping=dict.fromkeys(tables, token))
            return
        except redis.RedisError:
            if attempt == RENEWAL_ATTEMPTS - 1:
                # Responses stored from these tables stay until they expire.
                logger.exception(
                    "Could not renew the response cache's tokens of %s", ", ".join(tables)
                )


def tokens_of(tables: Iterable[str]) -> str | None:
    """The tables' current tokens as one version string, for a cache of something computed
    from them: it changes whenever any of them is written. None when Redis cannot tell (no
    cache configured, or not answering); a table without a token yet is given one."""
    tables = sorted(tables)
    if not announcing():
        return None
    client = _redis_at(settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL)
    try:
        tokens = client.hmget(tokens_key(), tables)
        if None in tokens:  # give the missing ones a token, and read all again, at once
            with client.pipeline(transaction=False) as pipe:
                for table, token in zip(tables, tokens, strict=True):
                    if token is None:
                        pipe.hsetnx(tokens_key(), table, secrets.token_hex(8))
                pipe.hmget(tokens_key(), tables)
                *_, tokens = pipe.execute()
    except redis.RedisError:
        logger.warning("Could not read the tables' tokens; computing without a cache")
        return None
    return ".".join(token.decode() for token in tokens if isinstance(token, bytes))
