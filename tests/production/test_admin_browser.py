"""Productions in a real browser: headless Chromium against the live server.

The data is made before the browser starts: Playwright's sync API runs an event loop in this
thread, inside which Django refuses database calls.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from catalog.models import Availability, Credit, RoleType, Title, TitleStatus
from production.models import (
    LocationStatus,
    PostTaskStatus,
    Production,
    ShootDayStatus,
    Stage,
    StageTransition,
)
from production.stages import production_advance, production_revert
from tests.browser import logged_in_page
from tests.factories import (
    BudgetLineFactory,
    CastingRoleFactory,
    LocationFactory,
    PersonFactory,
    ProductionFactory,
    ReleaseFactory,
    ScriptDraftFactory,
    ShootDayFactory,
    StaffUserFactory,
    TitleFactory,
)

pytestmark = pytest.mark.browser

USERNAME = "browser-producer"
TODAY = timezone.localdate()


@pytest.fixture
def staff(transactional_db: None) -> AbstractUser:
    user: AbstractUser = StaffUserFactory(username=USERNAME)
    return user


def production_named(name: str, stage: Stage, logline: str, **kwargs: object) -> Production:
    production: Production = ProductionFactory(
        title=TitleFactory(name=name, status=TitleStatus.IN_PRODUCTION),
        stage=stage,
        logline=logline,
        **kwargs,
    )
    return production


def budget(production: Production, *lines: tuple[str, int, int]) -> None:
    for category, planned, actual in lines:
        BudgetLineFactory(
            production=production, category=category, planned_usd=planned, actual_usd=actual
        )


def a_slate_of_productions() -> dict[str, Production]:
    """Ten productions across the stages: one behind on its shoot, two over budget, a demo."""
    slate = {
        "Salt and Iron": production_named(
            "Salt and Iron", Stage.DEVELOPMENT, "Two rival smiths forge a truce in a port town."
        ),
        "Paper Moons": production_named(
            "Paper Moons",
            Stage.DEVELOPMENT,
            "A children's illustrator draws her way out of grief.",
            is_demo=True,
        ),
        "Northern Line": production_named(
            "Northern Line", Stage.CASTING, "Eight strangers, one stalled train, one secret."
        ),
        "Glass Orchard": production_named(
            "Glass Orchard",
            Stage.LOCATION_SCOUTING,
            "A botanist inherits a greenhouse that grows memories.",
        ),
        "The Last Ferry": production_named(
            "The Last Ferry", Stage.SHOOTING, "The final crossing before the bridge opens."
        ),
        "Echo Valley": production_named(
            "Echo Valley", Stage.SHOOTING, "A sound engineer records a voice that isn't there."
        ),
        "Copper Sky": production_named(
            "Copper Sky", Stage.POST_PRODUCTION, "Miners on Mars go on strike."
        ),
        "Quiet Hours": production_named(
            "Quiet Hours", Stage.MARKETING, "A night nurse and the patient who never sleeps."
        ),
        "Harbour Lights": production_named(
            "Harbour Lights", Stage.RELEASED, "A lighthouse keeper's last winter."
        ),
        "Winter Circus": production_named(
            "Winter Circus", Stage.CANCELLED, "A travelling circus stranded by snow."
        ),
    }
    for name, planned in [("Salt and Iron", 1_200_000), ("Northern Line", 6_000_000)]:
        budget(slate[name], ("Development", planned, planned // 3))
    budget(slate["Glass Orchard"], ("Cast", 3_000_000, 2_100_000), ("Sets", 2_000_000, 900_000))
    budget(slate["Echo Valley"], ("Cast", 4_000_000, 3_900_000), ("Crew", 2_500_000, 2_300_000))
    budget(slate["Copper Sky"], ("VFX", 9_000_000, 11_200_000), ("Cast", 5_000_000, 4_800_000))
    budget(slate["Quiet Hours"], ("Cast", 2_000_000, 2_000_000), ("Music", 500_000, 650_000))
    budget(slate["Harbour Lights"], ("Cast", 3_000_000, 2_900_000))
    ferry = slate["The Last Ferry"]
    budget(ferry, ("Cast", 5_000_000, 3_000_000), ("Locations", 1_500_000, 1_200_000))
    pier = LocationFactory(production=ferry, name="Ferry pier", status=LocationStatus.APPROVED)
    for back in (3, 2):
        ShootDayFactory(production=ferry, location=pier, date=TODAY - timedelta(days=back))
    ShootDayFactory(production=ferry, location=pier, date=TODAY + timedelta(days=2))
    return slate


@pytest.mark.usefixtures("staff")
def test_board_shows_every_production_in_its_stage_column_with_its_flags(
    live_server: LiveServer, tmp_path: Path
) -> None:
    # given a slate of ten productions
    slate = a_slate_of_productions()

    with logged_in_page(live_server, USERNAME) as page:
        # when staff open the board from the Production app's page
        page.goto(f"{live_server.url}/admin/production/")
        page.click("text=Production board: every production by stage")

        # then each column holds its productions, with its count
        board = page.locator("#production-board")
        expect(board.locator("section.board-column")).to_have_count(8)
        expect(board.locator("section.board-column h2 .count")).to_have_text(
            ["2", "1", "1", "2", "1", "1", "1", "1"]
        )
        shooting = board.locator("#board-shooting")
        expect(shooting.locator(".card-title")).to_have_count(2)
        expect(shooting).to_contain_text("The Last Ferry")
        expect(board.locator("#board-development")).to_contain_text("Paper Moons")
        # and the flags: the ferry behind on its shoot, Copper Sky and Quiet Hours over budget
        ferry = board.locator(f"li.board-card[data-production='{slate['The Last Ferry'].pk}']")
        expect(ferry.locator(".flag-overdue")).to_have_text("2 overdue shoot days")
        expect(board.locator(".flag-over-budget")).to_have_text(
            ["Over budget by $2M", "Over budget by $150k"]
        )
        expect(board.locator(".flag-demo")).to_have_text(["Demo"])
        # the cancelled column is folded until opened
        cancelled = board.locator("#board-cancelled")
        expect(cancelled.locator(".card-title")).to_be_hidden()
        page.screenshot(path=tmp_path / "production-board.png", full_page=True)
        cancelled.locator("summary").click()
        expect(cancelled.locator(".card-title")).to_have_text("Winter Circus")

        # and a card leads to its production
        ferry.locator(".card-title").click()
        expect(page.locator("#production-stage-heading")).to_have_text("Stage: Shooting")
    assert (tmp_path / "production-board.png").stat().st_size > 20_000


def backdate(production: Production, days_ago: list[int]) -> None:
    """Move the production's creation and its stage moves (in order) into the past."""
    now = timezone.now()
    Production.objects.filter(pk=production.pk).update(created_at=now - timedelta(days=days_ago[0]))
    moves = StageTransition.objects.filter(production=production).order_by("moved_at", "id")
    for move, back in zip(moves, days_ago[1:], strict=True):
        StageTransition.objects.filter(pk=move.pk).update(moved_at=now - timedelta(days=back))


