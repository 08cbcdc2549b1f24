"""The audience pages in a real browser: headless Chromium against the live server.

The data is made before the browser starts: Playwright's sync API runs an event loop in this
thread, inside which Django refuses database calls.
"""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from audience.models import AgeBand, Gender
from catalog.models import Title
from tests.audience.aggregates import refresh_aggregates
from tests.browser import logged_in_page
from tests.factories import (
    GenreFactory,
    ProfileFactory,
    StaffUserFactory,
    TitleFactory,
    ViewingEventFactory,
)

pytestmark = pytest.mark.browser

USERNAME = "browser-staff"
LAST_DAY = date(2026, 3, 17)


def at(day: date) -> datetime:
    return datetime.combine(day, time(20), tzinfo=UTC)


@pytest.fixture
def staff(transactional_db: None) -> None:
    StaffUserFactory(username=USERNAME)


def watched_movie() -> Title:
    """An hour-long movie watched on five days of two weeks, in the US and Great Britain."""
    movie: Title = TitleFactory(name="Night Train", runtime_minutes=60, genres=[GenreFactory()])
    viewers = [ProfileFactory(region="US"), ProfileFactory(region="GB")]
    for back in range(5):
        for profile in viewers:
            ViewingEventFactory(
                profile=profile, title=movie, started_at=at(LAST_DAY - timedelta(days=back))
            )
    return movie


@pytest.mark.usefixtures("staff")
def test_title_page_draws_the_daily_views_chart_and_the_top10_table(
    live_server: LiveServer, tmp_path: Path
) -> None:
    # given a movie watched on five days, in two weeks and two regions
    movie = watched_movie()
    refresh_aggregates()

    with logged_in_page(live_server, USERNAME) as page:
        # when staff open the movie's page
        page.goto(f"{live_server.url}/admin/catalog/title/{movie.pk}/change/")
        panel = page.locator("#title-audience")
        panel.scroll_into_view_if_needed()

        # then the chart has a visible bar per day and the table a line per week and region
        chart = page.locator("svg#title-daily-views")
        expect(chart).to_be_visible()
        expect(chart.locator("rect.bar")).to_have_count(5)
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 600
        assert box["height"] > 200
        expect(chart.locator("title").first).to_have_text(
            "Daily views of Night Train (2001), 18 Dec 2025 to 17 Mar 2026"
        )
        assert chart.locator("rect.bar").last.get_attribute("data-value") == "2.00"
        rows = page.locator("#title-top10 tbody tr")
        # weeks of 9 and 16 March, each worldwide, GB and US
        expect(rows).to_have_count(6)
        expect(rows.first).to_contain_text("16 Mar 2026")
        expect(rows.first).to_contain_text("Global")
        panel.screenshot(path=tmp_path / "title-audience.png")
    assert (tmp_path / "title-audience.png").stat().st_size > 10_000


@pytest.mark.usefixtures("staff")
def test_insights_page_draws_the_affinity_heatmap_for_a_chosen_region(
    live_server: LiveServer, tmp_path: Path
) -> None:
    # given women in the US and GB watching mostly drama, men in the US mostly comedy
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    films = {drama: TitleFactory(genres=[drama]), comedy: TitleFactory(genres=[comedy])}
    women_us = ProfileFactory(region="US", age_band=AgeBand.ADULT, gender=Gender.FEMALE)
    men_us = ProfileFactory(region="US", age_band=AgeBand.YOUNG_ADULT, gender=Gender.MALE)
    women_gb = ProfileFactory(region="GB", age_band=AgeBand.ADULT, gender=Gender.FEMALE)
    for profile, genre, hours in [
        (women_us, drama, 3),
        (women_us, comedy, 1),
        (men_us, drama, 1),
        (men_us, comedy, 3),
        (women_gb, drama, 2),
    ]:
        ViewingEventFactory(
            profile=profile,
            title=films[genre],
            started_at=at(LAST_DAY),
            seconds_watched=hours * 3600,
        )
    refresh_aggregates()

    with logged_in_page(live_server, USERNAME) as page:
        # when staff open the insights from the Audience app page
        page.goto(f"{live_server.url}/admin/audience/")
        page.click("text=Audience insights: genre affinity by segment")

        # then a 2 x 2 heatmap, worldwide: 25-34 women watch drama 1.39 times as much as everyone
        heatmap = page.locator("#affinity-heatmap")
        expect(heatmap.locator("td.heatmap-cell")).to_have_count(4)
        expect(heatmap.locator("thead tr.age-bands th")).to_have_text(["18-24", "25-34"])
        expect(heatmap.locator("thead tr.genders th")).to_have_text(["Male", "Female"])
        drama_row = heatmap.locator("tbody tr", has_text="Drama")
        expect(drama_row.locator("td.heatmap-cell")).to_have_text(["0.42", "1.39"])
        expect(page.locator("svg#lift-legend rect.legend-swatch")).to_have_count(9)
        background = drama_row.locator("td.heatmap-cell").last.evaluate(
            "cell => getComputedStyle(cell).backgroundColor"
        )
        assert background.startswith("rgb(")
        assert background != "rgba(0, 0, 0, 0)"
        page.screenshot(path=tmp_path / "insights-global.png", full_page=True)

        # and when they choose Great Britain, one segment remains
        page.select_option("#id_region", "GB")
        page.click("#affinity-region-form input[type=submit]")
        expect(page.locator("#affinity-heading")).to_have_text("Genre affinity by segment: GB")
        expect(heatmap.locator("td.heatmap-cell")).to_have_count(2)
        expect(heatmap.locator("tbody tr", has_text="Drama").locator("td")).to_have_text(["1.67"])
    assert (tmp_path / "insights-global.png").stat().st_size > 10_000
