"""The response cache of public reads, through /graphql/ and the admin as clients use them:
a repeated read is served from Redis, and every edit shows in the very next response."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from celery.worker import WorkController
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from strawberry.relay import to_base64

from audience import tasks
from catalog.models import Title
from config.graphql.response_cache import store
from config.table_tokens import tokens_key
from tests.catalog.test_admin import title_form_data
from tests.factories import (
    GenreFactory,
    ProductionFactory,
    ProfileFactory,
    StaffUserFactory,
    TitleFactory,
    ViewerFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of
from tests.production.admin_pages import form_data

TITLE_PAGE = """
query TitlePage($id: ID!) {
  title(id: $id) { name year cast(first: 5) { character person { name } } }
}
"""
GENRES = "{ genres { name } }"
TRENDING = '{ trending(region: "GLOBAL") { rank title { name } } }'


def post(
    client: Client, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> tuple[dict[str, Any], str]:
    """The decoded body of a GraphQL POST and its Cache-Status header."""
    response = client.post(
        "/graphql/",
        data={"query": query, "variables": variables or {}},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    return response.json(), response.get("Cache-Status", "")


def title_page(client: Client, title: Title) -> tuple[dict[str, Any], str]:
    return post(client, TITLE_PAGE, {"id": to_base64("Title", title.pk)})


def test_a_repeated_read_is_served_from_the_cache(film: Title) -> None:
    client = Client()

    first, first_status = title_page(client, film)
    second, second_status = title_page(client, film)

    assert first_status == "catalog-graphql; fwd=miss; stored"
    assert second_status == "catalog-graphql; hit"
    assert second == first
    assert first["data"]["title"]["cast"] == [{"character": "Mira", "person": {"name": "Ann Lee"}}]


def test_variables_the_operation_does_not_declare_do_not_make_another_entry(
    film: Title,
) -> None:
    client = Client()
    title_page(client, film)

    _, status = post(client, TITLE_PAGE, {"id": to_base64("Title", film.pk), "junk": "x1"})

    assert status == "catalog-graphql; hit"


def test_a_node_is_never_cached(response_cache: None) -> None:
    """Someone else's profile id resolves to null without reading a table; stored, that
    null would be served to the profile's owner too."""
    profile = ProfileFactory()
    query = f'{{ node(id: "{to_base64("Profile", profile.pk)}") {{ id }} }}'

    _, anonymous = post(Client(), query)
    owner, owners = post(client_of(profile.account), query)

    assert (anonymous, owners) == ("catalog-graphql; fwd=bypass", "catalog-graphql; fwd=bypass")
    assert owner["data"]["node"] == {"id": to_base64("Profile", profile.pk)}


def test_a_write_renews_its_tables_tokens_when_its_transaction_commits(film: Title) -> None:
    client = redis.Redis.from_url(django_settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL)
    title_page(Client(), film)  # gives every public table a token

    def token() -> bytes | None:
        value: bytes | None = client.hget(tokens_key(), Title._meta.db_table)
        return value

    def rename_then_roll_back() -> None:
        with transaction.atomic():
            Title.objects.filter(pk=film.pk).update(name="Never")
            raise RuntimeError("rolled back")

    before = token()
    with pytest.raises(RuntimeError):
        rename_then_roll_back()
    assert token() == before
    with transaction.atomic():
        Title.objects.filter(pk=film.pk).update(name="Night Train to Lisbon")
        assert token() == before
    assert token() != before


def test_spacing_and_comments_do_not_make_another_entry_but_variables_do(film: Title) -> None:
    client = Client()
    other = TitleFactory(name="Day Boat")
    title_page(client, film)

    respaced = "# the title page\n" + " ".join(TITLE_PAGE.split()).replace("{ ", "{\n  ")
    _, status = post(client, respaced, {"id": to_base64("Title", film.pk)})
    body, other_status = title_page(client, other)

    assert status == "catalog-graphql; hit"
    assert other_status == "catalog-graphql; fwd=miss; stored"
    assert body["data"]["title"]["name"] == "Day Boat"