def production_in_its_shoot(staff: AbstractUser) -> Production:
    """Five months of history, with a move back; a shoot of three weeks under way."""
    production = production_named(
        "The Last Ferry", Stage.DEVELOPMENT, "The final crossing before the bridge opens."
    )
    ScriptDraftFactory(production=production, approved_on=TODAY)
    CastingRoleFactory(production=production, character="Mara", cast_person=PersonFactory())
    pier = LocationFactory(production=production, name="Ferry pier", status=LocationStatus.APPROVED)
    deck = LocationFactory(production=production, name="Upper deck", status=LocationStatus.APPROVED)
    # The last weekday before today was never wrapped: the one overdue day, on any weekday.
    overdue = next(
        TODAY - timedelta(days=back)
        for back in range(1, 8)
        if (TODAY - timedelta(days=back)).weekday() < 5
    )
    for back in range(-6, 22):
        day = TODAY - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        status = ShootDayStatus.WRAPPED if day < overdue else ShootDayStatus.SCHEDULED
        if back == 9:
            status = ShootDayStatus.CANCELLED
        ShootDayFactory(
            production=production,
            location=pier if back % 2 else deck,
            date=day,
            status=status,
            wrap_time=time(19, 30) if status == ShootDayStatus.WRAPPED else None,
        )
    production_advance(production_id=production.pk, user=staff)
    production_advance(production_id=production.pk, user=staff)
    production_revert(production_id=production.pk, user=staff, reason="Lead actor withdrew")
    production_advance(production_id=production.pk, user=staff)
    production_advance(production_id=production.pk, user=staff)
    backdate(production, [150, 118, 84, 76, 52, 24])
    budget(
        production,
        ("Cast", 5_000_000, 4_200_000),
        ("Crew", 3_000_000, 2_600_000),
        ("Locations", 1_500_000, 1_900_000),
        ("Music", 600_000, 150_000),
        ("Post-production", 2_000_000, 300_000),
        ("VFX", 2_500_000, 2_750_000),
    )
    ReleaseFactory(production=production, release_on=TODAY + timedelta(days=120), regions=["US"])
    return production


