"""A profile's home screen: its rows in order, each title once, what the profile may watch."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from audience.models import TitlePopularity
from tests.audience.callers import PROFILE_CALLERS, profile_caller
from tests.factories import (
    AvailabilityFactory,
    EpisodeFactory,
    GenreFactory,
    GenreSegmentHoursFactory,
    MaturityRatingFactory,
    NewTitleRecommendationFactory,
    ProfileFactory,
    RecommendationFactory,
    SeasonFactory,
    SeriesFactory,
    SimilarTitleFactory,
    TitleFactory,
    TitlePopularityFactory,
    Top10EntryFactory,
    TrendingEntryFactory,
    ViewerFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of, error_codes, graphql

HOME = """
query ($id: ID!) {
  home(profileId: $id) {
    rows {
      kind title genre { name } becauseYouWatched { name }
      items { progress title { name } }
    }
  }
}
"""

NOW = datetime.now(UTC)


def gid(type_name: str, obj: Any) -> str:
    return to_base64(type_name, obj.pk)


def title_in(region: str, name: str, factory: Any = TitleFactory, **kwargs: Any) -> Any:
    """A title available in `region` now."""
    title = factory(name=name, **kwargs)
    AvailabilityFactory(title=title, region=region)
    return title


def watch(profile: Any, title: Any, days_ago: float, *, completed: bool = True, **kwargs: Any):
    return ViewingEventFactory(
        profile=profile,
        title=title,
        started_at=NOW - timedelta(days=days_ago),
        completed=completed,
        **kwargs,
    )


def home_of(profile: Any, account: Any = None) -> list[dict[str, Any]]:
    data = data_of(client_of(account or profile.account), HOME, {"id": gid("Profile", profile)})
    rows: list[dict[str, Any]] = data["home"]["rows"]
    return rows


def names(row: dict[str, Any]) -> list[str]:
    return [item["title"]["name"] for item in row["items"]]


@pytest.mark.django_db
def test_the_home_screen_shows_its_rows_in_order_each_title_once() -> None:
    # given a profile in France with a history, and every source of rows
    drama, comedy = GenreFactory(name="Drama", slug="drama"), GenreFactory(name="Comedy")
    profile = ProfileFactory(region="FR")
    dark = title_in("FR", "Dark", SeriesFactory, genres=[drama])
    episode = EpisodeFactory(name="Secrets", parent__parent=dark, runtime_minutes=40)
    watch(profile, episode, 0.1, completed=False, seconds_watched=1200)
    amelie = title_in("FR", "Amélie", runtime_minutes=120, genres=[comedy])
    watch(profile, amelie, 1, completed=False, seconds_watched=3600)
    heat = title_in("FR", "Heat", genres=[drama])
    watch(profile, heat, 2, seconds_watched=3 * 3600)
    airplane = title_in("FR", "Airplane!", genres=[comedy])
    watch(profile, airplane, 60, seconds_watched=3600)

    lupin = title_in("FR", "Lupin", SeriesFactory)
    ronin = title_in("FR", "Ronin", genres=[drama])
    Top10EntryFactory(region="FR", category="tv", title=SeasonFactory(parent=lupin), views=80)
    Top10EntryFactory(region="FR", category="films", title=ronin, views=50)
    Top10EntryFactory(region="", category="films", title=title_in("FR", "Worldwide hit"))

    TrendingEntryFactory(region="FR", rank=1, title=dark)
    TrendingEntryFactory(region="FR", rank=2, title=title_in("FR", "Dune"))

    collateral = title_in("FR", "Collateral", genres=[drama])
    for rank, (title, watched) in enumerate(
        [
            (collateral, heat),
            (title_in("FR", "Top Secret!"), airplane),
            (title_in("FR", "Thief"), heat),
        ],
        start=1,
    ):
        RecommendationFactory(profile=profile, title=title, rank=rank, because_you_watched=watched)
    RecommendationFactory(
        profile=profile,
        title=title_in("FR", "Popular pick"),
        rank=4,
        reason="popular_in_your_country",
        because_you_watched=None,
    )
    SimilarTitleFactory(title=heat, similar=ronin, rank=1)
    SimilarTitleFactory(title=heat, similar=title_in("FR", "Insomnia"), rank=2)

    for views, title in enumerate(
        [title_in("FR", "Parasite", genres=[drama]), collateral, heat], start=1
    ):
        TitlePopularityFactory(region="FR", title=title, views=views)
    TitlePopularityFactory(region="FR", title=title_in("FR", "Hot Shots!", genres=[comedy]))
    TitlePopularityFactory(region="FR", title=airplane, views=99)

    # when the profile opens its home screen
    rows = home_of(profile)

    # then the rows come in order, and a title another row took shows no more
    assert [(row["kind"], row["title"], names(row)) for row in rows] == [
        ("CONTINUE_WATCHING", "Continue Watching", ["Secrets", "Amélie"]),
        ("TOP10", "Top 10 in France", ["Lupin", "Ronin"]),
        ("TRENDING", "Trending now", ["Dune"]),
        ("BECAUSE_YOU_WATCHED", "Because you watched Heat", ["Collateral", "Thief", "Insomnia"]),
        ("BECAUSE_YOU_WATCHED", "Because you watched Airplane!", ["Top Secret!"]),
        ("GENRE", "Dramas", ["Parasite"]),
        ("GENRE", "Comedies", ["Hot Shots!"]),
    ]
    assert [item["progress"] for item in rows[0]["items"]] == [0.5, 0.5]
    assert {item["progress"] for row in rows[1:] for item in row["items"]} == {None}
    assert [row["becauseYouWatched"] for row in rows] == [
        None,
        None,
        None,
        {"name": "Heat"},
        {"name": "Airplane!"},
        None,
        None,
    ]
    assert [row["genre"] for row in rows[5:]] == [{"name": "Drama"}, {"name": "Comedy"}]


@pytest.mark.django_db
def test_a_title_from_every_source_shows_once_where_it_first_fits() -> None:
    # given one series in continue watching (by an episode) and one movie in every list
    profile = ProfileFactory()
    drama = GenreFactory(name="Drama")
    series = title_in("US", "Series", SeriesFactory, genres=[drama])
    watch(profile, EpisodeFactory(name="Episode 2", parent__parent=series), 0, completed=False)
    watch(profile, EpisodeFactory(name="Episode 1", parent__parent=series), 1, completed=False)
    everywhere = title_in("US", "Everywhere", genres=[drama])
    Top10EntryFactory(title=everywhere)
    for title in (series, everywhere):
        TrendingEntryFactory(title=title)
        TitlePopularityFactory(title=title)
    RecommendationFactory(profile=profile, title=everywhere, because_you_watched=series)
    SimilarTitleFactory(title=series, similar=everywhere)

    rows = home_of(profile)

    assert [(row["kind"], names(row)) for row in rows] == [
        ("CONTINUE_WATCHING", ["Episode 2"]),
        ("TOP10", ["Everywhere"]),
    ]


@pytest.mark.django_db
def test_the_home_screen_keeps_to_the_profiles_country_and_maturity_but_not_what_it_started() -> (
    None
):
    # given a teenager's profile in the US
    profile = ProfileFactory(maturity_level=13, age_band="13-17")
    pg13 = MaturityRatingFactory(code="PG-13", level=13)
    restricted = MaturityRatingFactory(code="R", level=17)
    started = title_in("US", "Started R", maturity_rating=restricted)
    watch(profile, started, 1, completed=False)
    ended = TitleFactory(name="Window ended", maturity_rating=pg13)
    AvailabilityFactory(title=ended, window_start=NOW - timedelta(days=9), window_end=NOW)
    Top10EntryFactory(title=title_in("US", "Top R", maturity_rating=restricted), views=3)
    Top10EntryFactory(title=title_in("GB", "Top GB only", maturity_rating=pg13), views=2)
    Top10EntryFactory(title=title_in("US", "Top PG-13", maturity_rating=pg13), views=1)
    for title in (
        title_in("US", "Trending unrated"),
        ended,
        title_in("US", "Trending PG-13", maturity_rating=pg13),
    ):
        TrendingEntryFactory(title=title)

    rows = home_of(profile)

    assert [(row["kind"], names(row)) for row in rows] == [
        ("CONTINUE_WATCHING", ["Started R"]),
        ("TOP10", ["Top PG-13"]),
        ("TRENDING", ["Trending PG-13"]),
    ]


@pytest.mark.django_db
def test_a_new_profile_gets_worldwide_lists_and_its_segments_favourite_genres() -> None:
    # given a profile in Belgium with no history, where no list is published yet
    profile = ProfileFactory(region="BE", age_band="18-24", gender="male")
    horror, drama = GenreFactory(name="Horror"), GenreFactory(name="Drama", slug="drama")
    comedy = GenreFactory(name="Comedy")
    segment = {"age_band": "18-24", "gender": "male", "region": "BE"}
    GenreSegmentHoursFactory(genre=horror, seconds_viewed=3 * 3600, **segment)
    GenreSegmentHoursFactory(genre=drama, seconds_viewed=1 * 3600, **segment)
    GenreSegmentHoursFactory(genre=horror, seconds_viewed=1 * 3600)
    GenreSegmentHoursFactory(genre=drama, seconds_viewed=10 * 3600)
    GenreSegmentHoursFactory(genre=comedy, seconds_viewed=10 * 3600)
    Top10EntryFactory(region="", title=title_in("BE", "Worldwide hit"))
    Top10EntryFactory(region="US", title=title_in("BE", "American hit"))
    TrendingEntryFactory(region="", title=title_in("BE", "Trending worldwide"))
    TitlePopularityFactory(region="BE", title=title_in("BE", "The Ring", genres=[horror]))
    TitlePopularityFactory(region="BE", title=title_in("BE", "Amour", genres=[drama]))
    TitlePopularityFactory(region="BE", title=title_in("BE", "Les Visiteurs", genres=[comedy]))
    TitlePopularityFactory(region="US", title=title_in("BE", "Popular in the US", genres=[horror]))

    # when it opens its home screen
    rows = home_of(profile)

    # then the lists fall back to worldwide, and genres follow its segment's lift
    assert [(row["kind"], row["title"], names(row)) for row in rows] == [
        ("TOP10", "Top 10 worldwide", ["Worldwide hit"]),
        ("TRENDING", "Trending now", ["Trending worldwide"]),
        ("GENRE", "Horror", ["The Ring"]),
        ("GENRE", "Dramas", ["Amour"]),
    ]


@pytest.mark.django_db
def test_row_length_and_row_counts_follow_the_settings(settings: Any) -> None:
    settings.HOME_ROW_LENGTH = 2
    settings.HOME_BECAUSE_YOU_WATCHED_ROWS = 1
    profile = ProfileFactory()
    for index in range(3):
        TrendingEntryFactory(title=title_in("US", f"Trending {index}"))
        watched = title_in("US", f"Watched {index}")
        watch(profile, watched, index)
        RecommendationFactory(
            profile=profile, title=title_in("US", f"Pick {index}"), because_you_watched=watched
        )

    rows = home_of(profile)

    assert [(row["title"], names(row)) for row in rows] == [
        ("Trending now", ["Trending 0", "Trending 1"]),
        ("Because you watched Watched 0", ["Pick 0"]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("caller", "code"), PROFILE_CALLERS.items())
def test_only_the_account_and_staff_see_a_profiles_home_screen(
    caller: str, code: str | None
) -> None:
    profile = ProfileFactory()
    TrendingEntryFactory(title=title_in("US", "Dune"))
    body = graphql(profile_caller(caller, profile), HOME, {"id": gid("Profile", profile)})

    if code is None:
        assert [names(row) for row in body["data"]["home"]["rows"]] == [["Dune"]]
    else:
        assert error_codes(body) == [code]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("profile_id", "code"),
    [(to_base64("Profile", 999_999), "NOT_FOUND"), (to_base64("Title", 1), "BAD_USER_INPUT")],
)
def test_the_home_screen_of_an_unknown_profile_is_an_error(profile_id: str, code: str) -> None:
    body = graphql(client_of(ViewerFactory()), HOME, {"id": profile_id})

    assert error_codes(body) == [code]


HOME_WITH_GENRES = """
query ($id: ID!) {
  home(profileId: $id) { rows { kind title items { title { name genres { name } } } } }
}
"""


def small_screen() -> Any:
    """Two rows of two titles: Continue Watching and one genre row."""
    drama = GenreFactory(name="Drama")
    profile = ProfileFactory()
    for _ in range(2):
        watch(profile, title_in("US", "Started", genres=[drama]), 1, completed=False)
        TitlePopularityFactory(title=title_in("US", "Popular", genres=[drama]))
    return profile


def full_screen(length: int = 20) -> Any:
    """Every kind of row, each as long as a row may be."""
    genres = [GenreFactory(name=name) for name in ("Drama", "Comedy", "Horror", "Western")]
    profile = ProfileFactory()
    for day in range(length):
        series = title_in("US", "Series", SeriesFactory, genres=genres[:2])
        watch(profile, EpisodeFactory(parent__parent=series), day, completed=False)
    for rank in range(1, 11):
        Top10EntryFactory(category="films", rank=rank, title=title_in("US", "Film", genres=genres))
        series = title_in("US", "TV", SeriesFactory, genres=genres)
        Top10EntryFactory(category="tv", rank=rank, title=SeasonFactory(parent=series))
    for rank in range(1, length + 1):
        TrendingEntryFactory(rank=rank, title=title_in("US", "Trending", genres=genres))
        NewTitleRecommendationFactory(
            profile=profile, rank=rank, title=title_in("US", "New", genres=genres)
        )
    rank = 0
    for watched_days_ago in range(4):
        watched = title_in("US", "Watched", genres=genres[:3])
        watch(profile, watched, watched_days_ago)
        for similar_rank in range(1, length + 1):
            rank += 1
            pick = title_in("US", "Pick", genres=genres)
            RecommendationFactory(
                profile=profile, title=pick, rank=rank, because_you_watched=watched
            )
            SimilarTitleFactory(
                title=watched, similar=title_in("US", "Similar", genres=genres), rank=similar_rank
            )
    for genre in genres:
        for _ in range(length + 5):
            TitlePopularityFactory(title=title_in("US", "Popular", genres=[genre]))
    return profile


@pytest.mark.parametrize("screen", ["small", "full"])
def test_a_home_screen_takes_the_same_number_of_queries_whatever_its_rows(
    db: None, screen: str
) -> None:
    # given a profile whose screen has two short rows, or every row at full length
    profile = small_screen() if screen == "small" else full_screen()
    client = client_of(profile.account)

    # when it opens its home screen with every title's genres
    with CaptureQueriesContext(connection) as captured:
        data = data_of(client, HOME_WITH_GENRES, {"id": gid("Profile", profile)})

    # then: session, account, profile; history, its genres, continue watching, Top 10,
    # trending, new titles ranked for the profile, recommendations, similar titles, popular
    # titles by genre, what may be shown; the screen's titles and their genres
    rows = data["home"]["rows"]
    if screen == "small":
        assert [(row["kind"], len(row["items"])) for row in rows] == [
            ("CONTINUE_WATCHING", 2),
            ("GENRE", 2),
        ]
    else:
        assert [(row["kind"], len(row["items"])) for row in rows] == [
            ("CONTINUE_WATCHING", 20),
            ("TOP10", 10),
            ("TRENDING", 20),
            ("NEW_ON_SERVICE", 20),
            ("BECAUSE_YOU_WATCHED", 20),
            ("BECAUSE_YOU_WATCHED", 20),
            ("BECAUSE_YOU_WATCHED", 20),
            ("GENRE", 20),
            ("GENRE", 20),
            ("GENRE", 20),
        ]
    assert all(
        item["title"]["genres"]
        for row in rows
        if row["kind"] != "CONTINUE_WATCHING"  # episodes: their series have the genres
        for item in row["items"]
    )
    assert len(captured) == 15


def genre_row(rows: list[dict[str, Any]]) -> list[str]:
    (row,) = [row for row in rows if row["kind"] == "GENRE"]
    return names(row)


def popularity_reads(captured: CaptureQueriesContext) -> int:
    return sum('FROM "audience_titlepopularity"' in query["sql"] for query in captured)


@pytest.mark.django_db(transaction=True)
def test_a_countrys_profiles_share_its_genre_rankings_until_the_workers_rank_again(
    settings: Any, response_cache: None
) -> None:
    # given two profiles in the US who watched a drama, and two popular dramas there
    settings.HOME_GENRE_RANKING_CACHE_SECONDS = 600
    drama = GenreFactory(name="Drama")
    favourite = title_in("US", "Old favourite", genres=[drama])
    rising = title_in("US", "Rising", genres=[drama])
    TitlePopularityFactory(title=favourite, views=100)
    TitlePopularityFactory(title=rising, views=10)
    first, second = ProfileFactory(), ProfileFactory()
    for profile in (first, second):
        watch(profile, title_in("US", "Seen", genres=[drama]), 1)

    # when both open their home screens
    assert genre_row(home_of(first)) == ["Old favourite", "Rising"]
    with CaptureQueriesContext(connection) as shared:
        assert genre_row(home_of(second)) == ["Old favourite", "Rising"]

    # then the second screen read the ranking the first one left, not the popularity table
    assert popularity_reads(shared) == 0

    # and once the workers rank the titles again, the next screen shows the new order
    TitlePopularity.objects.filter(title=rising).update(views=1000)
    with CaptureQueriesContext(connection) as after:
        assert genre_row(home_of(second)) == ["Rising", "Old favourite"]
    assert popularity_reads(after) == 1


@pytest.mark.django_db(transaction=True)
def test_a_profile_that_watched_a_whole_ranking_still_gets_a_genre_row(
    settings: Any, response_cache: None
) -> None:
    # given one genre row of one title, read from rankings 28 titles deep (two screens of
    # 10 + 4 titles), and a profile who watched all 28 of the most popular dramas
    settings.HOME_GENRE_RANKING_CACHE_SECONDS = 600
    settings.HOME_ROW_LENGTH = 1
    settings.HOME_BECAUSE_YOU_WATCHED_ROWS = 0
    settings.HOME_GENRE_ROWS = 1
    drama = GenreFactory(name="Drama")
    profile = ProfileFactory()
    for rank in range(30):
        title = title_in("US", f"Drama {rank}", genres=[drama])
        TitlePopularityFactory(title=title, views=1000 - rank)
        if rank < 28:
            watch(profile, title, 1)

    # when it opens its home screen, then its genre row goes past the shared ranking
    assert genre_row(home_of(profile)) == ["Drama 28"]
