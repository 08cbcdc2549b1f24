import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.worker import WorkController
from django.test import Client

from config.celery import app
from tests.factories import StaffUserFactory

# What a test that takes one of these fixtures needs, as the markers `make test-fast` leaves out.
MARKS_OF_FIXTURES = {"worker": "worker", "live_server": "server"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for fixture, mark in MARKS_OF_FIXTURES.items():
            if fixture in fixtures:
                item.add_marker(mark)


@pytest.fixture
def response_cache(settings: Any, transactional_db: None) -> Iterator[None]:
    """The cache on, under a prefix of its own; writes commit, as they do in production."""
    prefix = f"test-response-cache:{uuid.uuid4().hex}"
    settings.GRAPHQL_RESPONSE_CACHE_ENABLED = True
    settings.GRAPHQL_RESPONSE_CACHE_PREFIX = prefix
    client = redis.Redis.from_url(settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL)
    yield
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def staff_client(db: None) -> Client:
    """A browser session logged in as a staff user with every catalog permission."""
    client = Client()
    client.force_login(StaffUserFactory())
    return client


@pytest.fixture
def worker(transactional_db: None) -> Iterator[WorkController]:
    """A real Celery worker (two threads) consuming from the real Redis broker.

    Tasks sent with `.delay()` run in the worker's threads on their own database
    connections, so the data they read must be committed: hence `transactional_db`.
    """
    # Tasks other tests sent with no worker to run them (a profile refresh after
    # recordViewingEvents) would run here against this test's data.
    app.control.purge()
    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
    ) as controller:
        yield controller
