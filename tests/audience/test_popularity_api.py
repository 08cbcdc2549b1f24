"""Top 10, trending, popularity and genre affinity as the API publishes them."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from tests.audience.aggregates import refresh_aggregates
from tests.factories import (
    EpisodeFactory,
    GenreFactory,
    ProfileFactory,
    SeasonFactory,
    StaffUserFactory,
    TitleFactory,
    ViewerFactory,
    ViewingEventFactory,
)
from tests.graphql import data_of, error_codes, graphql

MONDAY = date(2026, 11, 2)

TOP10 = """
query ($kind: Top10Category!, $region: String, $week: Date) {
  top10(kind: $kind, region: $region, week: $week) {
    weekStart weekEnd region category
    method { formula window computedAt }
    entries { rank title { name } views hoursViewed weeksInTop10 }
  }
}
"""


def watch(title: Any, day: date, seconds: int, profile: Any = None, **kwargs: Any) -> None:
    ViewingEventFactory(
        profile=profile or ProfileFactory(),
        title=title,
        started_at=datetime.combine(day, time(12), tzinfo=UTC),
        seconds_watched=seconds,
        **kwargs,
    )


@pytest.mark.django_db
def test_top10_ranks_films_by_hours_over_runtime_with_hours_breaking_ties() -> None:
    short = TitleFactory(name="Short", runtime_minutes=60)
    long = TitleFactory(name="Long", runtime_minutes=180)
    tied = TitleFactory(name="Tied", runtime_minutes=120)
    watch(short, MONDAY, 3 * 3600)  # 3 hours of a 1-hour film: 3 views
    watch(long, MONDAY + timedelta(days=6), 6 * 3600)  # 6 hours of 3: 2 views, more hours
    watch(tied, MONDAY + timedelta(days=2), 4 * 3600)  # 4 hours of 2: 2 views
    watch(short, MONDAY + timedelta(days=7), 3600)  # the next week
    refresh_aggregates()

    data = data_of(Client(), TOP10, {"kind": "FILMS", "week": "2026-11-04"})["top10"]

    assert (data["weekStart"], data["weekEnd"], data["region"]) == (
        "2026-11-02",
        "2026-11-08",
        "GLOBAL",
    )
    assert data["method"]["formula"].startswith("views = hours viewed / runtime")
    assert [
        (e["rank"], e["title"]["name"], e["views"], e["hoursViewed"], e["weeksInTop10"])
        for e in data["entries"]
    ] == [(1, "Short", 3.0, 3.0, 1), (2, "Long", 2.0, 6.0, 1), (3, "Tied", 2.0, 4.0, 1)]
    latest = data_of(Client(), TOP10, {"kind": "FILMS"})["top10"]
    assert latest["weekStart"] == "2026-11-09"
    assert [(e["title"]["name"], e["weeksInTop10"]) for e in latest["entries"]] == [("Short", 2)]


@pytest.mark.django_db
def test_tv_top10_counts_each_season_on_its_own_per_region() -> None:
    first = SeasonFactory(name="Season 1")
    second = SeasonFactory(name="Season 2", parent=first.parent)
    for season, count in ((first, 2), (second, 1)):
        for _ in range(2):
            episode = EpisodeFactory(parent=season, runtime_minutes=30)
            for _ in range(count):
                watch(episode, MONDAY, 1800, ProfileFactory(region="GB"))
    watch(TitleFactory(), MONDAY, 7200, ProfileFactory(region="US"))
    refresh_aggregates()

    gb = data_of(Client(), TOP10, {"kind": "TV", "region": "gb"})["top10"]
    us = data_of(Client(), TOP10, {"kind": "TV", "region": "US"})

    # Season 1: 2 hours of a 1-hour season; season 2: 1 hour of 1.
    assert [(e["title"]["name"], e["views"]) for e in gb["entries"]] == [
        ("Season 1", 2.0),
        ("Season 2", 1.0),
    ]
    assert gb["region"] == "GB"
    assert us == {"top10": None}


@pytest.mark.django_db
def test_a_region_that_is_not_a_country_code_is_bad_input() -> None:
    body = graphql(Client(), TOP10, {"kind": "FILMS", "region": "Europe"})

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "region"


TRENDING = """
query ($region: String) { trending(region: $region, first: 5) { rank title { name } score asOf } }
"""


@pytest.mark.django_db
def test_trending_puts_todays_surge_above_last_months_total() -> None:
    today = datetime.now(UTC).date()
    classic, surge = TitleFactory(name="Classic"), TitleFactory(name="Surge")
    for days_ago in range(20, 30):
        watch(classic, today - timedelta(days=days_ago), 10 * 3600)  # 100 hours a month ago
    watch(surge, today, 8 * 3600)  # 8 hours today
    episode = EpisodeFactory()
    watch(episode, today - timedelta(days=1), 3600)
    refresh_aggregates()

    entries = data_of(Client(), TRENDING, {"region": "US"})["trending"]

    assert [e["title"]["name"] for e in entries] == [
        "Surge",
        episode.parent.parent.name,  # an episode trends as its series
        "Classic",
    ]
    assert entries[0]["score"] == pytest.approx(8.0)
    assert entries[1]["score"] == pytest.approx(2 ** (-1 / 3))
    assert entries[0]["asOf"] == today.isoformat()


POPULARITY = """
query ($order: TitleOrder, $region: String) {
  titles(first: 10, order: $order, filters: {kind: [MOVIE]}) {
    edges { node { name popularity(region: $region) { views hoursViewed rank } } }
  }
}
"""


@pytest.mark.django_db
def test_titles_order_by_popularity_and_show_it_per_region() -> None:
    today = datetime.now(UTC).date()
    films = {name: TitleFactory(name=name, runtime_minutes=60) for name in "ABCD"}
    watch(films["B"], today, 3 * 3600, ProfileFactory(region="US"))
    watch(films["C"], today, 2 * 3600, ProfileFactory(region="GB"))
    watch(films["C"], today, 2 * 3600, ProfileFactory(region="GB"))
    watch(films["A"], today - timedelta(days=40), 9 * 3600)  # outside the 28-day window
    refresh_aggregates()

    data = data_of(Client(), POPULARITY, {"order": {"popularity": "DESC"}, "region": "GB"})

    assert [
        (edge["node"]["name"], edge["node"]["popularity"]) for edge in data["titles"]["edges"]
    ] == [
        ("C", {"views": 4.0, "hoursViewed": 4.0, "rank": 1}),
        ("B", None),
        ("A", None),
        ("D", None),
    ]


@pytest.mark.django_db
def test_popularity_of_a_page_of_titles_takes_one_query() -> None:
    today = datetime.now(UTC).date()
    for index in range(12):
        watch(TitleFactory(runtime_minutes=60), today, 3600 * (index + 1))
    refresh_aggregates()

    with CaptureQueriesContext(connection) as captured:
        data = data_of(Client(), POPULARITY, {"order": {"popularity": "DESC"}, "region": None})

    ranks = [edge["node"]["popularity"]["rank"] for edge in data["titles"]["edges"]]
    assert ranks == list(range(1, 11))
    assert len(captured) == 2  # the page of titles, their popularity


AFFINITY = """
query ($ageBand: AgeBand, $region: String) {
  genreAffinity(ageBand: $ageBand, region: $region) {
    genre { name } hoursViewed share everyoneShare lift
  }
}
"""


@pytest.mark.django_db
def test_genre_affinity_gives_a_segments_share_and_lift() -> None:
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    young = ProfileFactory(age_band="18-24", region="US")
    old = ProfileFactory(age_band="55+", region="US")
    watch(TitleFactory(genres=[comedy]), MONDAY, 3 * 3600, young)
    watch(TitleFactory(genres=[drama]), MONDAY, 1 * 3600, young)
    watch(TitleFactory(genres=[drama]), MONDAY, 4 * 3600, old)
    refresh_aggregates()
    staff = Client()
    staff.force_login(StaffUserFactory())

    rows = data_of(staff, AFFINITY, {"ageBand": "YOUNG_ADULT", "region": "US"})["genreAffinity"]

    # Young adults: comedy 3 of 4 hours against everyone's 3 of 8.
    assert [
        (r["genre"]["name"], r["hoursViewed"], r["share"], r["everyoneShare"], r["lift"])
        for r in rows
    ] == [("Comedy", 3.0, 0.75, 0.375, 2.0), ("Drama", 1.0, 0.25, 0.625, 0.4)]


@pytest.mark.django_db
@pytest.mark.parametrize(("account", "code"), [(None, "UNAUTHENTICATED"), ("viewer", "FORBIDDEN")])
def test_genre_affinity_is_for_staff_only(account: str | None, code: str) -> None:
    client = Client()
    if account:
        client.force_login(ViewerFactory())

    body = graphql(client, AFFINITY, {})

    assert error_codes(body) == [code]


@pytest.mark.django_db
def test_popularity_of_an_unknown_region_is_bad_input() -> None:
    title = TitleFactory()
    query = 'query ($id: ID!) { title(id: $id) { popularity(region: "U1") { views } } }'

    body = graphql(Client(), query, {"id": to_base64("Title", title.pk)})

    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.django_db
def test_titles_with_equal_views_order_by_hours_as_their_ranks_do() -> None:
    today = datetime.now(UTC).date()
    short = TitleFactory(name="Short", runtime_minutes=60)
    long = TitleFactory(name="Long", runtime_minutes=120)
    watch(short, today, 2 * 3600)  # 2 views, 2 hours
    watch(long, today, 4 * 3600)  # 2 views, 4 hours
    refresh_aggregates()

    data = data_of(Client(), POPULARITY, {"order": {"popularity": "DESC"}, "region": None})

    assert [
        (edge["node"]["name"], edge["node"]["popularity"]["rank"])
        for edge in data["titles"]["edges"]
    ] == [("Long", 1), ("Short", 2)]
