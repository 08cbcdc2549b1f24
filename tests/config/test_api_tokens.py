"""API tokens: how app clients authenticate, how staff issue and revoke them, and what a
token request may skip (CSRF) and may not (a bad token is never served as anonymous)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from strawberry.relay import to_base64

from config.accounts.middleware import ApiTokenMiddleware
from config.accounts.models import ApiToken
from config.accounts.tokens import api_token_create, api_token_revoke
from tests.factories import ProductionFactory, ProfileFactory, StaffUserFactory, ViewerFactory
from tests.graphql import error_codes

PLAINTEXT = re.compile(r"cat_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")
PROFILE = "query ($id: ID!) { profile(id: $id) { name } myProfiles { name } }"
GENRES = "{ genres { name } }"


def bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


def post(
    client: Client,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    return client.post(
        "/graphql/",
        data={"query": query, "variables": variables or {}},
        content_type="application/json",
        headers=headers or {},
    )


def profile_of(account: Any, name: str = "Kids") -> tuple[Any, dict[str, str]]:
    profile = ProfileFactory(account=account, name=name)
    return profile, {"id": to_base64("Profile", profile.pk)}


# ---------------------------------------------------------------------------------------
# A token acts as its account


@pytest.mark.django_db
def test_a_token_acts_as_its_account_on_the_api() -> None:
    viewer = ViewerFactory()
    _, variables = profile_of(viewer)
    issued = api_token_create(user=viewer, name="Living-room TV")

    with_token = post(Client(), PROFILE, variables, bearer(issued.plaintext))
    without = post(Client(), PROFILE, variables)

    assert with_token.status_code == 200
    assert with_token.json()["data"] == {
        "profile": {"name": "Kids"},
        "myProfiles": [{"name": "Kids"}],
    }
    assert error_codes(without.json()) == ["UNAUTHENTICATED"]


@pytest.mark.django_db
def test_a_token_of_another_viewer_is_refused_their_profile() -> None:
    _, variables = profile_of(ViewerFactory())
    stranger = api_token_create(user=ViewerFactory(), name="Phone")

    body = post(Client(), PROFILE, variables, bearer(stranger.plaintext)).json()

    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None


@pytest.mark.django_db
def test_a_staff_token_reads_staff_only_fields_and_a_viewers_does_not() -> None:
    ProductionFactory(logline="A heist goes wrong.")
    query = "{ productions(first: 5) { edges { node { logline budgetUsd } } } }"
    staff = api_token_create(user=StaffUserFactory(), name="Reporting")
    viewer = api_token_create(user=ViewerFactory(), name="Phone")

    as_staff = post(Client(), query, headers=bearer(staff.plaintext)).json()
    as_viewer = post(Client(), query, headers=bearer(viewer.plaintext)).json()

    assert as_staff["data"]["productions"]["edges"] == [
        {"node": {"logline": "A heist goes wrong.", "budgetUsd": 20_000_000}}
    ]
    assert error_codes(as_viewer) == ["FORBIDDEN"]


@pytest.mark.django_db
def test_a_token_works_through_the_asynchronous_stack() -> None:
    viewer = ViewerFactory()
    _, variables = profile_of(viewer)
    issued = api_token_create(user=viewer, name="Web")

    response = async_to_sync(AsyncClient().post)(
        "/graphql/",
        data={"query": PROFILE, "variables": variables},
        content_type="application/json",
        headers=bearer(issued.plaintext),
    )

    assert response.status_code == 200
    assert response.json()["data"]["profile"] == {"name": "Kids"}


@pytest.mark.django_db
def test_the_middleware_tells_later_middleware_which_token_a_request_used() -> None:
    issued = api_token_create(user=ViewerFactory(), name="TV")
    seen: dict[str, Any] = {}

    def view(request: Any) -> HttpResponse:
        seen[request.headers.get("Authorization", "none")] = request.api_token
        return HttpResponse()

    middleware = ApiTokenMiddleware(view)
    for headers in ({}, bearer(issued.plaintext)):
        middleware(RequestFactory().post("/graphql/", headers=headers))

    assert seen == {"none": None, f"Bearer {issued.plaintext}": issued.token}


# ---------------------------------------------------------------------------------------
# A bad token is refused, never served as anonymous


def revoked() -> str:
    issued = api_token_create(user=ViewerFactory(), name="Old TV")
    api_token_revoke(token=issued.token)
    return f"Bearer {issued.plaintext}"


def expired() -> str:
    past = timezone.now() - timedelta(seconds=1)
    return (
        f"Bearer {api_token_create(user=ViewerFactory(), name='Trial', expires_at=past).plaintext}"
    )


def of_a_disabled_account() -> str:
    return f"Bearer {api_token_create(user=ViewerFactory(is_active=False), name='TV').plaintext}"


def with_a_wrong_secret() -> str:
    issued = api_token_create(user=ViewerFactory(), name="TV")
    other = api_token_create(user=ViewerFactory(), name="TV")
    return f"Bearer cat_{issued.token.prefix}_{other.plaintext[13:]}"


BAD_CREDENTIALS = {
    "unknown": (lambda: f"Bearer cat_abcd1234_{'A' * 43}", "This API token is not valid."),
    "wrong secret": (with_a_wrong_secret, "This API token is not valid."),
    "revoked": (revoked, "This API token was revoked."),
    "expired": (expired, "This API token has expired."),
    "disabled account": (of_a_disabled_account, "The account of this API token is disabled."),
    "malformed": (lambda: "Bearer let-me-in", "This is not an API token of this service."),
    "empty": (lambda: "Bearer ", "Send the API token as 'Authorization: Bearer <token>'."),
    "a token under another scheme": (
        lambda: f"Token {api_token_create(user=ViewerFactory(), name='TV').plaintext}",
        "Send the API token as 'Authorization: Bearer <token>'.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_CREDENTIALS))
def test_a_bad_token_is_refused_with_401_even_for_the_public_catalog(case: str) -> None:
    credential, message = BAD_CREDENTIALS[case]

    response = post(Client(), GENRES, headers={"Authorization": credential()})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]
    }


@pytest.mark.django_db
def test_another_scheme_is_left_to_whatever_sent_it() -> None:
    """HTTP Basic of a proxy in front of a staging site, say: not a token of ours."""
    response = post(
        Client(), PROFILE, {"id": "UHJvZmlsZTox"}, {"Authorization": "Basic c3RhZmY6eA=="}
    )

    assert response.status_code == 200
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


@pytest.mark.django_db
def test_a_token_that_has_not_expired_yet_works() -> None:
    soon = timezone.now() + timedelta(minutes=5)
    issued = api_token_create(user=ViewerFactory(), name="Trial", expires_at=soon)

    response = post(Client(), GENRES, headers=bearer(issued.plaintext))

    assert response.status_code == 200
    assert response.json()["data"] == {"genres": []}


@pytest.mark.django_db
def test_the_admin_ignores_a_token_staff_sign_in_there() -> None:
    issued = api_token_create(user=StaffUserFactory(), name="Reporting")

    response = Client().get("/admin/", headers=bearer(issued.plaintext))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# ---------------------------------------------------------------------------------------
# Storage: the hash, and one write a minute


@pytest.mark.django_db
def test_only_the_hash_of_the_secret_is_stored() -> None:
    issued = api_token_create(user=ViewerFactory(), name="TV")
    secret = issued.plaintext.removeprefix(f"cat_{issued.token.prefix}_")

    row = ApiToken.objects.values().get()

    assert PLAINTEXT.fullmatch(issued.plaintext)
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())


def token_writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute() -> None:
    issued = api_token_create(user=ViewerFactory(), name="TV")
    token = issued.token

    post(Client(), GENRES, headers=bearer(issued.plaintext))
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    with CaptureQueriesContext(connection) as again:
        post(Client(), GENRES, headers=bearer(issued.plaintext))
    after_again = ApiToken.objects.get(pk=token.pk).last_used_at
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with CaptureQueriesContext(connection) as a_minute_later:
        post(Client(), GENRES, headers=bearer(issued.plaintext))

    assert first_use is not None
    assert timezone.now() - first_use < timedelta(seconds=10)
    assert token_writes(again) == []
    assert after_again == first_use
    latest_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert len(token_writes(a_minute_later)) == 1
    assert latest_use is not None
    assert timezone.now() - latest_use < timedelta(seconds=10)


# ---------------------------------------------------------------------------------------
# CSRF: for the browser's session, not for tokens


@pytest.mark.django_db
def test_a_session_post_needs_the_csrf_token_and_a_token_post_does_not() -> None:
    viewer = ViewerFactory()
    _, variables = profile_of(viewer)
    issued = api_token_create(user=viewer, name="Web app")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(StaffUserFactory())

    session_without_csrf = post(browser, PROFILE, variables)
    session_and_token = post(browser, PROFILE, variables, bearer(issued.plaintext))
    token_alone = post(
        Client(enforce_csrf_checks=True), PROFILE, variables, bearer(issued.plaintext)
    )

    assert session_without_csrf.status_code == 403
    assert error_codes(session_without_csrf.json()) == ["FORBIDDEN"]
    # With a token, the token's account acts, whatever session the browser also holds.
    assert session_and_token.status_code == 200
    assert session_and_token.json()["data"]["myProfiles"] == [{"name": "Kids"}]
    assert token_alone.status_code == 200
    assert token_alone.json()["data"]["profile"] == {"name": "Kids"}


# ---------------------------------------------------------------------------------------
# The admin: create (the secret shown once), revoke; the hash never shown


ADD_URL = "/admin/accounts/apitoken/add/"
LIST_URL = "/admin/accounts/apitoken/"


def change_url(token: ApiToken) -> str:
    return f"/admin/accounts/apitoken/{token.pk}/change/"


@pytest.mark.django_db
def test_staff_create_a_token_in_the_admin_and_see_its_secret_once(staff_client: Client) -> None:
    viewer = ViewerFactory()
    _, variables = profile_of(viewer)

    created = staff_client.post(
        ADD_URL,
        {"user": viewer.pk, "name": "Living-room TV", "expires_at_0": "", "expires_at_1": ""},
    )

    assert created.status_code == 200
    (plaintext,) = PLAINTEXT.findall(created.content.decode())
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.expires_at) == (viewer, "Living-room TV", None)
    assert post(Client(), PROFILE, variables, bearer(plaintext)).json()["data"]["profile"] == {
        "name": "Kids"
    }
    secret = plaintext.removeprefix(f"cat_{token.prefix}_")
    for page in (staff_client.get(LIST_URL), staff_client.get(change_url(token))):
        assert page.status_code == 200
        assert token.prefix in page.content.decode()
        assert secret not in page.content.decode()
        assert token.secret_hash not in page.content.decode()


@pytest.mark.django_db
def test_the_admin_changes_a_tokens_name_and_nothing_that_proves_it(staff_client: Client) -> None:
    issued = api_token_create(user=ViewerFactory(), name="TV")
    token = issued.token

    staff_client.post(
        change_url(token), {"name": "Bedroom TV", "prefix": "zzzzzzzz", "secret_hash": "0" * 64}
    )

    token.refresh_from_db()
    assert token.name == "Bedroom TV"
    assert token.prefix == issued.token.prefix
    assert post(Client(), GENRES, headers=bearer(issued.plaintext)).status_code == 200


@pytest.mark.django_db
def test_staff_revoke_tokens_in_the_admin(staff_client: Client) -> None:
    kept = api_token_create(user=ViewerFactory(), name="Phone")
    gone = api_token_create(user=ViewerFactory(), name="Lost tablet")

    response = staff_client.post(
        LIST_URL, {"action": "revoke", "_selected_action": [gone.token.pk]}, follow=True
    )

    assert "Revoked 1 API token(s)." in response.content.decode()
    assert ApiToken.objects.get(pk=gone.token.pk).revoked_at is not None
    assert post(Client(), GENRES, headers=bearer(gone.plaintext)).status_code == 401
    assert post(Client(), GENRES, headers=bearer(kept.plaintext)).status_code == 200


@pytest.mark.django_db
def test_the_admin_lists_tokens_by_state() -> None:
    staff = StaffUserFactory()
    client = Client()
    client.force_login(staff)
    active = api_token_create(user=ViewerFactory(), name="Phone").token
    stopped = api_token_create(user=ViewerFactory(), name="Old TV").token
    api_token_revoke(token=stopped)

    revoked_page = client.get(LIST_URL, {"state": "revoked"}).content.decode()
    active_page = client.get(LIST_URL, {"state": "active"}).content.decode()

    assert stopped.prefix in revoked_page
    assert active.prefix not in revoked_page
    assert active.prefix in active_page
    assert stopped.prefix not in active_page


@pytest.mark.django_db
def test_viewers_cannot_reach_the_token_admin() -> None:
    client = Client()
    client.force_login(ViewerFactory())

    response = client.get(ADD_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# ---------------------------------------------------------------------------------------
# The command


def run(*args: str) -> str:
    output = StringIO()
    call_command("api_token", *args, stdout=output)
    return output.getvalue()


@pytest.mark.django_db
def test_the_command_creates_a_token_that_authenticates_and_shows_it_once() -> None:
    viewer = ViewerFactory(username="tv-app")
    _, variables = profile_of(viewer)

    output = run(
        "create", "--user", "tv-app", "--name", "Living-room TV", "--expires-in-days", "90"
    )

    (plaintext,) = PLAINTEXT.findall(output)
    token = ApiToken.objects.get()
    assert output.splitlines()[0] == f"Created API token {token.prefix} for tv-app:"
    assert token.name == "Living-room TV"
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    assert post(Client(), PROFILE, variables, bearer(plaintext)).json()["data"]["profile"] == {
        "name": "Kids"
    }


@pytest.mark.django_db
def test_the_command_revokes_by_prefix_and_says_when_it_already_was() -> None:
    issued = api_token_create(user=ViewerFactory(), name="Lost phone")
    prefix = issued.token.prefix

    first = run("revoke", prefix)
    second = run("revoke", prefix)

    assert first == f"Revoked API token {prefix} (Lost phone).\n"
    assert second == f"API token {prefix} (Lost phone) was already revoked.\n"
    assert post(Client(), GENRES, headers=bearer(issued.plaintext)).status_code == 401


@pytest.mark.django_db
def test_the_command_lists_tokens_newest_first_without_their_secrets() -> None:
    old = api_token_create(user=ViewerFactory(username="phone-app"), name="Phone")
    new = api_token_create(user=ViewerFactory(username="tv-app"), name="TV")
    api_token_revoke(token=old.token)

    everyone = run("list").splitlines()
    only_tv = run("list", "--user", "tv-app").splitlines()

    assert everyone[0].split() == [
        "prefix",
        "user",
        "name",
        "created",
        "last",
        "used",
        "expires",
        "state",
    ]
    assert [line.split()[:3] for line in everyone[1:]] == [
        [new.token.prefix, "tv-app", "TV"],
        [old.token.prefix, "phone-app", "Phone"],
    ]
    assert [line.split()[-1] for line in everyone[1:]] == ["active", "revoked"]
    assert [line.split()[0] for line in only_tv[1:]] == [new.token.prefix]
    assert not PLAINTEXT.search("\n".join(everyone))


@pytest.mark.django_db
def test_the_command_says_when_there_are_no_tokens() -> None:
    assert run("list") == "No API tokens.\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--user", "nobody", "--name", "TV"], "No account is named 'nobody'."),
        (["revoke", "abcd1234"], "No API token has the prefix 'abcd1234'."),
    ],
)
def test_the_command_refuses_an_unknown_account_or_prefix(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)
    assert not ApiToken.objects.exists()