def test_a_title_edited_in_the_admin_shows_in_the_next_response(
    film: Title, staff_client: Client
) -> None:
    client = Client()
    title_page(client, film)
    assert title_page(client, film)[1] == "catalog-graphql; hit"

    response = staff_client.post(
        reverse("admin:catalog_title_change", args=[film.pk]),
        title_form_data(name="Night Train to Lisbon", year="2024"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    body, status = title_page(client, film)
    assert status == "catalog-graphql; fwd=miss; stored"
    assert body["data"]["title"]["name"] == "Night Train to Lisbon"


def test_a_person_renamed_in_the_admin_shows_on_the_titles_they_are_credited_on(
    film: Title, staff_client: Client
) -> None:
    client = Client()
    assert title_page(client, film)[1] == "catalog-graphql; fwd=miss; stored"
    person = film.credits.get().person

    change = reverse("admin:catalog_person_change", args=[person.pk])
    data = form_data(staff_client.get(change).content.decode(), "person_form")

    response = staff_client.post(change, data | {"name": ["Ann Lee-Park"]})
    assert response.status_code == 302

    body, _ = title_page(client, film)
    assert body["data"]["title"]["cast"][0]["person"]["name"] == "Ann Lee-Park"


def test_a_release_by_mutation_shows_the_title_to_the_public_at_once(
    response_cache: None,
) -> None:
    production = ProductionFactory(title__name="Glass Harbour", stage="marketing")
    public = Client()
    hidden, _ = title_page(public, production.title)
    assert hidden["data"] == {"title": None}  # confidential while in production
    assert title_page(public, production.title)[1] == "catalog-graphql; hit"

    staff = client_of(StaffUserFactory())
    release, release_status = post(
        staff,
        """mutation ($input: ReleaseTitleInput!) { releaseTitle(input: $input) { stage } }""",
        {
            "input": {
                "productionId": to_base64("Production", production.pk),
                "releaseOn": datetime.now(UTC).date().isoformat(),
                "regions": ["US"],
            }
        },
    )
    assert "errors" not in release, release["errors"]
    assert release_status == "catalog-graphql; fwd=bypass"

    shown, status = title_page(public, production.title)
    assert status == "catalog-graphql; fwd=miss; stored"
    assert shown["data"]["title"]["name"] == "Glass Harbour"


def test_an_edit_keeps_the_responses_that_did_not_read_what_it_changed(
    film: Title, staff_client: Client
) -> None:
    client = Client()
    GenreFactory(name="Drama")
    assert post(client, GENRES)[1] == "catalog-graphql; fwd=miss; stored"
    assert title_page(client, film)[1] == "catalog-graphql; fwd=miss; stored"

    response = staff_client.post(
        reverse("admin:catalog_title_change", args=[film.pk]),
        title_form_data(name="Night Train to Lisbon", year="2024"),
    )
    assert response.status_code == 302

    body, status = post(client, GENRES)
    assert status == "catalog-graphql; hit"
    assert body["data"]["genres"] == [{"name": "Drama"}]
    assert title_page(client, film)[1] == "catalog-graphql; fwd=miss; stored"


def test_the_workers_rankings_show_in_the_next_response(
    response_cache: None, worker: WorkController
) -> None:
    client = Client()
    film = TitleFactory(name="Night Train", runtime_minutes=100)
    assert post(client, TRENDING)[0]["data"] == {"trending": []}
    assert post(client, TRENDING)[1] == "catalog-graphql; hit"

    started = datetime.now(UTC) - timedelta(hours=2)
    ViewingEventFactory(title=film, started_at=started, seconds_watched=5400)
    tasks.refresh_popularity.delay().get(timeout=60)
    tasks.refresh_rankings.delay().get(timeout=60)

    body, status = post(client, TRENDING)
    assert status == "catalog-graphql; fwd=miss; stored"
    assert body["data"]["trending"] == [{"rank": 1, "title": {"name": "Night Train"}}]


def test_staff_see_confidential_titles_and_their_responses_are_not_stored(
    response_cache: None,
) -> None:
    production = ProductionFactory(title__name="Glass Harbour")
    staff = client_of(StaffUserFactory())

    seen, status = title_page(staff, production.title)
    hidden, public_status = title_page(Client(), production.title)

    assert status == "catalog-graphql; fwd=bypass"
    assert seen["data"]["title"]["name"] == "Glass Harbour"
    assert public_status == "catalog-graphql; fwd=miss; stored"
    assert hidden["data"] == {"title": None}


def test_a_signed_in_viewer_shares_public_reads_but_not_their_own(film: Title) -> None:
    viewer = ViewerFactory()
    profile = ProfileFactory(account=viewer)
    signed_in = client_of(viewer)
    title_page(Client(), film)

    _, shared = title_page(signed_in, film)
    own = f'{{ profile(id: "{to_base64("Profile", profile.pk)}") {{ name }} }}'
    first, own_status = post(signed_in, own)
    _, again = post(signed_in, own)

    assert shared == "catalog-graphql; hit"
    assert "errors" not in first, first["errors"]
    assert (own_status, again) == ("catalog-graphql; fwd=bypass", "catalog-graphql; fwd=bypass")


def test_a_response_with_errors_is_not_stored(response_cache: None) -> None:
    client = Client()
    query = '{ title(id: "bm90IGFuIGlk") { name } }'

    first, status = post(client, query)
    _, again = post(client, query)

    assert first["errors"]
    assert (status, again) == ("catalog-graphql; fwd=miss", "catalog-graphql; fwd=miss")


def test_a_slow_redis_answer_computes_that_response_and_leaves_the_cache_on(
    film: Title, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stored title page, and then Redis stalling past the cache's timeout
    monkeypatch.setattr(store, "_unavailable_until", 0.0)
    title_page(Client(), film)
    stall = redis.Redis.from_url(django_settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL)
    stall.execute_command("CLIENT", "PAUSE", int(store.REDIS_TIMEOUT_SECONDS * 1000 * 3))

    # When the page is asked for during the stall, and again once Redis answers
    during, during_status = title_page(Client(), film)
    clock.sleep(store.REDIS_TIMEOUT_SECONDS * 3)
    _, after_status = title_page(Client(), film)

    # Then the one during it was computed, and the next was a hit: the cache stayed on
    assert during["data"]["title"]["name"] == "Night Train"
    assert during_status == "catalog-graphql; fwd=miss"
    assert after_status == "catalog-graphql; hit"


def test_without_redis_responses_are_computed(
    film: Title, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_unavailable_until", 0.0)
    settings.GRAPHQL_RESPONSE_CACHE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    body, status = title_page(Client(), film)
    _, later = title_page(Client(), film)

    assert body["data"]["title"]["name"] == "Night Train"
    assert status == "catalog-graphql; fwd=miss"
    assert later == ""  # left alone for a few seconds: no time spent on each request
