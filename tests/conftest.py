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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Factories give every account a password; the real hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_worker_caches(settings: Any) -> None:
    """The workers keep catalog facts and popularity lists for minutes, and home screens
    share genre rankings, in a cache that outlives a test; tests change the data at once
    (and roll it back, which no table token hears of)."""
    settings.RECOMMENDATION_CATALOG_CACHE_SECONDS = 0
    settings.RECOMMENDATION_POPULARITY_CACHE_SECONDS = 0
    settings.HOME_GENRE_RANKING_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def no_rate_limits(settings: Any) -> None:
    """Every test client calls from 127.0.0.1, whose budget the suite would use up;
    tests/config/test_rate_limits.py turns the limits back on."""
    settings.RATE_LIMIT_ENABLED = False


@pytest.fixture(autouse=True)
def no_response_cache(settings: Any) -> None:
    """Tests roll their writes back, so no commit announces them: an answer stored in one
    test could be served in the next. tests/config/test_response_cache.py turns it on."""
    settings.GRAPHQL_RESPONSE_CACHE_ENABLED = False


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
