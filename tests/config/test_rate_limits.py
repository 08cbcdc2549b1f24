"""Rate limits on /graphql/, per API token and per client address, kept in the real Redis."""

import contextlib
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client, override_settings

from config.accounts.models import ApiToken
from config.accounts.tokens import api_token_issue
from tests.factories import ViewerFactory
from tests.graphql import fresh_address

QUERY = {"query": "{ __typename }"}


@pytest.fixture(autouse=True)
def small_limits(settings: Any) -> None:
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_PER_IP = 3
    settings.RATE_LIMIT_PER_TOKEN = 5
    settings.RATE_LIMIT_WINDOW_SECONDS = 60
    settings.TRUSTED_PROXY_COUNT = 0


def fresh_ipv6_network() -> str:
    """The first four groups of an IPv6 address: a /64 no other test has used."""
    groups = uuid.uuid4().hex[:16]
    return "fd00:" + ":".join(groups[i : i + 4] for i in range(4, 16, 4))


def fresh_bearer(name: str) -> dict[str, str]:
    """The header of a new token whose id no earlier run has counted requests against
    (test databases number their rows from 1 again)."""
    viewer: Any = ViewerFactory()
    token = ApiToken(pk=uuid.uuid4().int % 10**12, user=viewer, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(token)}"}


def ask(address: str, **headers: str) -> Any:
    return Client().post(
        "/graphql/", data=QUERY, content_type="application/json", REMOTE_ADDR=address, **headers
    )


def statuses(address: str, count: int, **headers: str) -> list[int]:
    return [ask(address, **headers).status_code for _ in range(count)]


def test_an_address_over_its_limit_gets_429_with_retry_after_and_a_coded_error(
    db: None,
) -> None:
    address = fresh_address()

    served = [ask(address) for _ in range(3)]
    refused = ask(address)

    assert [response.status_code for response in served] == [200, 200, 200]
    assert served[0].json()["data"] == {"__typename": "Query"}
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    # the window slides: this window's requests still weigh in during the next one
    assert 1 <= retry_after <= 2 * 60
    assert refused.json() == {
        "errors": [
            {
                "message": "Too many requests: at most 3 every 60 seconds from one address. "
                f"Retry in {retry_after} seconds.",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ]
    }
    assert len(refused["X-Request-ID"]) == 32


def test_each_address_has_its_own_budget(db: None) -> None:
    first, second = fresh_address(), fresh_address()

    assert statuses(first, 4) == [200, 200, 200, 429]
    assert statuses(second, 1) == [200]


def test_an_api_token_has_its_own_budget_whatever_the_address(db: None) -> None:
    bearer = fresh_bearer("Living-room TV")
    address = fresh_address()

    # the token's five requests come from as many addresses, then one more from a new one
    with_token = [ask(fresh_address(), **bearer).status_code for _ in range(6)]
    without_token = statuses(address, 1)

    assert with_token == [200, 200, 200, 200, 200, 429]
    assert without_token == [200]


def test_the_429_of_a_token_names_the_token(db: None) -> None:
    bearer = fresh_bearer("Phone app")
    address = fresh_address()

    *_, refused = [ask(address, **bearer) for _ in range(6)]

    assert refused.status_code == 429
    assert refused.json()["errors"][0]["message"].startswith(
        "Too many requests: at most 5 every 60 seconds from this API token."
    )


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(db: None) -> None:
    proxy = fresh_address()

    # a client rotating the header it writes itself gains nothing
    refusals = [ask(proxy, HTTP_X_FORWARDED_FOR=fresh_address()).status_code for _ in range(4)]

    assert refusals == [200, 200, 200, 429]


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(db: None) -> None:
    proxy, client, other_client = fresh_address(), fresh_address(), fresh_address()

    # entries before the one the proxy appended were written by the client: ignored
    as_client = [
        ask(proxy, HTTP_X_FORWARDED_FOR=f"{fresh_address()}, {client}").status_code
        for _ in range(4)
    ]
    as_other_client = statuses(proxy, 1, HTTP_X_FORWARDED_FOR=other_client)

    assert as_client == [200, 200, 200, 429]
    assert as_other_client == [200]


def test_ipv6_clients_share_a_budget_per_64_network(db: None) -> None:
    network = fresh_ipv6_network()
    neighbour = fresh_ipv6_network()

    same_network = [ask(f"{network}::{host}").status_code for host in (1, 2, 3, 4)]
    other_network = statuses(f"{neighbour}::1", 1)

    assert same_network == [200, 200, 200, 429]
    assert other_network == [200]


def test_other_paths_are_not_limited(db: None) -> None:
    address = fresh_address()

    health = [Client().get("/healthz", REMOTE_ADDR=address).status_code for _ in range(5)]

    assert health == [200] * 5
    assert statuses(address, 1) == [200]


@override_settings(RATE_LIMIT_WINDOW_SECONDS=2, RATE_LIMIT_PER_IP=2)
def test_a_refused_client_is_served_again_after_retry_after(db: None) -> None:
    address = fresh_address()
    assert statuses(address, 2) == [200, 200]

    refused = ask(address)
    time.sleep(int(refused["Retry-After"]))
    again = ask(address)

    assert refused.status_code == 429
    assert again.status_code == 200


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_requests_are_served_when_redis_is_down_and_the_failure_is_logged_once(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    address = fresh_address()

    with caplog.at_level(logging.WARNING, logger="config.graphql.rate_limits"):
        served = statuses(address, 5)

    assert served == [200] * 5
    warnings = [record for record in caplog.records if record.name == "config.graphql.rate_limits"]
    assert [record.getMessage() for record in warnings] == [
        "Redis did not answer: rate limits are off for 5 seconds"
    ]


@contextmanager
def silent_redis() -> Iterator[tuple[str, list[socket.socket]]]:
    """A server that takes connections and commands and never answers: a Redis too busy
    to reply in time. Yields its URL and the connections it was asked for."""
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = listener.accept()
                connections.append(connection)
                threading.Thread(target=read_all, args=(connection,), daemon=True).start()

    def read_all(connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection:
            while connection.recv(65536):
                pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0", connections
    finally:
        listener.close()


def test_a_late_answer_lets_that_request_through_and_the_next_asks_again(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    with silent_redis() as (url, connections), override_settings(REDIS_URL=url):
        with caplog.at_level(logging.WARNING, logger="config.graphql.rate_limits"):
            served = statuses(fresh_address(), 3)
        asked = len(connections)

    assert served == [200] * 3
    assert asked == 3  # the limits stayed on: each request asked Redis again
    messages = {record.getMessage() for record in caplog.records}
    assert messages == {"Redis did not answer the rate limit in time; allowing this request"}
