"""The web server keeps its database connections: once warm, no request opens one."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection

from tests.deployment import base_environment, servers_database_url, uvicorn_serving

pytestmark = [pytest.mark.server, pytest.mark.subprocess]

REQUESTS = 30


@pytest.fixture
def api_server(transactional_db: None) -> Iterator[str]:
    """uvicorn on the test database, as `make run` starts it but with one worker."""
    environment = base_environment(
        DATABASE_URL=servers_database_url(settings.DATABASES["default"]["NAME"]),
        REDIS_URL=settings.REDIS_URL,
    )
    with uvicorn_serving(environment) as url:
        yield url


def ask_genres(url: str) -> None:
    request = urllib.request.Request(
        f"{url}/graphql/",
        data=json.dumps({"query": "{ genres { name } }"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["data"] == {"genres": []}


def server_backends() -> set[tuple[int, object]]:
    """(pid, start) of every session on the test database but this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return set(cursor.fetchall())


def test_once_warm_the_api_answers_every_request_on_the_connections_it_keeps(
    api_server: str,
) -> None:
    # Given a server that has answered once
    ask_genres(api_server)
    warm = server_backends()

    # When it answers many more requests
    for _ in range(REQUESTS):
        ask_genres(api_server)

    # Then its sessions are the very ones it had: none opened, none closed
    assert warm
    assert server_backends() == warm