def test_production_page_draws_its_timeline_and_budget_chart(
    live_server: LiveServer, staff: AbstractUser, tmp_path: Path
) -> None:
    # given a production three weeks into its shoot, moved back once on the way
    production = production_in_its_shoot(staff)
    shoot_days = production.shoot_days.count()

    with logged_in_page(live_server, USERNAME) as page:
        # when staff open its page
        page.goto(f"{live_server.url}/admin/production/production/{production.pk}/change/")

        # then the timeline marks each stage, each move and each shoot day
        timeline = page.locator("svg#production-timeline")
        expect(timeline).to_be_visible()
        box = timeline.bounding_box()
        assert box is not None
        assert box["width"] > 800
        expect(timeline.locator("rect.stage-period")).to_have_count(6)
        expect(timeline.locator("circle.stage-move")).to_have_count(5)
        expect(timeline.locator("rect.shoot-day")).to_have_count(shoot_days)
        expect(timeline.locator("rect.shoot-day[data-status=overdue]")).to_have_count(1)
        expect(timeline.locator("polygon.release")).to_have_count(1)
        expect(page.locator("#stage-history tbody tr")).to_have_count(5)
        expect(page.locator("#stage-history")).to_contain_text("Lead actor withdrew")
        # and the budget chart a pair of bars per category, the overruns marked
        chart = page.locator("svg#production-budget")
        expect(chart.locator("rect.bar.planned")).to_have_count(6)
        expect(chart.locator("rect.bar.actual")).to_have_count(6)
        expect(chart.locator("rect.bar.over")).to_have_count(2)
        over = chart.locator("rect.bar.over").first.evaluate("bar => getComputedStyle(bar).fill")
        normal = chart.locator("rect.bar.actual").first.evaluate(
            "bar => getComputedStyle(bar).fill"
        )
        assert over.startswith("rgb(")
        assert over != normal
        expect(page.locator("#stage-needs")).to_contain_text(
            "Post-production still needs: the shoot day of"
        )
        overview_bottom = page.locator("#production-overview").evaluate(
            "box => box.getBoundingClientRect().bottom + window.scrollY"
        )
        page.screenshot(
            path=tmp_path / "production-timeline.png",
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": overview_bottom + 16},
        )
    assert (tmp_path / "production-timeline.png").stat().st_size > 20_000


