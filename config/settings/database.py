from typing import Any

import dj_database_url

from config.env import env_int, env_str
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

# PostgreSQL's JIT compiles a query whose estimated cost is high, which the API's reads
# over the big tables (home screens, popularity) often are: 100 ms and more of compiling
# to save a few. Off for every connection; no query here runs long enough to gain.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
