from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str
from config.graphql.trusted_documents import trusted_documents_at
from config.settings.base import BASE_DIR, DEBUG, IS_PRODUCTION
from config.settings.workers import REDIS_URL

GRAPHQL_MAX_PAGE_SIZE = env_int("GRAPHQL_MAX_PAGE_SIZE", 100)
GRAPHQL_DEFAULT_PAGE_SIZE = env_int("GRAPHQL_DEFAULT_PAGE_SIZE", 20)
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 30)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 2000)
# Documents each web process keeps parsed and validated (config/graphql/limits.py).
GRAPHQL_DOCUMENT_CACHE_SIZE = env_int("GRAPHQL_DOCUMENT_CACHE_SIZE", 256)
# Fields and fragments in one selection set: merging them is checked pairwise.
GRAPHQL_MAX_SELECTIONS = env_int("GRAPHQL_MAX_SELECTIONS", 100)
# Each field costs 1; a list costs its subtree times its page size (see config/graphql/limits.py).
GRAPHQL_MAX_COST = env_int("GRAPHQL_MAX_COST", 100_000)
GRAPHIQL_ENABLED = DEBUG
GRAPHQL_INTROSPECTION_ENABLED = env_bool("GRAPHQL_INTROSPECTION_ENABLED", default=DEBUG)
# The router's secret for `_service { sdl }` where introspection is off (X-Subgraph-Token).
FEDERATION_SDL_TOKEN = env_str("FEDERATION_SDL_TOKEN", "")
# An unexpected error's message is replaced by a generic one naming the request id.
GRAPHQL_MASK_INTERNAL_ERRORS = env_bool("GRAPHQL_MASK_INTERNAL_ERRORS", default=not DEBUG)

# Requests to /graphql/ per window, kept in Redis (off without REDIS_URL): per API token
# when the request has one, else per client address (an IPv6 client per /64).
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", default=True)
RATE_LIMIT_WINDOW_SECONDS = env_int("RATE_LIMIT_WINDOW_SECONDS", 60)
RATE_LIMIT_PER_TOKEN = env_int("RATE_LIMIT_PER_TOKEN", 1200)
RATE_LIMIT_PER_IP = env_int("RATE_LIMIT_PER_IP", 300)
# Proxies in front of the service that append to X-Forwarded-For; 0: trust no such header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Public catalog reads are answered from Redis while every table they read is unchanged
# (config/graphql/response_cache). Its own Redis database is best (maxmemory-policy volatile-lru:
# entries expire and may be evicted, the tables' tokens may not); by default REDIS_URL's.
# Every process that writes to the database announces its writes there whenever the URL
# is set, whether or not it serves from the cache. Entries expire after
# GRAPHQL_RESPONSE_CACHE_SECONDS, which bounds what no write announces (an availability
# window opening with the clock).
GRAPHQL_RESPONSE_CACHE_REDIS_URL = env_str("GRAPHQL_RESPONSE_CACHE_REDIS_URL") or REDIS_URL
GRAPHQL_RESPONSE_CACHE_ENABLED = env_bool("GRAPHQL_RESPONSE_CACHE_ENABLED", default=True) and bool(
    GRAPHQL_RESPONSE_CACHE_REDIS_URL
)
GRAPHQL_RESPONSE_CACHE_SECONDS = env_int("GRAPHQL_RESPONSE_CACHE_SECONDS", 120)
# Keys are this prefix, then the database's name: servers of other databases sharing the
# Redis (staging beside production) never answer from each other's entries.
GRAPHQL_RESPONSE_CACHE_PREFIX = "catalog:graphql"

# The front end's manifest of trusted documents (id -> text), a path absolute or relative to
# the project; empty: none. Read and checked here, so that a bad manifest stops the start.
_trusted_documents_path = env_str("GRAPHQL_TRUSTED_DOCUMENTS")
GRAPHQL_TRUSTED_DOCUMENTS = (
    str(BASE_DIR / _trusted_documents_path) if _trusted_documents_path else ""
)
trusted_documents_at(GRAPHQL_TRUSTED_DOCUMENTS)
# Allow-list mode: run only the manifest's documents. On by default in production when a
# manifest is deployed.
GRAPHQL_TRUSTED_DOCUMENTS_ONLY = env_bool(
    "GRAPHQL_TRUSTED_DOCUMENTS_ONLY", default=IS_PRODUCTION and bool(GRAPHQL_TRUSTED_DOCUMENTS)
)
if GRAPHQL_TRUSTED_DOCUMENTS_ONLY and not GRAPHQL_TRUSTED_DOCUMENTS:
    raise ImproperlyConfigured(
        "GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on but GRAPHQL_TRUSTED_DOCUMENTS names no manifest: "
        "the server would refuse every request."
    )

STRAWBERRY_DJANGO = {
    "FIELD_DESCRIPTION_FROM_HELP_TEXT": True,
    "TYPE_DESCRIPTION_FROM_MODEL_DOCSTRING": False,
    "PAGINATION_DEFAULT_LIMIT": GRAPHQL_MAX_PAGE_SIZE,
    "MUTATIONS_DEFAULT_HANDLE_ERRORS": False,
}
