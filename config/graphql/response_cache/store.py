"""The cached responses in Redis: which requests may be cached, their keys, lookups and
stores.

An entry holds the response (`data` and `extensions`) and the token, at the time the
response began to be computed, of every table it read. It is served while each of those
tables still has that token.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import redis
import redis.asyncio
from django.conf import settings
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    parse,
    print_ast,
)
from strawberry.types import ExecutionResult

from config.table_tokens import (
    REDIS_TIMEOUT_SECONDS,
    key_prefix,
    public_tables,
    tokens_key,
)

logger = logging.getLogger(__name__)

# Root fields whose answers are the same for every caller but staff. The personal ones
# (`profile`, `home`, `myProfiles`) and the staff-only ones are left out, and so are
# `node` and `nodes`: a profile's id asked for by someone else resolves to null without
# reading a table, an answer that would then be served to its owner too.
PUBLIC_ROOT_FIELDS = frozenset(
    {
        "__typename",
        "_entities",
        "_service",
        "genres",
        "people",
        "person",
        "search",
        "title",
        "titles",
        "top10",
        "trending",
    }
)
# How long Redis is left alone after it failed to answer: requests are computed meanwhile.
REDIS_RETRY_SECONDS = 5.0
# Longer documents are fingerprinted every time rather than kept in the memo.
MEMO_MAX_CHARS = 20_000
# A larger response is computed every time rather than stored.
MAX_ENTRY_BYTES = 1_000_000

# RFC 9211 `Cache-Status` values, under this cache's name.
CACHE_NAME = "catalog-graphql"
HIT = f"{CACHE_NAME}; hit"
STORED = f"{CACHE_NAME}; fwd=miss; stored"
MISS = f"{CACHE_NAME}; fwd=miss"
BYPASS = f"{CACHE_NAME}; fwd=bypass"


def _root_fields(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> set[str]:
    names: set[str] = set()
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is None:
                names.add("")  # an unknown fragment: the document will not run
            else:
                names |= _root_fields(fragment.selection_set, fragments, seen)
    return names


@dataclass(frozen=True)
class Fingerprint:
    digest: str  # of the normalised document
    variables: frozenset[str]  # the operation's declared variables


def document_fingerprint(query: str, operation_name: str | None) -> Fingerprint | None:
    """The normalised document's hash (parsed and printed again: spacing, commas and
    comments do not count) and its operation's variables, if that operation is a query of
    public root fields only; else None. Short documents, which clients send again and
    again, are remembered."""
    if len(query) > MEMO_MAX_CHARS:
        return _fingerprint(query, operation_name)
    return _fingerprint_memo(query, operation_name)


@lru_cache(maxsize=2048)
def _fingerprint_memo(query: str, operation_name: str | None) -> Fingerprint | None:
    return _fingerprint(query, operation_name)


def _fingerprint(query: str, operation_name: str | None) -> Fingerprint | None:
    try:
        # The token limit first: this runs in the event loop, before Strawberry's own parse.
        document = parse(query, max_tokens=settings.GRAPHQL_MAX_TOKENS)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    if not _root_fields(operation.selection_set, fragments, set()) <= PUBLIC_ROOT_FIELDS:
        return None
    return Fingerprint(
        digest=hashlib.sha256(print_ast(document).encode()).hexdigest(),
        variables=frozenset(
            definition.variable.name.value for definition in operation.variable_definitions or ()
        ),
    )


def response_key(fingerprint: Fingerprint, operation_name: str | None, variables: Any) -> str:
    """Variables the operation does not declare change nothing in its answer, so they are
    left out: they cannot make new entries."""
    declared = {
        name: value for name, value in (variables or {}).items() if name in fingerprint.variables
    }
    arguments = json.dumps(
        [operation_name, declared], sort_keys=True, separators=(",", ":"), default=str
    )
    digest = hashlib.sha256(arguments.encode()).hexdigest()
    return f"{key_prefix()}:response:{fingerprint.digest}:{digest}"


@dataclass
class Lookup:
    """A lookup's answer: the stored result if it is fresh, and every public table's token
    as it was before the response (if any) is computed."""

    result: ExecutionResult | None = None
    tokens: dict[str, str] = field(default_factory=dict)


_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis] = (
    weakref.WeakKeyDictionary()
)
_unavailable_until = 0.0


def key_for(query: str, operation_name: str | None, variables: Any) -> str | None:
    """The key of a request's response, or None if its document may not be cached."""
    fingerprint = document_fingerprint(query, operation_name)
    if fingerprint is None:
        return None
    return response_key(fingerprint, operation_name, variables)


