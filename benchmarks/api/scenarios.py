"""The API under load: five requests a front end makes, against a production-configured server.

`manage.py benchmark_api` runs them (the server and the load runs are in
`benchmarks.api.server`, the generator in `benchmarks.api.load_generator`). Each scenario's
requests are chosen from the database the process is connected to: popular titles,
genres, words of real names, profiles that have watched something.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from strawberry.relay import to_base64

from audience.models import Profile, TitlePopularity
from benchmarks.audience_workers import RECORD_EVENTS
from catalog.models import Genre, Title, TitleKind
from catalog.visibility import public_shows
from config.accounts.models import ApiToken
from config.accounts.tokens import api_token_issue

TITLE_PAGE = """
query TitlePage($id: ID!) {
  title(id: $id) {
    id name synopsis year runtimeMinutes kind
    genres { name slug }
    availability { region windowStart windowEnd isActive }
    cast(first: 10) { character person { id name } }
    crew { job department person { id name } }
    similar(first: 10) { score title { id name year } }
  }
}
"""

BROWSE = """
query Browse($genre: String!) {
  titles(filters: {genres: [$genre]}, order: {year: DESC}, first: 50) {
    totalCount
    edges { node { id name year genres { name } cast(first: 5) { character person { id name } } } }
  }
}
"""

SEARCH = """
query Search($query: String!) {
  search(query: $query, first: 20) { edges { node { id name year kind genres { name } } } }
}
"""

HOME = """
query Home($profile: ID!) {
  home(profileId: $profile) {
    rows { kind title items { progress title { id name year genres { name } } } }
  }
}
"""

TOKEN_NAME = "API benchmark"
EVENTS_PER_BATCH = 20
POOL_SIZE = 50  # distinct requests per scenario, cycled through
_STOP_WORDS = {"the", "and", "with", "from", "that", "this", "into", "over", "your", "their"}


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    requests: list[dict[str, Any]]  # {"body": ..., "headers": ..., "fresh_events": bool}


def _popular_titles(count: int) -> list[Title]:
    """The most viewed public movies and series; the most credited ones where nobody
    watched yet."""
    kinds = [TitleKind.MOVIE, TitleKind.SERIES]
    ids = list(
        TitlePopularity.objects.filter(
            public_shows(title="title"), region="", title__kind__in=kinds
        )
        .order_by("-views", "title_id")
        .values_list("title_id", flat=True)[:count]
    )
    if len(ids) < count:
        ids += (
            Title.objects.filter(public_shows(), kind__in=kinds)
            .exclude(pk__in=ids)
            .annotate(credit_count=Count("credits"))
            .order_by("-credit_count", "pk")
            .values_list("pk", flat=True)[: count - len(ids)]
        )
    titles = Title.objects.in_bulk(ids)
    return [titles[pk] for pk in ids if pk in titles]


def _search_words(titles: list[Title], count: int) -> list[str]:
    """The commonest words of the popular titles' names: what people type."""
    words = Counter(
        word
        for title in titles
        for word in re.findall(r"[a-z]{4,}", title.name.lower())
        if word not in _STOP_WORDS
    )
    return [word for word, _ in words.most_common(count)] or ["love"]


