"""The audience in the admin: viewers, read-only events and aggregates, the title page's
audience panel and the insights heatmap, as staff see them through the test client.

Pages that show aggregates read them as the workers wrote them: events from factories, then
`refresh_aggregates()`, the two steps of the workers' schedule.
"""

import re
import xml.etree.ElementTree as ElementTree
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AbstractUser, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audience.admin.charts import (
    HIGH_COLOUR,
    LOW_COLOUR,
    NO_DATA_COLOUR,
    DailyBarChart,
    daily_bar_chart_svg,
    lift_colours,
    nice_ticks,
)
from audience.admin.pagination import LookAheadPaginator
from audience.figures.insights import title_rollup, title_top10_history
from audience.models import (
    AgeBand,
    DailyTitleStats,
    Gender,
    GenreSegmentHours,
    ProfileSource,
    TitlePopularity,
    Top10Entry,
    TrendingEntry,
    ViewingEvent,
)
from catalog.models import Title
from tests.audience.aggregates import refresh_aggregates
from tests.factories import (
    EpisodeFactory,
    GenreFactory,
    MyListEntryFactory,
    ProfileFactory,
    RatingFactory,
    SeasonFactory,
    SeriesFactory,
    StaffUserFactory,
    TastePickFactory,
    TitleFactory,
    ViewerFactory,
    ViewingEventFactory,
)

SVG = "{http://www.w3.org/2000/svg}"
INSIGHTS = reverse("admin:audience_insights")
LAST_DAY = date(2026, 3, 17)
HOUR = 3600


def at(day: date, hour: int = 20) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def title_page(client: Client, title: Title) -> str:
    response = client.get(reverse("admin:catalog_title_change", args=[title.pk]))
    assert response.status_code == 200
    return response.content.decode()


def chart_bars(html: str) -> list[tuple[str, str]]:
    """(day, value) of each bar of the title page's daily views chart."""
    svg = chart_svg(html)
    return [(bar.attrib["data-day"], bar.attrib["data-value"]) for bar in svg.iter(f"{SVG}rect")]


def chart_svg(html: str) -> ElementTree.Element:
    match = re.search(r'<svg[^>]*id="title-daily-views".*?</svg>', html, re.DOTALL)
    assert match, "the page has no daily views chart"
    return ElementTree.fromstring(match.group(0))