def _client() -> redis.asyncio.Redis:
    """One client per event loop: an asyncio connection belongs to the loop it opened in."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = _clients[loop] = redis.asyncio.Redis.from_url(
            settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    return client


def cache_available() -> bool:
    return (
        settings.GRAPHQL_RESPONSE_CACHE_ENABLED
        and bool(settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL)
        and time.monotonic() >= _unavailable_until
    )


def _redis_failed(action: str, error: redis.RedisError) -> None:
    """Leave Redis alone for a few seconds if it cannot be reached; not for a slow answer.

    Under load a reply often waits in the event loop's own backlog past the timeout: that
    request is computed, and the next one asks Redis again, rather than the whole process
    computing every response for REDIS_RETRY_SECONDS because it was busy.
    """
    global _unavailable_until
    if isinstance(error, redis.TimeoutError):
        logger.warning("The response cache did not answer in time to %s; computing it", action)
        return
    _unavailable_until = time.monotonic() + REDIS_RETRY_SECONDS
    logger.exception("The response cache could not %s; computing responses meanwhile", action)


def _decoded(mapping: dict[bytes, bytes]) -> dict[str, str]:
    return {key.decode(): value.decode() for key, value in mapping.items()}


async def _tokens_complete(client: redis.asyncio.Redis, tokens: dict[str, str]) -> dict[str, str]:
    """Every public table's token, giving one to the tables that have none yet (never
    written since Redis started, or evicted)."""
    missing = public_tables() - tokens.keys()
    if not missing:
        return tokens
    async with client.pipeline(transaction=False) as pipe:
        for table in missing:
            pipe.hsetnx(tokens_key(), table, secrets.token_hex(8))
        pipe.hgetall(tokens_key())
        *_, everything = await pipe.execute()
    return _decoded(everything)


async def lookup(key: str) -> Lookup | None:
    """The stored response under `key` if it is fresh, with the tables' tokens; None when
    Redis cannot be reached."""
    try:
        client = _client()
        async with client.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.hgetall(tokens_key())
            entry, tokens = await pipe.execute()
        tokens = await _tokens_complete(client, _decoded(tokens))
    except redis.RedisError as error:
        _redis_failed("look up a response", error)
        return None
    if entry is None:
        return Lookup(tokens=tokens)
    try:
        stored = json.loads(entry)
        fresh = all(tokens.get(table) == token for table, token in stored["tables"].items())
        result = ExecutionResult(stored["data"], None, stored["extensions"])
    except (ValueError, KeyError, TypeError, AttributeError):
        logger.warning("An unreadable response cache entry at %s: computing it again", key)
        return Lookup(tokens=tokens)
    return Lookup(result if fresh else None, tokens)


def storable(result: ExecutionResult, tables: set[str]) -> bool:
    """A response is stored when it has data, no errors, and read public tables only."""
    return result.data is not None and not result.errors and tables <= public_tables()


async def store(
    key: str, result: ExecutionResult, tables: set[str], tokens: dict[str, str]
) -> bool:
    """Store the response if it may be; whether it was."""
    if not storable(result, tables):
        return False
    if not tables <= tokens.keys():  # a table's token was evicted since the lookup
        return False
    try:
        entry = json.dumps(
            {
                "tables": {table: tokens[table] for table in tables},
                "data": result.data,
                "extensions": result.extensions,
            },
            separators=(",", ":"),
        )
    except (TypeError, ValueError):
        logger.warning("A response to %s could not be stored: not plain JSON", key)
        return False
    if len(entry) > MAX_ENTRY_BYTES:
        return False
    try:
        await _client().set(key, entry, ex=settings.GRAPHQL_RESPONSE_CACHE_SECONDS)
    except redis.RedisError as error:
        _redis_failed("store a response", error)
        return False
    return True