def _profiles_with_history(count: int, seed: int = 11) -> list[Profile]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id FROM audience_profile p
            WHERE EXISTS (SELECT 1 FROM audience_viewingevent e WHERE e.profile_id = p.id)
            ORDER BY p.id LIMIT %s
            """,
            [count * 20],
        )
        ids = [row[0] for row in cursor.fetchall()]
    chosen = random.Random(seed).sample(ids, min(count, len(ids)))
    return list(Profile.objects.filter(pk__in=chosen).select_related("account").order_by("pk"))


def _bearer_headers(profiles: list[Profile]) -> dict[int, dict[str, str]]:
    """One API token per account of `profiles`; `tokens_revoke` deletes them afterwards."""
    headers = {}
    accounts = {profile.account_id: profile.account for profile in profiles}
    for account_id, account in accounts.items():
        plaintext = api_token_issue(ApiToken(user=account, name=TOKEN_NAME))
        headers[account_id] = {"Authorization": f"Bearer {plaintext}"}
    return headers


def tokens_revoke() -> None:
    ApiToken.objects.filter(name=TOKEN_NAME).delete()


def _title_page() -> list[dict[str, Any]]:
    return [
        {"body": {"query": TITLE_PAGE, "variables": {"id": to_base64("Title", title.pk)}}}
        for title in _popular_titles(POOL_SIZE * 4)
    ]


def _browse() -> list[dict[str, Any]]:
    slugs = (
        Genre.objects.annotate(title_count=Count("titles"))
        .filter(title_count__gte=50)
        .order_by("-title_count", "slug")
        .values_list("slug", flat=True)
    )
    return [{"body": {"query": BROWSE, "variables": {"genre": slug}}} for slug in slugs]


def _search() -> list[dict[str, Any]]:
    words = _search_words(_popular_titles(POOL_SIZE * 10), POOL_SIZE)
    return [{"body": {"query": SEARCH, "variables": {"query": word}}} for word in words]


def _home() -> list[dict[str, Any]]:
    profiles = _profiles_with_history(POOL_SIZE)
    headers = _bearer_headers(profiles)
    return [
        {
            "body": {"query": HOME, "variables": {"profile": to_base64("Profile", profile.pk)}},
            "headers": headers[profile.account_id],
        }
        for profile in profiles
    ]


def _record_events() -> list[dict[str, Any]]:
    """Batches of EVENTS_PER_BATCH events; the generator gives each send new ids and times."""
    profiles = _profiles_with_history(POOL_SIZE // 5)
    headers = _bearer_headers(profiles)
    titles = [title.pk for title in _popular_titles(EVENTS_PER_BATCH * 5)]
    started_at = datetime.now(UTC).isoformat()
    requests = []
    for index, profile in enumerate(profiles):
        chosen = random.Random(index).sample(titles, min(EVENTS_PER_BATCH, len(titles)))
        events = [
            {
                "profileId": to_base64("Profile", profile.pk),
                "titleId": to_base64("Title", title_id),
                "startedAt": started_at,
                "secondsWatched": 1200,
                "completed": False,
                "device": "TV",
                "clientEventId": "",
            }
            for title_id in chosen
        ]
        requests.append(
            {
                "body": {"query": RECORD_EVENTS, "variables": {"events": events}},
                "headers": headers[profile.account_id],
                "fresh_events": True,
            }
        )
    return requests


SCENARIOS: dict[str, tuple[str, Callable[[], list[dict[str, Any]]]]] = {
    "title": ("title page (credits, similar titles, availability)", _title_page),
    "browse": ("browse: 50 titles of a genre with their cast", _browse),
    "search": ("search", _search),
    "home": ("home of a profile", _home),
    "record": (f"recordViewingEvents, {EVENTS_PER_BATCH} events a batch", _record_events),
}

# Public reads, which the response cache may answer; a home screen is a profile's own.
CACHEABLE = ("title", "browse", "search")


def scenario_build(name: str) -> Scenario:
    label, build = SCENARIOS[name]
    requests = build()
    if not requests:
        raise RuntimeError(f"The database holds nothing to ask for in the {name} scenario")
    return Scenario(name=name, label=label, requests=requests)


def queries_per_request(scenario: Scenario) -> int:
    """SQL queries of one request, in this process through the test client, after a warm-up.

    Rate limiting and the response cache are off; the token lookup counts.
    """
    from benchmarks.api.load_generator import fresh_events

    request = scenario.requests[0]
    client = Client(headers={"X-Forwarded-Proto": "https", **request.get("headers", {})})

    def send() -> None:
        body = fresh_events(request["body"]) if request.get("fresh_events") else request["body"]
        response = client.post("/graphql/", body, content_type="application/json", secure=True)
        payload = response.json()
        if response.status_code != 200 or payload.get("errors"):
            raise RuntimeError(f"{scenario.name} failed in-process: {payload}")

    with override_settings(
        RATE_LIMIT_ENABLED=False,
        ALLOWED_HOSTS=["testserver"],
        GRAPHQL_RESPONSE_CACHE_ENABLED=False,
    ):
        send()
        with CaptureQueriesContext(connection) as captured:
            send()
    return len(captured)


# The costliest requests an anonymous caller may send, each within every limit: the longest
# search, the widest pages, the most ids and representations at once.
SEARCH_FILL = "%_" * 100  # 200 characters: the most a search holds, all wildcards to LIKE
SEARCH_WORDS = ("the man " * 25).strip()  # 199 characters of the commonest words
SEARCH_COSTLIEST = (
    "query ($q: String!) { search(query: $q, first: 100) { totalCount "
    "edges { node { id name year } } } }"
)
FILTERED_COSTLIEST = (
    "query ($q: String!) { titles(filters: {search: $q}, first: 100) { totalCount "
    "edges { node { id name } } } people(filters: {search: $q}, first: 100) { totalCount "
    "edges { node { id name } } } }"
)


def _costliest() -> list[tuple[str, dict[str, Any]]]:
    ids = [to_base64("Title", title.pk) for title in _popular_titles(100)]
    references = ", ".join(f'{{__typename: "Title", id: "{title_id}"}}' for title_id in ids * 2)
    title_fields = "id name year genres { name } cast(first: 10) { character person { name } }"
    searches = [
        (f"search of {label}, first: 100", {"query": SEARCH_COSTLIEST, "variables": {"q": q}})
        for label, q in (
            ("200 wildcard characters", SEARCH_FILL),
            ("199 characters of common words", SEARCH_WORDS),
        )
    ] + [
        (
            f"titles and people filtered by a {label}, first: 100",
            {"query": FILTERED_COSTLIEST, "variables": {"q": q}},
        )
        for label, q in (
            ("199-character search of common words", SEARCH_WORDS),
            ("200-character search of wildcards", SEARCH_FILL),
        )
    ]
    return [
        *searches,
        (
            "titles(first: 100) with cast, crew, similar titles and credits of each",
            {"query": "{ titles(first: 100) { totalCount edges { node { " + title_fields
             + " crew { job person { name } } similar(first: 10) { title { name } } "
             "credits(first: 20) { edges { node { job person { name } } } } } } } }"},
        ),
        (
            "nodes(ids:) of 100 titles with their cast",
            {"query": "query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Title { "
             + title_fields + " } } }", "variables": {"ids": ids}},
        ),
        (
            "_entities of 200 title representations with their cast",
            {"query": "{ _entities(representations: [" + references + "]) { ... on Title { "
             + title_fields + " } } }"},
        ),
    ]  # fmt: skip


def costliest_scenarios(repeat: int = 3) -> list[Scenario]:
    """Each costly request as a scenario of its own, sent `repeat` times."""
    return [
        Scenario(name=f"costliest {index}", label=label, requests=[{"body": body}] * repeat)
        for index, (label, body) in enumerate(_costliest(), start=1)
    ]
