"""The hardening cases through a real production-configured server (uvicorn, as deployed):
every malformed body, string and oversized request gets one coded GraphQL error, never a
server error or Django's HTML page; staff values that would break later reads are refused;
the admin's sign-in locks out a guesser."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from axes.utils import reset as reset_sign_in_failures
from django.conf import settings
from strawberry.relay import to_base64

from config.accounts.tokens import api_token_create
from config.management.commands.run_service import UVICORN_PROXY_OPTIONS
from production.models import Stage
from tests.deployment import production_environment, servers_database_url, uvicorn_serving
from tests.factories import (
    CastingRoleFactory,
    PersonFactory,
    ProductionFactory,
    StaffUserFactory,
)

pytestmark = [pytest.mark.server, pytest.mark.subprocess]

SEARCH = "query ($q: String!) { search(query: $q, first: 5) { edges { node { name } } } }"


def body_of(query: str, **variables: Any) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


# name: (body, expected status, expected code, expected field or None)
CASES: dict[str, tuple[bytes, int, str, str | None]] = {
    "a body that is not UTF-8": (
        b'{"query": "{ genres { name } }\xff"}', 400, "BAD_USER_INPUT", None
    ),
    "variables nested past the decoder's limit": (
        b'{"query": "{ genres { name } }", "variables": {"a": '
        + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        400,
        "BAD_USER_INPUT",
        None,
    ),
    "an integer of 5,000 digits": (
        b'{"query": "{ genres { name } }", "variables": {"n": ' + b"9" * 5_000 + b"}}",
        400,
        "BAD_USER_INPUT",
        None,
    ),
    "a body of 10 MB": (
        body_of("{ genres { name } }", pad="x" * 10_000_000), 413, "BAD_USER_INPUT", None
    ),
    "a search holding a NUL": (body_of(SEARCH, q="heat\x00"), 200, "BAD_USER_INPUT", "q"),
    "a search holding a lone surrogate": (
        b'{"query": "' + SEARCH.encode() + b'", "variables": {"q": "\\ud800"}}',
        200,
        "BAD_USER_INPUT",
        "q",
    ),
    "a search of 1,000 characters": (
        body_of(SEARCH, q="a" * 1_000), 200, "BAD_USER_INPUT", "query"
    ),
    "nodes of 101 ids": (
        body_of(
            "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            ids=[to_base64("Title", n) for n in range(101)],
        ),
        200,
        "BAD_USER_INPUT",
        "ids",
    ),
    "the SDL asked for anonymously": (body_of("{ _service { sdl } }"), 200, "FORBIDDEN", None),
}  # fmt: skip


@contextmanager
def serving_in_production(**overrides: str) -> Iterator[str]:
    """uvicorn with production settings on the test database, as the deployment runs it."""
    environment = production_environment(
        DATABASE_URL=servers_database_url(settings.DATABASES["default"]["NAME"]),
        ALLOWED_HOSTS="127.0.0.1",
        **overrides,
    )
    with uvicorn_serving(environment, *UVICORN_PROXY_OPTIONS) as url:
        yield url


@pytest.fixture
def production_server(transactional_db: None) -> Iterator[str]:
    with serving_in_production() as url:
        yield url


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        f"{url}/graphql/",
        data=body,
        headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"}
        | (headers or {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_every_refusal_through_the_real_server_is_one_coded_graphql_error(
    production_server: str,
) -> None:
    outcomes = {}
    for name, (body, *_expected) in CASES.items():
        got_status, content_type, content = post(production_server, body)
        assert content_type.startswith("application/json"), (name, got_status, content[:200])
        errors = json.loads(content)["errors"]
        extensions = errors[0].get("extensions", {})
        outcomes[name] = (got_status, extensions.get("code"), extensions.get("field"))
        assert len(errors) == 1, (name, errors)
        assert errors[0]["message"], name

    assert outcomes == {
        name: (status, code, field) for name, (_, status, code, field) in CASES.items()
    }


# ---------------------------------------------------------------------------------------
# Staff values that would break later reads

AUDITION = """
mutation ($input: ScheduleAuditionInput!) { scheduleAudition(input: $input) { id } }
"""
BUDGET = """
mutation ($id: ID!, $category: String!, $usd: Int!) {
  setBudgetLine(productionId: $id, category: $category, plannedUsd: $usd, actualUsd: $usd) {
    plannedUsd
  }
}
"""
PRODUCTIONS = """
{ productions(first: 50) { edges { node { id budget { plannedUsd actualUsd }
  roles { auditions { scheduledAt } } } } } }
