"""A DATABASE_URL for a Django connection's settings, to hand to a process of our own."""

from typing import Any
from urllib.parse import quote


def database_url(settings_dict: dict[str, Any], *, name: str | None = None) -> str:
    """The URL of that database (or of `name` on the same server). The embedded server's
    host is a socket folder, which the URL carries percent-encoded."""
    credentials = quote(settings_dict["USER"] or "postgres", safe="")
    if settings_dict.get("PASSWORD"):
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = quote(settings_dict["HOST"] or "127.0.0.1", safe="")
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{name or settings_dict['NAME']}"
