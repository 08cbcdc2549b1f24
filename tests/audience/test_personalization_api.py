"""A profile's recommendations and a title's similar titles, as the API serves them."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from tests.audience.callers import PROFILE_CALLERS, profile_caller
from tests.factories import (
    AvailabilityFactory,
    EpisodeFactory,
    GenreFactory,
    MaturityRatingFactory,
    ProfileFactory,
    RecommendationFactory,
    SeriesFactory,
    SimilarTitleFactory,
    TitleFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

RECOMMENDATIONS = """
query ($id: ID!, $first: Int) {
  profile(id: $id) {
    recommendations(first: $first) {
      title { name }
      score rank modelVersion computedAt
      reason { kind text becauseYouWatched { name } }
    }
  }
}
"""

SIMILAR = """
query ($id: ID!, $first: Int, $availableIn: String) {
  title(id: $id) { similar(first: $first, availableIn: $availableIn) { rank score title { name } } }
}
"""


def gid(type_name: str, obj: Any) -> str:
    return to_base64(type_name, obj.pk)


def available_title(name: str, region: str = "US", **kwargs: Any) -> Any:
    title = TitleFactory(name=name, **kwargs)
    AvailabilityFactory(title=title, region=region)
    return title


def recommendations_of(profile: Any, first: int | None = None) -> list[dict[str, Any]]:
    variables: dict[str, Any] = {"id": gid("Profile", profile)}
    if first is not None:
        variables["first"] = first
    data = data_of(client_of(profile.account), RECOMMENDATIONS, variables)
    recommendations: list[dict[str, Any]] = data["profile"]["recommendations"]
    return recommendations


@pytest.mark.django_db
def test_recommendations_come_best_first_with_their_reasons() -> None:
    # given a profile's recommendations of the three kinds, stored out of order
    profile = ProfileFactory()
    heat = TitleFactory(name="Heat")
    trending = RecommendationFactory(
        profile=profile,
        title=available_title("Dune"),
        rank=3,
        reason="trending_now",
        because_you_watched=None,
        model=None,
    )
    byw = RecommendationFactory(
        profile=profile, title=available_title("Ronin"), rank=1, score=0.9, because_you_watched=heat
    )
    RecommendationFactory(
        profile=profile,
        title=available_title("Amélie"),
        rank=2,
        score=0.4,
        reason="popular_in_your_country",
        because_you_watched=None,
        model=None,
    )

    # when the profile asks for them
    recommendations = recommendations_of(profile)

    # then they come by rank, each with the reason a front end shows
    assert [
        (r["title"]["name"], r["rank"], r["score"], r["reason"], r["modelVersion"])
        for r in recommendations
    ] == [
        (
            "Ronin",
            1,
            0.9,
            {
                "kind": "BECAUSE_YOU_WATCHED",
                "text": "Because you watched Heat",
                "becauseYouWatched": {"name": "Heat"},
            },
            byw.model_id,
        ),
        (
            "Amélie",
            2,
            0.4,
            {
                "kind": "POPULAR_IN_YOUR_COUNTRY",
                "text": "Popular in your country",
                "becauseYouWatched": None,
            },
            None,
        ),
        (
            "Dune",
            3,
            0.5,
            {"kind": "TRENDING_NOW", "text": "Trending now", "becauseYouWatched": None},
            None,
        ),
    ]
    assert recommendations[2]["computedAt"] == trending.computed_at.isoformat()


@pytest.mark.django_db
def test_first_limits_the_recommendations_and_is_validated() -> None:
    profile = ProfileFactory()
    for rank, name in enumerate("ABCD", start=1):
        RecommendationFactory(profile=profile, title=available_title(name), rank=rank)
    client = client_of(profile.account)

    two = recommendations_of(profile, first=2)
    too_many = graphql(client, RECOMMENDATIONS, {"id": gid("Profile", profile), "first": 101})

    assert [r["title"]["name"] for r in two] == ["A", "B"]
    assert error_codes(too_many) == ["BAD_USER_INPUT"]
    assert too_many["errors"][0]["extensions"]["field"] == "first"


@pytest.mark.django_db
def test_recommendations_leave_out_what_the_profile_may_not_watch_here_now_or_watched_since() -> (
    None
):
    # given a 13-year-old's profile in the US
    profile = ProfileFactory(maturity_level=13, age_band="13-17")
    pg13 = MaturityRatingFactory(code="PG-13", level=13)
    restricted = MaturityRatingFactory(code="R", level=17)
    now = datetime.now(UTC)
    ended = TitleFactory(name="Window ended", maturity_rating=pg13)
    AvailabilityFactory(
        title=ended, window_start=now - timedelta(days=9), window_end=now - timedelta(days=1)
    )
    watched_series = SeriesFactory(name="Watched series", maturity_rating=pg13)
    AvailabilityFactory(title=watched_series)
    ViewingEventFactory(
        profile=profile, title=EpisodeFactory(parent__parent=watched_series), started_at=now
    )
    watched_movie = available_title("Watched movie", maturity_rating=pg13)
    ViewingEventFactory(profile=profile, title=watched_movie, started_at=now)
    candidates = [
        available_title("Fine", maturity_rating=pg13),
        available_title("Elsewhere only", region="GB", maturity_rating=pg13),
        ended,
        available_title("Restricted", maturity_rating=restricted),
        available_title("Unrated"),
        watched_series,
        watched_movie,
        available_title("Also fine", maturity_rating=pg13),
    ]
    for rank, title in enumerate(candidates, start=1):
        RecommendationFactory(profile=profile, title=title, rank=rank)

    # when it asks for its recommendations
    recommendations = recommendations_of(profile)

    # then only what it may watch in the US now and has not watched is left
    assert [r["title"]["name"] for r in recommendations] == ["Fine", "Also fine"]


@pytest.mark.django_db
def test_an_adult_profile_sees_unrated_titles_and_series_available_by_their_series() -> None:
    profile = ProfileFactory(maturity_level=18)
    RecommendationFactory(profile=profile, title=available_title("Unrated"), rank=1)
    series = SeriesFactory(name="Series")
    AvailabilityFactory(title=series, region="US")
    RecommendationFactory(profile=profile, title=series, rank=2)

    assert [r["title"]["name"] for r in recommendations_of(profile)] == ["Unrated", "Series"]


@pytest.mark.django_db
@pytest.mark.parametrize(("caller", "code"), PROFILE_CALLERS.items())
def test_only_the_account_and_staff_see_a_profiles_recommendations(
    caller: str, code: str | None
) -> None:
    profile = ProfileFactory()
    RecommendationFactory(profile=profile, title=available_title("Ronin"), rank=1)
    body = graphql(
        profile_caller(caller, profile), RECOMMENDATIONS, {"id": gid("Profile", profile)}
    )

    if code is None:
        assert body["data"]["profile"]["recommendations"][0]["title"] == {"name": "Ronin"}
    else:
        assert error_codes(body) == [code]


@pytest.mark.parametrize("count", [2, 20])
def test_recommendations_with_their_titles_and_reasons_take_a_fixed_number_of_queries(
    db: None, count: int
) -> None:
    # given recommendations because of as many watched titles, all with genres
    profile = ProfileFactory()
    drama = GenreFactory(name="Drama")
    for rank in range(1, count + 1):
        RecommendationFactory(
            profile=profile,
            rank=rank,
            title=available_title(f"Pick {rank}", genres=[drama]),
            because_you_watched=TitleFactory(genres=[drama]),
        )
    query = """
    query ($id: ID!) { profile(id: $id) { recommendations(first: 50) {
      title { name genres { name } } reason { text becauseYouWatched { name genres { name } } }
    } } }
    """
    client = client_of(profile.account)

    with CaptureQueriesContext(connection) as captured:
        data = data_of(client, query, {"id": gid("Profile", profile)})

    # then: session, account, profile, recommendations with their titles, the titles'
    # genres, the watched titles, their genres
    recommendations = data["profile"]["recommendations"]
    assert len(recommendations) == count
    assert all(
        r["reason"]["becauseYouWatched"]["genres"] == [{"name": "Drama"}] for r in recommendations
    )
    assert len(captured) == 7


@pytest.mark.django_db
def test_similar_titles_come_most_similar_first_with_their_scores() -> None:
    heat = TitleFactory(name="Heat")
    SimilarTitleFactory(title=heat, similar=TitleFactory(name="Collateral"), rank=2, score=0.6)
    SimilarTitleFactory(title=heat, similar=TitleFactory(name="Ronin"), rank=1, score=0.8)
    SimilarTitleFactory(title=heat, similar=TitleFactory(name="Thief"), rank=3, score=0.3)
    SimilarTitleFactory(similar=TitleFactory(name="Someone else's"))

    first_two = data_of(Client(), SIMILAR, {"id": gid("Title", heat), "first": 2})
    default = data_of(Client(), SIMILAR, {"id": gid("Title", heat)})

    assert first_two["title"]["similar"] == [
        {"rank": 1, "score": 0.8, "title": {"name": "Ronin"}},
        {"rank": 2, "score": 0.6, "title": {"name": "Collateral"}},
    ]
    assert [s["title"]["name"] for s in default["title"]["similar"]] == [
        "Ronin",
        "Collateral",
        "Thief",
    ]


@pytest.mark.django_db
def test_similar_titles_available_in_a_region_are_the_first_ones_available_there_now() -> None:
    heat = TitleFactory(name="Heat")
    now = datetime.now(UTC)
    ended = TitleFactory(name="Ended in GB")
    AvailabilityFactory(
        title=ended, region="GB", window_start=now - timedelta(days=9), window_end=now
    )
    for rank, similar in enumerate(
        [
            available_title("US only", region="US"),
            ended,
            available_title("GB 1", region="GB"),
            available_title("GB 2", region="GB"),
            available_title("GB 3", region="GB"),
        ],
        start=1,
    ):
        SimilarTitleFactory(title=heat, similar=similar, rank=rank)

    data = data_of(Client(), SIMILAR, {"id": gid("Title", heat), "first": 2, "availableIn": "gb"})

    assert [(s["rank"], s["title"]["name"]) for s in data["title"]["similar"]] == [
        (3, "GB 1"),
        (4, "GB 2"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("variables", "field"), [({"availableIn": "Europe"}, "availableIn"), ({"first": 101}, "first")]
)
def test_similar_titles_arguments_are_validated(variables: dict[str, Any], field: str) -> None:
    heat = TitleFactory(name="Heat")

    body = graphql(Client(), SIMILAR, {"id": gid("Title", heat), **variables})

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field


TITLES_WITH_SIMILAR = """
query ($first: Int!) {
  titles(first: $first, filters: {kind: [MOVIE]}) {
    edges { node { name similar(first: 5) { score title { name } } } }
  }
}
"""


@pytest.mark.parametrize("page_size", [2, 20])
def test_a_page_of_titles_with_their_similar_titles_takes_a_fixed_number_of_queries(
    db: None, page_size: int
) -> None:
    # given a page of movies, each with more similar titles than asked for
    for _ in range(page_size):
        title = TitleFactory()
        for rank in range(1, 8):
            SimilarTitleFactory(title=title, similar=SeriesFactory(), rank=rank)

    # when a front end lists them with their similar titles
    with CaptureQueriesContext(connection) as captured:
        data = data_of(Client(), TITLES_WITH_SIMILAR, {"first": page_size})

    # then: the page of titles, then every one's similar titles with those titles
    edges = data["titles"]["edges"]
    assert len(edges) == page_size
    assert all(len(edge["node"]["similar"]) == 5 for edge in edges)
    assert len(captured) == 2
