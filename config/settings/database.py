from typing import Any

import dj_database_url

from config.env import env_bool, env_int, env_str
from config.settings.base import BASE_DIR, IS_PRODUCTION

DATABASE_URL = env_str("DATABASE_URL", required=IS_PRODUCTION)

# Under ASGI each request's database work runs on whichever thread of the sync pool is
# free, and a persistent connection belongs to its thread: kept connections pile up (one
# per thread per worker) until PostgreSQL refuses new clients. So connections close at
# the end of each request by default (a local connect costs a few milliseconds).
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 0)

if DATABASE_URL:
    DATABASES: dict[str, Any] = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
else:
    from config.embedded_postgres import embedded_database_settings

    DATABASES = {"default": embedded_database_settings(BASE_DIR / ".pgdata")}

# A pool of connections per web server process (psycopg_pool, through Django): a request
# borrows one for its database work and gives it back when it ends, so no request pays a
# new connection's start-up (3-4 ms, and a cold backend runs a title page's statements in
# 13.5 ms where a warm one takes 2.7). On by default in the ASGI and WSGI servers only
# (config/asgi.py): Celery's prefork workers would inherit a pool's threads across fork,
# and commands and workers hold one connection for long stretches anyway.
DATABASE_POOL = env_bool("DATABASE_POOL", False)
DATABASE_POOL_MIN_SIZE = env_int("DATABASE_POOL_MIN_SIZE", 2)
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 8)
if DATABASE_POOL:
    if DATABASE_CONN_MAX_AGE:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_POOL keeps connections: set DATABASE_CONN_MAX_AGE=0.")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": DATABASE_POOL_MIN_SIZE,
        "max_size": DATABASE_POOL_MAX_SIZE,
        # A request waits this long for a free connection before it fails.
        "timeout": 10,
    }

# How long one SQL statement may run (PostgreSQL's statement_timeout, e.g. "10s"; empty:
# no limit). The web servers set 10 s (config/asgi.py), so that no request of the API can
# hold a backend for minutes; a cancelled statement is a TIMEOUT error. `make run` gives
# the workers, whose rebuilds take minutes, 55 minutes (inside their 60-minute task limit).
DATABASE_STATEMENT_TIMEOUT = env_str("DATABASE_STATEMENT_TIMEOUT", "")

# PostgreSQL's JIT compiles a query whose estimated cost is high, which the API's reads
# over the big tables (home screens, popularity) often are: 100 ms and more of compiling
# to save a few. Off for every connection; no query here runs long enough to gain.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off" + (
    f" -c statement_timeout={DATABASE_STATEMENT_TIMEOUT}" if DATABASE_STATEMENT_TIMEOUT else ""
)