"""
LARGEST_INT = 2**31 - 1


def staff_request(url: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    status, _, content = post(
        url, body_of(query, **variables), headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200, content[:300]
    body: dict[str, Any] = json.loads(content)
    return body


def refusal_of(body: dict[str, Any]) -> tuple[str, str] | None:
    if "errors" not in body:
        return None
    (error,) = body["errors"]
    return error["extensions"]["code"], error["extensions"]["field"]


def test_staff_dates_and_amounts_that_would_break_the_productions_list_are_refused(
    production_server: str,
) -> None:
    # Given a staff token and a production with a casting role
    token = api_token_create(user=StaffUserFactory(), name="probe").plaintext
    production = ProductionFactory(stage=Stage.MARKETING)
    production_id = to_base64("Production", production.pk)
    role_id = to_base64("CastingRole", CastingRoleFactory(production=production).pk)
    person_id = to_base64("Person", PersonFactory().pk)

    def audition_at(moment: str) -> tuple[str, str] | None:
        return refusal_of(
            staff_request(
                production_server,
                token,
                AUDITION,
                input={"roleId": role_id, "personId": person_id, "scheduledAt": moment},
            )
        )

    def budget_line(category: str, usd: int) -> tuple[str, str] | None:
        return refusal_of(
            staff_request(
                production_server, token, BUDGET, id=production_id, category=category, usd=usd
            )
        )

    # When staff send the probe's values: a BC date, the last moment of year 9999, and two
    # budget lines of the largest Int
    outcomes = {
        "an audition in year 1": audition_at("0001-01-01T00:00:00+14:00"),
        "an audition in year 9999": audition_at("9999-12-31T23:59:59-14:00"),
        "a budget line of 2^31-1": budget_line("Cast", LARGEST_INT),
        "a line of $2B": budget_line("Cast", 2_000_000_000),
        "a second line of $2B": budget_line("Crew", 2_000_000_000),
        "an audition next year": audition_at("2027-03-01T10:00:00+00:00"),
    }

    # Then each value out of its range is refused, naming its argument; the rest is stored
    assert outcomes == {
        "an audition in year 1": ("BAD_USER_INPUT", "scheduledAt"),
        "an audition in year 9999": ("BAD_USER_INPUT", "scheduledAt"),
        "a budget line of 2^31-1": ("BAD_USER_INPUT", "plannedUsd"),
        "a line of $2B": None,
        "a second line of $2B": ("BAD_USER_INPUT", "plannedUsd"),
        "an audition next year": None,
    }
    # and the staff list still answers, with the sums it can show
    listing = staff_request(production_server, token, PRODUCTIONS)
    assert "errors" not in listing, listing["errors"]
    (edge,) = listing["data"]["productions"]["edges"]
    assert edge["node"]["budget"] == {"plannedUsd": 2_000_000_000, "actualUsd": 2_000_000_000}
    assert [a["scheduledAt"] for r in edge["node"]["roles"] for a in r["auditions"]] == [
        "2027-03-01T10:00:00+00:00"
    ]


# ---------------------------------------------------------------------------------------
# The admin's sign-in

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(url: str, username: str, password: str) -> int:
    """The status of the admin's sign-in form posted as a browser does (its CSRF cookie
    and field first); 302 signs in, 200 shows the form again, 429 is locked out."""
    secure = {"X-Forwarded-Proto": "https"}
    with urllib.request.urlopen(
        urllib.request.Request(f"{url}/admin/login/", headers=secure), timeout=30
    ) as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        field = CSRF_FIELD.search(page.read())
    assert field is not None
    form = {
        "csrfmiddlewaretoken": field.group(1).decode(),
        "username": username,
        "password": password,
        "next": "/admin/",
    }
    request = urllib.request.Request(
        f"{url}/admin/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers=secure
        | {"Cookie": cookie, "Referer": f"https://{url.removeprefix('http://')}/admin/login/"},
    )
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_the_admin_sign_in_locks_out_a_guesser_through_the_real_server(
    transactional_db: None,
) -> None:
    # Given a staff account, and a server that allows 3 wrong passwords
    staff = StaffUserFactory(username=f"staff-{uuid.uuid4().hex[:8]}")
    try:
        with serving_in_production(ADMIN_LOGIN_FAILURE_LIMIT="3") as url:
            # When someone guesses its password, then tries the right one
            guesses = [sign_in(url, staff.username, f"guess-{n}") for n in range(4)]
            right_password = sign_in(url, staff.username, "staff-password")
    finally:
        # The lockout is kept in Redis, for this address (every test signs in from it)
        reset_sign_in_failures(ip="127.0.0.1", username=staff.username)

    # Then two wrong guesses show the form again, the third locks out, and so does the
    # right password afterwards
    assert guesses == [200, 200, 429, 429]
    assert right_password == 429