class _TableReader(HTMLParser):
    """The text of every cell, row by row, of the table with the given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    reader = _TableReader(table_id)
    reader.feed(html)
    return reader.rows


def staff_with(*permissions: str) -> Client:
    """A client logged in as staff (not superuser) holding only the given permissions."""
    user: AbstractUser = StaffUserFactory(is_superuser=False)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client = Client()
    client.force_login(user)
    return client


# The title page's audience panel


@pytest.mark.django_db
def test_title_page_charts_daily_views_of_the_90_days_up_to_the_latest_day(
    staff_client: Client,
) -> None:
    # given a two-hour movie watched on three days, once 100 days before, and another movie
    movie = TitleFactory(name="Night Train", runtime_minutes=120)
    us_viewer, gb_viewer = ProfileFactory(region="US"), ProfileFactory(region="GB")
    for profile, day, seconds in [
        (us_viewer, LAST_DAY - timedelta(days=100), 2 * HOUR),
        (us_viewer, LAST_DAY - timedelta(days=89), 1 * HOUR),
        (gb_viewer, LAST_DAY - timedelta(days=89), 2 * HOUR),
        (us_viewer, LAST_DAY - timedelta(days=7), 4 * HOUR),
        (gb_viewer, LAST_DAY, 1 * HOUR),
    ]:
        ViewingEventFactory(
            profile=profile, title=movie, started_at=at(day), seconds_watched=seconds
        )
    ViewingEventFactory(title=TitleFactory(), started_at=at(LAST_DAY + timedelta(days=3)))
    refresh_aggregates()

    # when staff open the movie
    html = title_page(staff_client, movie)

    # then a bar per day with viewing in the window, in views = hours / 2, both regions summed
    assert chart_bars(html) == [
        ("2025-12-18", "1.50"),
        ("2026-03-10", "2.00"),
        ("2026-03-17", "0.50"),
    ]
    svg = chart_svg(html)
    assert svg.attrib["role"] == "img"
    assert svg.attrib["data-days"] == "90"
    assert svg.findtext(f"{SVG}title") == (
        "Daily views of Night Train (2001), 18 Dec 2025 to 17 Mar 2026"
    )
    assert svg.findtext(f"{SVG}desc") == (
        "Bar chart of views per day, 18 Dec 2025 to 17 Mar 2026: 3 days with viewing, "
        "4.0 views in all, the most on 10 Mar 2026 with 2.0."
    )
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert texts[:7] == ["0", "0.5", "1", "1.5", "2", "Views per day", "17 Mar"]
    assert texts[-1] == "Day (UTC)"
    assert "Views are hours viewed divided by the runtime (120 minutes)." in html


@pytest.mark.django_db
def test_a_series_page_rolls_up_its_episodes_and_lists_its_seasons_top10_lines(
    staff_client: Client,
) -> None:
    # given a series of two seasons with three 45-minute episodes in all, watched on one day
    series = SeriesFactory(name="Harbour Lights")
    first = SeasonFactory(parent=series, number=1, name="Harbour Lights: Season 1")
    second = SeasonFactory(parent=series, number=2, name="Harbour Lights: Season 2")
    pilot, finale = EpisodeFactory(parent=first, number=1), EpisodeFactory(parent=first, number=2)
    sequel = EpisodeFactory(parent=second, number=1)
    for episode, seconds in [(pilot, 2700), (finale, 2700), (sequel, 2700)]:
        ViewingEventFactory(title=episode, started_at=at(LAST_DAY), seconds_watched=seconds)
    refresh_aggregates()

    # when staff open the series, a season and an episode
    series_page, season_page = title_page(staff_client, series), title_page(staff_client, first)
    episode_page = title_page(staff_client, sequel)

    # then the series counts 135 minutes against a runtime of 135, the season 90 against 90
    assert chart_bars(series_page) == [("2026-03-17", "1.00")]
    assert chart_bars(season_page) == [("2026-03-17", "1.00")]
    assert chart_bars(episode_page) == [("2026-03-17", "1.00")]
    # and the Top 10 ranks seasons: the series lists both, the episode its own season's line
    header = ["Week", "Ranked title", "Region", "Category", "Rank", "Views", "Weeks in Top 10"]
    assert table_rows(series_page, "title-top10") == [
        header,
        ["16 Mar 2026", "Harbour Lights: Season 1", "Global", "TV", "#1", "1.0", "1"],
        ["16 Mar 2026", "Harbour Lights: Season 2", "Global", "TV", "#2", "1.0", "1"],
        ["16 Mar 2026", "Harbour Lights: Season 1", "US", "TV", "#1", "1.0", "1"],
        ["16 Mar 2026", "Harbour Lights: Season 2", "US", "TV", "#2", "1.0", "1"],
    ]
    assert table_rows(episode_page, "title-top10")[1:] == [
        ["16 Mar 2026", "Harbour Lights: Season 2", "Global", "TV", "#2", "1.0", "1"],
        ["16 Mar 2026", "Harbour Lights: Season 2", "US", "TV", "#2", "1.0", "1"],
    ]


@pytest.mark.django_db
def test_title_page_lists_its_top10_history_latest_week_first_worldwide_first(
    staff_client: Client,
) -> None:
    # given an hour-long movie watched in two weeks, in the US and in Great Britain
    movie = TitleFactory(name="Night Train", runtime_minutes=60)
    us_viewer, gb_viewer = ProfileFactory(region="US"), ProfileFactory(region="GB")
    for profile, day, seconds in [
        (us_viewer, date(2026, 3, 10), 2 * HOUR),
        (gb_viewer, date(2026, 3, 16), 1 * HOUR),
        (us_viewer, date(2026, 3, 17), 1 * HOUR),
    ]:
        ViewingEventFactory(
            profile=profile, title=movie, started_at=at(day), seconds_watched=seconds
        )
    refresh_aggregates()

    # when staff open it
    html = title_page(staff_client, movie)

    # then
    assert table_rows(html, "title-top10") == [
        ["Week", "Region", "Category", "Rank", "Views", "Weeks in Top 10"],
        ["16 Mar 2026", "Global", "Films", "#1", "2.0", "2"],
        ["16 Mar 2026", "GB", "Films", "#1", "1.0", "1"],
        ["16 Mar 2026", "US", "Films", "#1", "1.0", "2"],
        ["9 Mar 2026", "Global", "Films", "#1", "2.0", "1"],
        ["9 Mar 2026", "US", "Films", "#1", "2.0", "1"],
    ]


@pytest.mark.django_db
def test_title_page_without_viewing_ends_its_chart_today(staff_client: Client) -> None:
    movie = TitleFactory(name="Unseen")

    html = title_page(staff_client, movie)

    today = timezone.localdate()
    assert chart_bars(html) == []
    assert chart_svg(html).findtext(f"{SVG}desc") == (
        f"No viewing from {(today - timedelta(days=89)):%-d %b %Y} to {today:%-d %b %Y}."
    )
    assert "Not in a Top 10 yet." in html


def make_watched_movie(days: int, regions: list[str]) -> Title:
    """A movie watched every day for `days` days up to LAST_DAY, once in each region."""
    movie: Title = TitleFactory(runtime_minutes=60)
    viewers = [ProfileFactory(region=region) for region in regions]
    for back in range(days):
        for profile in viewers:
            day = LAST_DAY - timedelta(days=back)
            ViewingEventFactory(profile=profile, title=movie, started_at=at(day))
    return movie


def page_queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.django_db
def test_title_page_queries_do_not_grow_with_days_or_top10_lines(staff_client: Client) -> None:
    # given a movie watched on 5 days and one watched on 50 days, in three regions
    few = make_watched_movie(5, ["US", "GB", "FR"])
    many = make_watched_movie(50, ["US", "GB", "FR"])
    refresh_aggregates()

    # when staff open each
    few_queries, few_html = page_queries(
        staff_client, reverse("admin:catalog_title_change", args=[few.pk])
    )
    many_queries, many_html = page_queries(
        staff_client, reverse("admin:catalog_title_change", args=[many.pk])
    )

    # then both pages run the same queries: 10 of the title page, 2 of the panel
    assert (len(chart_bars(few_html)), len(table_rows(few_html, "title-top10")) - 1) == (5, 8)
    assert (len(chart_bars(many_html)), len(table_rows(many_html, "title-top10")) - 1) == (50, 32)
    assert few_queries == many_queries == 12


@pytest.mark.django_db
def test_a_series_page_adds_one_query_for_its_episodes_runtime(staff_client: Client) -> None:
    series, viewer = SeriesFactory(), ProfileFactory()
    for number in range(1, 4):
        season = SeasonFactory(parent=series, number=number)
        episode = EpisodeFactory(parent=season, number=1)
        for back in range(10 * number):
            day = LAST_DAY - timedelta(days=back)
            ViewingEventFactory(profile=viewer, title=episode, started_at=at(day))
    refresh_aggregates()

    queries, html = page_queries(
        staff_client, reverse("admin:catalog_title_change", args=[series.pk])
    )

    # the movie page's 12, and the sum of the episodes' runtimes
    assert len(chart_bars(html)) == 30
    assert queries == 13


@pytest.mark.django_db
def test_top10_history_keeps_the_latest_lines_and_says_when_there_are_more() -> None:
    movie = make_watched_movie(3, ["US"])
    refresh_aggregates()

    history = title_top10_history(title_rollup(movie), limit=3)

    assert [(entry.week_start, entry.region) for entry in history.entries] == [
        (date(2026, 3, 16), ""),
        (date(2026, 3, 16), "US"),
        (date(2026, 3, 9), ""),
    ]
    assert history.truncated is True
    assert title_top10_history(title_rollup(movie), limit=4).truncated is False


@pytest.mark.django_db
def test_title_panel_shows_only_what_the_staff_member_may_view() -> None:
    movie = make_watched_movie(3, ["US"])
    refresh_aggregates()
    url = reverse("admin:catalog_title_change", args=[movie.pk])
    title_editor = staff_with("catalog.change_title")
    views_reader = staff_with("catalog.change_title", "audience.view_dailytitlestats")

    editor_html = title_editor.get(url).content.decode()
    reader_html = views_reader.get(url).content.decode()

    assert 'id="title-audience"' not in editor_html
    assert len(chart_bars(reader_html)) == 3
    assert 'id="title-top10"' not in reader_html
    assert "Top 10 history" not in reader_html


def test_the_add_title_page_has_no_audience_panel(staff_client: Client) -> None:
    response = staff_client.get(reverse("admin:catalog_title_add"))

    assert response.status_code == 200
    assert 'id="title-audience"' not in response.content.decode()


# Pure rendering: the chart and the colour scale


def test_bar_chart_escapes_its_text_and_draws_only_days_in_its_range() -> None:
    chart = DailyBarChart(
        chart_id="c",
        title="Daily views of <Tom & Jerry>",
        description='Peak "here"',
        first_day=date(2026, 1, 1),
        last_day=date(2026, 1, 10),
        values={date(2025, 12, 31): 5.0, date(2026, 1, 2): 3.0, date(2026, 1, 3): 0.0},
        y_label="Views per day",
        unit="views",
    )

    svg = ElementTree.fromstring(str(daily_bar_chart_svg(chart)))

    assert svg.findtext(f"{SVG}title") == "Daily views of <Tom & Jerry>"
    assert svg.findtext(f"{SVG}desc") == 'Peak "here"'
    assert [bar.attrib["data-day"] for bar in svg.iter(f"{SVG}rect")] == ["2026-01-02"]
    assert [tick.text for tick in svg.iter(f"{SVG}text") if "x-tick" in tick.get("class", "")] == [
        "10 Jan"
    ]


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0.0, 1.0]),
        (2.11, [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]),
        (7, [0.0, 2.0, 4.0, 6.0, 8.0]),
        (10, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
        (1234, [0.0, 250.0, 500.0, 750.0, 1000.0, 1250.0]),
    ],
)
def test_nice_ticks_cover_the_maximum_in_round_steps(maximum: float, ticks: list[float]) -> None:
    assert nice_ticks(maximum) == ticks


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


@pytest.mark.parametrize(
    ("lift", "background", "text"),
    [
        (1.0, "#f7f7f7", "#1a1a1a"),
        (4.0, hex_colour(HIGH_COLOUR), "#ffffff"),
        (9.0, hex_colour(HIGH_COLOUR), "#ffffff"),
        (0.25, hex_colour(LOW_COLOUR), "#ffffff"),
        (0.0, hex_colour(LOW_COLOUR), "#ffffff"),
        (2.0, "#d48891", "#1a1a1a"),
        (0.5, "#8caed2", "#1a1a1a"),
        (None, NO_DATA_COLOUR, "#1a1a1a"),
    ],
)
def test_lift_colours_diverge_around_one(lift: float | None, background: str, text: str) -> None:
    colours = lift_colours(lift)

    assert (colours.background, colours.text) == (background, text)


# The insights page


@pytest.fixture
def genre_viewing(db: None) -> None:
    """Drama and comedy, watched by three segments in two countries.

    Everyone: drama 6 h, comedy 4 h (shares 0.6 and 0.4).
    """
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    GenreFactory(name="Western")  # nobody watches it
    drama_movie, comedy_movie = TitleFactory(genres=[drama]), TitleFactory(genres=[comedy])
    women_us = ProfileFactory(region="US", age_band=AgeBand.ADULT, gender=Gender.FEMALE)
    men_us = ProfileFactory(region="US", age_band=AgeBand.YOUNG_ADULT, gender=Gender.MALE)
    women_gb = ProfileFactory(region="GB", age_band=AgeBand.ADULT, gender=Gender.FEMALE)
    for profile, title, hours in [
        (women_us, drama_movie, 3),
        (women_us, comedy_movie, 1),
        (men_us, drama_movie, 1),
        (men_us, comedy_movie, 3),
        (women_gb, drama_movie, 2),
    ]:
        ViewingEventFactory(
            profile=profile, title=title, started_at=at(LAST_DAY), seconds_watched=hours * HOUR
        )
    refresh_aggregates()


@pytest.mark.usefixtures("genre_viewing")
@pytest.mark.parametrize(
    ("query", "heading", "rows"),
    [
        (
            {},
            "Genre affinity by segment: Global",
            # 25-34 women: drama 5 of 6 h (0.83 / 0.6), comedy 1 of 6 h (0.17 / 0.4)
            [
                ["", "18-24", "25-34"],
                ["Male", "Female"],
                ["Comedy", "1.88", "0.42"],
                ["Drama", "0.42", "1.39"],
            ],
        ),
        (
            {"region": "US"},
            "Genre affinity by segment: US",
            [
                ["", "18-24", "25-34"],
                ["Male", "Female"],
                ["Comedy", "1.88", "0.62"],
                ["Drama", "0.42", "1.25"],
            ],
        ),
        (
            {"region": "GB"},
            "Genre affinity by segment: GB",
            [["", "25-34"], ["Female"], ["Comedy", "0.00"], ["Drama", "1.67"]],
        ),
    ],
)
def test_insights_heatmap_shows_lift_by_genre_and_segment(
    staff_client: Client, query: dict[str, str], heading: str, rows: list[list[str]]
) -> None:
    response = staff_client.get(INSIGHTS, query)

    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert table_rows(html, "affinity-heatmap") == rows


@pytest.mark.usefixtures("genre_viewing")
def test_insights_cells_are_coloured_by_lift_with_a_legend(staff_client: Client) -> None:
    html = staff_client.get(INSIGHTS).content.decode()

    drama_women = lift_colours(5 / 6 / 0.6)
    assert (
        f'style="background-color: {drama_women.background}; color: {drama_women.text}" '
        f'title="25-34 Female, Drama: 83.3% of the segment&#x27;s hours vs 60.0% for everyone '
        f'(lift 1.39; 5.0 hours)" data-lift="1.3889">1.39'
    ) in html
    assert 'id="lift-legend"' in html
    assert html.count('class="legend-swatch"') == 9


@pytest.mark.usefixtures("genre_viewing")
def test_insights_region_selector_offers_global_and_every_region_watched_from(
    staff_client: Client,
) -> None:
    response = staff_client.get(INSIGHTS, {"region": "GB"})

    field = response.context["form"]["region"]
    assert [(choice.data["value"], choice.data["label"]) for choice in field.subwidgets] == [
        ("", "Global"),
        ("GB", "GB"),
        ("US", "US"),
    ]
    assert 'value="GB" selected' in response.content.decode()


@pytest.mark.usefixtures("genre_viewing")
def test_insights_rejects_a_region_nobody_watched_from(staff_client: Client) -> None:
    response = staff_client.get(INSIGHTS, {"region": "ZZ"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "region": ["Select a valid choice. ZZ is not one of the available choices."]
    }
    assert 'id="affinity-heatmap"' not in response.content.decode()


@pytest.mark.django_db
def test_insights_without_viewing_says_so(staff_client: Client) -> None:
    response = staff_client.get(INSIGHTS)

    assert response.status_code == 200
    assert "No viewing recorded yet." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("days", [5, 50])
def test_insights_queries_do_not_grow_with_days_of_viewing(staff_client: Client, days: int) -> None:
    # given two segments in two regions watching two genres every day for `days` days
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    titles = [TitleFactory(genres=[drama]), TitleFactory(genres=[comedy])]
    viewers = [
        ProfileFactory(region="US", age_band=AgeBand.ADULT, gender=Gender.FEMALE),
        ProfileFactory(region="GB", age_band=AgeBand.SENIOR, gender=""),
    ]
    for back in range(days):
        for profile in viewers:
            for title in titles:
                day = LAST_DAY - timedelta(days=back)
                ViewingEventFactory(profile=profile, title=title, started_at=at(day))
    refresh_aggregates()

    # when staff open the insights page
    queries, html = page_queries(staff_client, INSIGHTS)

    # then session, user, regions, segments, the genre hours and the genres
    assert table_rows(html, "affinity-heatmap")[:2] == [
        ["", "25-34", "55+"],
        ["Female", "Not given"],
    ]
    assert queries == 6


def test_insights_sends_anonymous_visitors_to_the_login(client: Client) -> None:
    response = client.get(INSIGHTS)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={INSIGHTS}"


@pytest.mark.django_db
def test_insights_sends_viewers_who_are_not_staff_to_the_login() -> None:
    client = Client()
    client.force_login(ViewerFactory())

    response = client.get(INSIGHTS)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={INSIGHTS}"


@pytest.mark.django_db
def test_insights_refuses_staff_without_the_audience_view_permission() -> None:
    assert staff_with("catalog.view_title").get(INSIGHTS).status_code == 403
    assert staff_with("audience.view_genresegmenthours").get(INSIGHTS).status_code == 200


@pytest.mark.django_db
def test_the_audience_app_page_links_to_the_insights(staff_client: Client) -> None:
    html = staff_client.get(reverse("admin:app_list", args=["audience"])).content.decode()

    assert f'<a href="{INSIGHTS}">Audience insights: genre affinity by segment</a>' in html
    hours = staff_client.get(reverse("admin:audience_genresegmenthours_changelist"))
    assert f'<a href="{INSIGHTS}">Audience insights</a>' in hours.content.decode()


# Viewers, events and aggregates


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Ada", "Bea", "Cy"]),
        ({"q": "bea"}, ["Bea"]),
        ({"q": "cy-account"}, ["Cy"]),
        ({"q": "cy@viewers.test"}, ["Cy"]),
        ({"q": "858"}, ["Ada"]),
        ({"q": "85"}, []),
        ({"region": "GB"}, ["Bea"]),
        ({"age_band__exact": "55+"}, ["Cy"]),
        ({"gender__exact": "male"}, ["Bea"]),
        ({"source__exact": "movielens"}, ["Ada"]),
    ],
)
def test_profile_changelist_search_and_filters(
    staff_client: Client, query: dict[str, str], expected: list[str]
) -> None:
    ProfileFactory(name="Ada", source=ProfileSource.MOVIELENS, source_id="858")
    ProfileFactory(name="Bea", region="GB", gender=Gender.MALE)
    ProfileFactory(
        name="Cy",
        age_band=AgeBand.SENIOR,
        account=ViewerFactory(username="cy-account", email="cy@viewers.test"),
    )
    # The region filter offers the countries anyone watched from.
    watched = TitleFactory(genres=[GenreFactory(name="Drama")])
    ViewingEventFactory(profile=ProfileFactory(name="Dee", region="GB"), title=watched)
    refresh_aggregates()

    response = staff_client.get(reverse("admin:audience_profile_changelist"), query)

    assert response.status_code == 200
    names = [profile.name for profile in response.context["cl"].result_list]
    assert [name for name in names if name != "Dee"] == expected


@pytest.mark.django_db
def test_profile_page_shows_latest_ratings_my_list_and_taste_picks_read_only(
    staff_client: Client,
) -> None:
    profile = ProfileFactory(name="Ada")
    for index in range(22):
        RatingFactory(profile=profile, title=TitleFactory(name=f"Rated {index:02d}"))
    MyListEntryFactory(profile=profile, title=TitleFactory(name="Saved for later"))
    TastePickFactory(profile=profile, title=TitleFactory(name="Picked at sign-up"))
    RatingFactory(title=TitleFactory(name="Someone else's"))

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(reverse("admin:audience_profile_change", args=[profile.pk]))

    assert response.status_code == 200
    ratings, my_list, taste_picks = (
        inline.formset for inline in response.context["inline_admin_formsets"]
    )
    assert [form.instance.title.name for form in ratings.forms] == [
        f"Rated {index:02d}" for index in range(21, 1, -1)
    ]
    assert [form.instance.title.name for form in my_list.forms] == ["Saved for later"]
    assert [form.instance.title.name for form in taste_picks.forms] == ["Picked at sign-up"]
    html = response.content.decode()
    assert 'name="ratings-0-value"' not in html
    assert "Someone else" not in html
    assert f"?profile__id__exact={profile.pk}" in html
    # session, user, profile, its account (autocomplete), each inline's rows, content type
    assert len(captured) == 8


@pytest.mark.django_db
def test_viewing_event_changelist_never_counts_the_table(staff_client: Client) -> None:
    profile = ProfileFactory(name="Ada")
    events = ViewingEventFactory.create_batch(3, profile=profile)
    ViewingEventFactory()

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(
            reverse("admin:audience_viewingevent_changelist"), {"profile__id__exact": profile.pk}
        )

    assert response.status_code == 200
    assert [event.pk for event in response.context["cl"].result_list] == [
        event.pk for event in reversed(events)
    ]
    sql = [query["sql"] for query in captured]
    assert not [statement for statement in sql if "COUNT(" in statement.upper()]
    # session, user, the page read one row ahead, the page itself (fewer rows than a page)
    assert len(sql) == 4
    assert "3 viewing events" in response.content.decode()


@pytest.mark.django_db
def test_look_ahead_paginator_reads_one_row_past_the_page() -> None:
    events = ViewingEventFactory.create_batch(5, profile=ProfileFactory())
    queryset = ViewingEvent.objects.order_by("id")

    first = LookAheadPaginator(queryset, 2, page_number=1)
    last = LookAheadPaginator(queryset, 2, page_number=3)

    assert (first.count, first.num_pages, first.has_more, first.rows_seen) == (3, 2, True, 2)
    assert list(first.page(1).object_list) == events[:2]
    assert (last.count, last.num_pages, last.has_more, last.rows_seen) == (5, 3, False, 5)
    assert list(last.page(3).object_list) == events[4:]


@pytest.mark.django_db
def test_viewing_event_changelist_shows_a_lower_bound_when_there_are_more(
    staff_client: Client,
) -> None:
    ViewingEventFactory.create_batch(101, profile=ProfileFactory())

    response = staff_client.get(reverse("admin:audience_viewingevent_changelist"))

    html = response.content.decode()
    assert len(response.context["cl"].result_list) == 100
    assert "100+ viewing events" in html
    assert "?p=2" in html
    assert "Show all" not in html


READ_ONLY_MODELS = [
    ViewingEvent,
    DailyTitleStats,
    Top10Entry,
    TrendingEntry,
    TitlePopularity,
    GenreSegmentHours,
]


@pytest.mark.django_db
@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda model: model.__name__)
def test_events_and_aggregates_are_read_only(staff_client: Client, model: type) -> None:
    genre = GenreFactory(name="Drama")
    ViewingEventFactory(title=TitleFactory(genres=[genre]), started_at=at(LAST_DAY))
    refresh_aggregates()
    rows = list(model.objects.order_by("pk"))
    row = rows[0]
    name = f"admin:audience_{model._meta.model_name}"

    changelist = staff_client.get(reverse(f"{name}_changelist"))
    change = staff_client.get(reverse(f"{name}_change", args=[row.pk]))
    add = staff_client.get(reverse(f"{name}_add"))
    delete = staff_client.get(reverse(f"{name}_delete", args=[row.pk]))
    post = staff_client.post(reverse(f"{name}_change", args=[row.pk]), {})

    assert changelist.status_code == 200
    assert sorted(obj.pk for obj in changelist.context["cl"].result_list) == [r.pk for r in rows]
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False
    assert 'name="_save"' not in change.content.decode()
    assert (add.status_code, delete.status_code, post.status_code) == (403, 403, 403)
    assert model.objects.count() == len(rows)


@pytest.mark.django_db
def test_ratings_can_be_read_and_deleted_but_not_written(staff_client: Client) -> None:
    rating = RatingFactory()

    add = staff_client.get(reverse("admin:audience_rating_add"))
    change = staff_client.get(reverse("admin:audience_rating_change", args=[rating.pk]))
    delete = staff_client.post(
        reverse("admin:audience_rating_delete", args=[rating.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.context["has_change_permission"] is False
    assert delete.status_code == 302
    assert not type(rating).objects.exists()


@pytest.mark.django_db
def test_staff_correct_a_profile_region_in_any_case(staff_client: Client) -> None:
    profile = ProfileFactory(name="Ada", region="US")
    data = {
        "account": profile.account_id,
        "name": "Ada",
        "region": " gb ",
        "language": "en",
        "age_band": AgeBand.ADULT,
        "gender": Gender.FEMALE,
        "maturity_level": "18",
        "source": "",
        "source_id": "",
    }
    for prefix in ["ratings", "my_list", "taste_picks"]:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = staff_client.post(reverse("admin:audience_profile_change", args=[profile.pk]), data)

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.region == "GB"


@pytest.mark.django_db
def test_top10_link_lists_every_line_of_the_ranked_titles(staff_client: Client) -> None:
    movie = make_watched_movie(3, ["US"])
    make_watched_movie(3, ["US"])
    refresh_aggregates()

    response = staff_client.get(
        reverse("admin:audience_top10entry_changelist"), {"title__id__in": str(movie.pk)}
    )

    assert response.status_code == 200
    assert {entry.title_id for entry in response.context["cl"].result_list} == {movie.pk}
    assert len(response.context["cl"].result_list) == 4