def choose_in_autocomplete(page: Page, select_id: str, search: str) -> None:
    """Type into the admin's search-as-you-type picker and take the match."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.locator(".select2-results__option", has_text=search).first.click()


def save_and_continue(page: Page) -> None:
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success").first).to_contain_text("was changed successfully")


def advance(page: Page, to: str) -> None:
    page.click("#advance-form input[type=submit]")
    expect(page.locator(".messagelist li").first).to_have_text(f"Moved to {to}.")
    expect(page.locator("#production-stage-heading")).to_have_text(f"Stage: {to}")


def add_row(page: Page, group: str) -> None:
    page.click(f"#{group}-group .add-row a")


def test_staff_take_a_production_from_development_to_release_by_clicking(
    live_server: LiveServer, staff: AbstractUser
) -> None:
    # given a movie announced, and an actor
    title: Title = TitleFactory(name="Harbour Lights", status=TitleStatus.ANNOUNCED)
    PersonFactory(name="Ada Lane")
    day = TODAY.isoformat()

    with logged_in_page(live_server, USERNAME) as page:
        # staff start its production
        page.goto(f"{live_server.url}/admin/production/production/add/")
        choose_in_autocomplete(page, "id_title", "Harbour Lights")
        page.fill("#id_logline", "A lighthouse keeper's last winter.")
        page.click("input[name=_continue]")
        expect(page.locator("#production-stage-heading")).to_have_text("Stage: Development")
        page.click("#advance-form input[type=submit]")
        expect(page.locator(".messagelist .error")).to_have_text(
            "Casting needs: an approved script draft."
        )

        # development: an approved draft
        add_row(page, "drafts")
        page.fill("#id_drafts-0-submitted_on", (TODAY - timedelta(days=10)).isoformat())
        page.fill("#id_drafts-0-approved_on", day)
        save_and_continue(page)
        expect(page.locator("#stage-needs")).to_have_text(
            "Ready for casting: everything it needs is in place."
        )
        advance(page, "Casting")

        # casting: a lead role, cast from its own page
        add_row(page, "roles")
        page.fill("#id_roles-0-character", "Mara")
        page.check("#id_roles-0-is_lead")
        save_and_continue(page)
        page.click("a.cast-link")
        choose_in_autocomplete(page, "id_person", "Ada Lane")
        page.click("#cast-form input[type=submit]")
        expect(page.locator(".messagelist .success")).to_have_text("Ada Lane is cast as Mara.")
        page.click("#production-link")
        advance(page, "Location scouting")

        # location scouting: an approved location and a day scheduled there
        add_row(page, "locations")
        page.fill("#id_locations-0-name", "Old lighthouse")
        page.select_option("#id_locations-0-kind", "on_location")
        page.select_option("#id_locations-0-status", "approved")
        save_and_continue(page)
        add_row(page, "shoot_days")
        page.fill("#id_shoot_days-0-date", day)
        page.select_option("#id_shoot_days-0-location", label="Old lighthouse")
        page.fill("#id_shoot_days-0-call_time", "07:00")
        save_and_continue(page)
        advance(page, "Shooting")

        # shooting: the day wraps
        page.select_option("#id_shoot_days-0-status", "wrapped")
        page.fill("#id_shoot_days-0-wrap_time", "19:30")
        save_and_continue(page)
        advance(page, "Post-production")

        # post-production: the edit is done
        add_row(page, "post_tasks")
        page.select_option("#id_post_tasks-0-kind", "edit")
        page.select_option("#id_post_tasks-0-status", "done")
        save_and_continue(page)
        advance(page, "Marketing")

        # marketing: the release's date and regions
        add_row(page, "release")
        page.fill("#id_release-0-release_on", (TODAY + timedelta(days=30)).isoformat())
        page.fill("#id_release-0-regions", "us, gb")
        save_and_continue(page)
        advance(page, "Released")
        expect(page.locator(".stage-ended")).to_have_text(
            "Released: the title is available in its release regions."
        )
        expect(page.locator("#stage-history tbody tr")).to_have_count(6)

    # then the title is out, where and when the release says, with its cast credited
    title.refresh_from_db()
    assert title.status == TitleStatus.RELEASED
    opens = datetime.combine(TODAY + timedelta(days=30), time.min, tzinfo=UTC)
    assert sorted(
        Availability.objects.filter(title=title).values_list("region", "window_start")
    ) == [("GB", opens), ("US", opens)]
    assert list(
        Credit.objects.filter(title=title, role_type=RoleType.CAST).values_list(
            "person__name", "character"
        )
    ) == [("Ada Lane", "Mara")]
    production = Production.objects.get(title=title)
    assert list(
        StageTransition.objects.filter(production=production).values_list("to_stage", flat=True)
    ) == [
        "casting",
        "location_scouting",
        "shooting",
        "post_production",
        "marketing",
        "released",
    ]
    assert production.post_tasks.get().status == PostTaskStatus.DONE
