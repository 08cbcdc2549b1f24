"""Productions in the admin, as staff see them through the test client: the board, the stage
buttons, the timeline and budget charts, the work inlines and casting."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser, Permission
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Credit, RoleType, TitleKind, TitleStatus
from production.charts import date_ticks, format_usd
from production.greenlight.figures import SCORING_VERSION_KEY, LikelySegment
from production.greenlight.scoring import SCORING_VERSION
from production.greenlight.track_record import track_record
from production.models import (
    AuditionOutcome,
    GreenlightRecommendation,
    GreenlightScorecard,
    Production,
    Release,
    ShootDay,
    ShootDayStatus,
    Stage,
    StageTransition,
)
from production.stages import production_advance, production_revert
from tests.factories import (
    AuditionFactory,
    BudgetLineFactory,
    CastingRoleFactory,
    EpisodeFactory,
    LocationFactory,
    PersonFactory,
    ProductionFactory,
    ReleaseFactory,
    ScriptDraftFactory,
    ShootDayFactory,
    StaffUserFactory,
    TitleFactory,
    ViewerFactory,
)
from tests.production.admin_pages import SVG, form_data, svg_of, text_of, texts_within

BOARD = reverse("admin:production_board")
TODAY = timezone.localdate()
BOARD_STAGES = [
    "development",
    "casting",
    "location_scouting",
    "shooting",
    "post_production",
    "marketing",
    "released",
    "cancelled",
]


# ---------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def staff(db: None) -> AbstractUser:
    user: AbstractUser = StaffUserFactory(username="producer")
    return user


@pytest.fixture
def client_of_staff(staff: AbstractUser) -> Client:
    client = Client()
    client.force_login(staff)
    return client


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


def production_at(stage: Stage, name: str = "Night Train", **kwargs: Any) -> Production:
    production: Production = ProductionFactory(stage=stage, title=TitleFactory(name=name), **kwargs)
    return production


def change_url(production: Production) -> str:
    return reverse("admin:production_production_change", args=[production.pk])


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def move(
    client: Client, production: Production, name: str, *, stage: str, reason: str = ""
) -> HttpResponse:
    """Press a stage button, and follow the redirect to the page that shows the outcome."""
    url = reverse(f"admin:production_production_{name}", args=[production.pk])
    response: HttpResponse = client.post(
        url, {"expected_stage": stage, "reason": reason}, follow=True
    )
    assert response.redirect_chain == [(change_url(production), 302)]  # type: ignore[attr-defined]
    return response


def messages_of(response: HttpResponse) -> list[str]:
    """The messages the page showed (and so used up)."""
    return [str(message) for message in response.context["messages"]]  # type: ignore[attr-defined]


def save_production_page(
    client: Client, production: Production, changes: dict[str, str]
) -> HttpResponse:
    """Post the production's form as the page shows it, with `changes` typed in."""
    data = form_data(page(client, change_url(production)), "production_form")
    for name, value in changes.items():
        data[name] = [value]
    response: HttpResponse = client.post(change_url(production), data)
    return response


# ---------------------------------------------------------------------------------------
# The board


@pytest.mark.django_db
def test_board_has_a_column_per_stage_in_order_with_its_count(staff_client: Client) -> None:
    # given productions in development (2), casting, released and cancelled
    production_at(Stage.DEVELOPMENT, "Dawn")
    production_at(Stage.DEVELOPMENT, "Dusk")
    production_at(Stage.CASTING, "Noon")
    production_at(Stage.RELEASED, "Night")
    production_at(Stage.CANCELLED, "Never")

    # when staff open the board
    html = page(staff_client, BOARD)

    # then every stage has a column, in stage order, cancelled last, each with its count
    assert re.findall(r'<section class="board-column[^"]*" id="board-(\w+)"', html) == BOARD_STAGES
    counts = texts_within(html, tag="span", cls="count")
    assert list(counts.values()) == ["2", "1", "0", "0", "0", "0", "1", "1"]
    titles = texts_within(html, tag="section", cls="board-column", key="stage")
    assert "Dawn" in titles["development"]
    assert "Dusk" in titles["development"]
    assert "Noon" in titles["casting"]
    assert "Night" in titles["released"]
    assert "Never" in titles["cancelled"]
    assert "5 productions." in html


@pytest.mark.django_db
def test_board_flags_overdue_shoot_days_budget_overruns_and_demos(staff_client: Client) -> None:
    # given a production with one scheduled shoot day past (and others that are not overdue)
    late = production_at(Stage.SHOOTING, "Late")
    location = LocationFactory(production=late)
    yesterday, last_week = TODAY - timedelta(days=1), TODAY - timedelta(days=7)
    ShootDayFactory(production=late, location=location, date=yesterday)
    ShootDayFactory(production=late, location=location, date=TODAY)
    ShootDayFactory(
        production=late,
        location=location,
        date=last_week,
        status=ShootDayStatus.WRAPPED,
        wrap_time=time(19),
    )
    ShootDayFactory(
        production=late, location=location, date=last_week, status=ShootDayStatus.CANCELLED
    )
    # a production spending more than planned in all, though not in every line
    costly = production_at(Stage.POST_PRODUCTION, "Costly")
    BudgetLineFactory(
        production=costly, category="Cast", planned_usd=2_000_000, actual_usd=2_600_000
    )
    BudgetLineFactory(production=costly, category="Crew", planned_usd=1_000_000, actual_usd=900_000)
    # a demo, and one in good order
    production_at(Stage.DEVELOPMENT, "Sample", is_demo=True)
    fine = production_at(Stage.DEVELOPMENT, "Fine")
    BudgetLineFactory(production=fine, category="Cast", planned_usd=500_000, actual_usd=100_000)

    # when staff open the board
    html = page(staff_client, BOARD)

    # then each card carries its flags and budget, and only those
    cards = texts_within(html, tag="li", cls="board-card", key="production")
    flags = texts_within(html, tag="ul", cls="flags")
    assert "1 overdue shoot day" in cards[str(late.pk)]
    assert "No budget lines" in cards[str(late.pk)]
    assert "Over budget by $500k" in cards[str(costly.pk)]
    assert "$3.5M spent of $3M planned" in cards[str(costly.pk)]
    assert "Demo" in cards[str(ProductionFactory._meta.model.objects.get(title__name="Sample").pk)]
    assert "$100k spent of $500k planned" in cards[str(fine.pk)]
    assert sorted(flags.values()) == ["1 overdue shoot day", "Demo", "Over budget by $500k"]
    assert html.count('class="board-card flagged') == 2


@pytest.mark.django_db
def test_board_cards_show_the_logline_and_link_to_the_production(staff_client: Client) -> None:
    production = production_at(Stage.CASTING, logline="A courier crosses a frozen sea. " * 10)

    html = page(staff_client, BOARD)

    assert f'<a class="card-title" href="{change_url(production)}">Night Train</a>' in html
    (logline,) = texts_within(html, tag="p", cls="logline").values()
    assert logline.startswith("A courier crosses a frozen sea.")
    assert logline.endswith("…")
    assert len(logline) == 110


def board_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(BOARD).status_code == 200
    return len(captured)


def busy_production(stage: Stage) -> None:
    production = production_at(stage, f"Busy {ProductionFactory._meta.model.objects.count()}")
    location = LocationFactory(production=production)
    ShootDayFactory(production=production, location=location, date=TODAY - timedelta(days=2))
    ShootDayFactory(production=production, location=location)
    BudgetLineFactory(production=production, category="Cast", actual_usd=2_000_000)
    BudgetLineFactory(production=production, category="Crew")


@pytest.mark.django_db
def test_board_queries_do_not_grow_with_the_number_of_productions(staff_client: Client) -> None:
    # given two productions with shoot days and budget lines
    for stage in (Stage.DEVELOPMENT, Stage.SHOOTING):
        busy_production(stage)
    few = board_queries(staff_client)

    # when there are twelve, in every stage
    for stage in [*Stage, Stage.SHOOTING, Stage.CASTING]:
        busy_production(stage)
    many = board_queries(staff_client)

    # then the board reads them in as many queries: session, user, productions, budget lines
    assert few == many == 4
    assert page(staff_client, BOARD).count('class="flag flag-overdue"') == 12


@pytest.mark.django_db
def test_board_is_linked_from_the_app_page_and_the_list(staff_client: Client) -> None:
    app_page = page(staff_client, reverse("admin:app_list", args=["production"]))
    changelist = page(staff_client, reverse("admin:production_production_changelist"))

    assert f'<a href="{BOARD}">Production board: every production by stage</a>' in app_page
    assert f'<a href="{BOARD}">Board</a>' in changelist


@pytest.mark.django_db
def test_board_is_for_staff_who_may_view_productions(client: Client) -> None:
    assert client.get(BOARD).status_code == 302
    viewer = Client()
    viewer.force_login(ViewerFactory())
    assert viewer.get(BOARD)["Location"] == f"{reverse('admin:login')}?next={BOARD}"
    assert staff_with("catalog.view_title").get(BOARD).status_code == 403
    assert staff_with("production.view_production").get(BOARD).status_code == 200


# ---------------------------------------------------------------------------------------
# The list


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Dawn", "Dusk", "Noon"]),
        ({"q": "dus"}, ["Dusk"]),
        ({"stage__exact": "casting"}, ["Noon"]),
        ({"is_demo__exact": "1"}, ["Dawn"]),
    ],
)
def test_production_list_searches_title_names_and_filters_by_stage_and_demo(
    staff_client: Client, query: dict[str, str], expected: list[str]
) -> None:
    production_at(Stage.DEVELOPMENT, "Dawn", is_demo=True)
    production_at(Stage.DEVELOPMENT, "Dusk")
    production_at(Stage.CASTING, "Noon")

    response = staff_client.get(reverse("admin:production_production_changelist"), query)

    names = [production.title.name for production in response.context["cl"].result_list]
    assert sorted(names) == expected


# ---------------------------------------------------------------------------------------
# The greenlight scorecard, and how far its scoring can be trusted


@pytest.mark.django_db
def test_the_page_shows_the_scorecard_and_where_its_score_falls_in_the_backtest(
    staff_client: Client,
) -> None:
    production = production_at(Stage.DEVELOPMENT)
    GreenlightScorecard.objects.create(
        production=production,
        recommendation=GreenlightRecommendation.GREENLIGHT,
        score=64.2,
        reasons=["Demand: the target segments watch its genres 1.4x as much as everyone."],
        figures={SCORING_VERSION_KEY: SCORING_VERSION},
        inputs_fingerprint="0" * 64,
        computed_at=timezone.now(),
    )
    record = track_record()
    assert record is not None
    band = record.band_for(64.2)
    assert band is not None

    html = page(staff_client, change_url(production))

    assert '<strong>Greenlight</strong>, score <span class="number">64.2</span> of 100' in html
    assert "the target segments watch its genres 1.4x as much as everyone." in html
    assert band.in_top_half is not None
    assert list(texts_within(html, tag="p", cls="greenlight-band").values()) == [
        f"Titles that scored 60-70 were in the top half of their release year for "
        f"{record.outcome} {round(band.in_top_half * 100)} % of the time, against "
        f"{round(record.base_rate * 100)} % of all the test titles ({band.titles:,} titles, "
        f"{record.tested_on[0]}-{record.tested_on[1]})."
    ]
    (method,) = texts_within(html, tag="p", cls="greenlight-method").values()
    assert record.trained_on is not None
    first, last = record.trained_on
    assert method.startswith(
        f"Scoring version {record.scoring_version} (weights fitted on {first}-{last}), "
        f"replayed on history: Spearman {record.spearman:.2f} with {record.outcome}"
    )
    assert f"{record.decidable:,} of the {record.titles:,} titles had data" in method


@pytest.mark.django_db
def test_the_page_names_the_viewers_like_these_beside_the_scorecard(
    staff_client: Client,
) -> None:
    production = production_at(Stage.DEVELOPMENT)
    likely = [
        LikelySegment("18-24", None, "FR", 0.6, 0.2, 3.0, 48, [1, 2]),
        LikelySegment("55+", "female", None, 0.1, 0.07, 1.43, 30, [3]),
    ]
    GreenlightScorecard.objects.create(
        production=production,
        recommendation=GreenlightRecommendation.DEVELOP,
        score=50.0,
        reasons=[],
        figures={
            SCORING_VERSION_KEY: SCORING_VERSION,
            "demand": {"viewers_like_these": [asdict(segment) for segment in likely]},
        },
        inputs_fingerprint="0" * 64,
        computed_at=timezone.now(),
    )

    html = page(staff_client, change_url(production))

    (sentence,) = texts_within(html, tag="p", cls="greenlight-viewers-like-these").values()
    assert sentence.startswith("Viewers like these: 18-24 in FR (lift 3.0), 55+ women (lift 1.4).")


@pytest.mark.django_db
def test_the_page_says_when_the_worker_has_not_scored_the_production_yet(
    staff_client: Client,
) -> None:
    html = page(staff_client, change_url(production_at(Stage.DEVELOPMENT)))

    assert "No scorecard yet: the worker computes it" in html
    assert not texts_within(html, tag="p", cls="greenlight-band")
    assert not texts_within(html, tag="p", cls="greenlight-viewers-like-these")


# ---------------------------------------------------------------------------------------
# The stage, read-only in the form, moved by the buttons


@pytest.mark.django_db
def test_the_page_says_what_the_next_stage_still_needs(staff_client: Client) -> None:
    production = production_at(Stage.DEVELOPMENT)
    ScriptDraftFactory(production=production, approved_on=None)

    html = page(staff_client, change_url(production))

    needs = texts_within(html, tag="div", cls="stage-needs")
    assert list(needs.values()) == ["Casting still needs: an approved script draft"]
    assert 'value="Advance to Casting"' in html
    assert 'value="Cancel production"' in html
    # development is the first stage: there is nowhere to move back to
    assert 'id="revert-form"' not in html
    assert '<li class="current" aria-current="step">Development</li>' in html


@pytest.mark.django_db
def test_the_page_says_when_the_next_stage_may_start(staff_client: Client) -> None:
    production = production_at(Stage.CASTING)
    CastingRoleFactory(production=production, cast_person=PersonFactory())

    html = page(staff_client, change_url(production))

    assert "Ready for location scouting: everything it needs is in place." in html
    assert 'value="Move back to Development"' in html
    assert '<li class="done">Development</li>' in html


@pytest.mark.django_db
def test_stage_and_version_cannot_be_edited_in_the_form(staff_client: Client) -> None:
    production = production_at(Stage.DEVELOPMENT)

    response = save_production_page(
        staff_client, production, {"stage": "released", "version": "9", "logline": "New."}
    )

    assert response.status_code == 302
    production.refresh_from_db()
    assert (production.stage, production.version, production.logline) == ("development", 0, "New.")


@pytest.mark.django_db
def test_advancing_moves_the_production_and_records_who_moved_it(
    client_of_staff: Client, staff: AbstractUser
) -> None:
    # given a production in development with an approved draft
    production = production_at(Stage.DEVELOPMENT)
    ScriptDraftFactory(production=production, approved_on=TODAY)

    # when staff press "Advance to Casting"
    response = move(client_of_staff, production, "advance", stage="development")

    # then it is in casting, and the history says who moved it
    assert messages_of(response) == ["Moved to Casting."]
    production.refresh_from_db()
    assert (production.stage, production.version) == ("casting", 1)
    transition = StageTransition.objects.get(production=production)
    assert (transition.from_stage, transition.to_stage, transition.moved_by) == (
        "development",
        "casting",
        staff,
    )


@pytest.mark.django_db
def test_advancing_refused_by_the_guard_names_what_is_missing(staff_client: Client) -> None:
    production = production_at(Stage.LOCATION_SCOUTING)

    response = move(staff_client, production, "advance", stage="location_scouting")

    assert messages_of(response) == ["Shooting needs: an approved location; a scheduled shoot day."]
    production.refresh_from_db()
    assert production.stage == "location_scouting"
    assert not StageTransition.objects.exists()


@pytest.mark.django_db
def test_a_move_from_a_stale_page_is_refused(staff_client: Client) -> None:
    # given a page showing development, while someone else moved the production to casting
    production = production_at(Stage.CASTING)

    response = move(staff_client, production, "cancel", stage="development", reason="Too dear")

    assert messages_of(response) == [
        "The production is in casting now, not development: it was moved meanwhile."
    ]
    production.refresh_from_db()
    assert production.stage == "casting"


@pytest.mark.django_db
def test_moving_back_needs_a_reason_and_records_it(staff_client: Client) -> None:
    production = production_at(Stage.CASTING)

    refused = move(staff_client, production, "revert", stage="casting", reason="  ")
    production.refresh_from_db()
    assert messages_of(refused) == ["Say why: a reason is required."]
    assert production.stage == "casting"

    moved = move(staff_client, production, "revert", stage="casting", reason="Script rewrite")
    production.refresh_from_db()
    assert messages_of(moved) == ["Moved back to Development."]
    assert production.stage == "development"
    assert StageTransition.objects.get(production=production).reason == "Script rewrite"


@pytest.mark.django_db
def test_cancelling_needs_a_reason_and_ends_the_production(staff_client: Client) -> None:
    production = production_at(Stage.SHOOTING)

    assert messages_of(move(staff_client, production, "cancel", stage="shooting")) == [
        "Say why: a reason is required."
    ]
    cancelled = move(staff_client, production, "cancel", stage="shooting", reason="Lost funding")

    assert messages_of(cancelled) == ["Cancelled."]
    production.refresh_from_db()
    assert production.stage == "cancelled"
    html = page(staff_client, change_url(production))
    assert "Cancelled: it no longer moves." in html
    assert 'id="advance-form"' not in html
    assert 'id="cancel-form"' not in html


@pytest.mark.django_db
def test_stage_buttons_need_the_change_permission(client: Client) -> None:
    production = production_at(Stage.DEVELOPMENT)
    ScriptDraftFactory(production=production, approved_on=TODAY)
    url = reverse("admin:production_production_advance", args=[production.pk])
    viewer = Client()
    viewer.force_login(ViewerFactory())
    watcher = staff_with("production.view_production")

    assert client.post(url, {"expected_stage": "development"}).status_code == 302
    assert viewer.post(url, {"expected_stage": "development"}).status_code == 302
    assert watcher.post(url, {"expected_stage": "development"}).status_code == 403
    # and those who may only look see no buttons
    assert 'id="advance-form"' not in page(watcher, change_url(production))
    production.refresh_from_db()
    assert production.stage == "development"

    mover = staff_with("production.view_production", "production.change_production")
    assert mover.post(url, {"expected_stage": "development"}).status_code == 302
    production.refresh_from_db()
    assert production.stage == "casting"


@pytest.mark.django_db
def test_stage_buttons_take_only_posts_with_the_csrf_token(staff: AbstractUser) -> None:
    production = production_at(Stage.DEVELOPMENT)
    url = reverse("admin:production_production_cancel", args=[production.pk])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)

    assert browser.get(url).status_code == 405
    assert browser.post(url, {"expected_stage": "development", "reason": "x"}).status_code == 403
    production.refresh_from_db()
    assert production.stage == "development"


@pytest.mark.django_db
def test_a_move_of_an_unknown_production_is_not_found(staff_client: Client) -> None:
    url = reverse("admin:production_production_advance", args=[999_999])

    assert staff_client.post(url, {"expected_stage": "development"}).status_code == 404


# ---------------------------------------------------------------------------------------
# The timeline and the budget chart


def production_with_history(staff: AbstractUser) -> Production:
    """Moved to location scouting, back to casting and on again; four shoot days; a release."""
    production = production_at(Stage.DEVELOPMENT)
    ScriptDraftFactory(production=production, approved_on=TODAY)
    CastingRoleFactory(production=production, cast_person=PersonFactory())
    production_advance(production_id=production.pk, user=staff)
    production_advance(production_id=production.pk, user=staff)
    production_revert(production_id=production.pk, user=staff, reason="Lead dropped out")
    production_advance(production_id=production.pk, user=staff)
    location = LocationFactory(production=production, name="Harbour")
    for back, status in [
        (3, ShootDayStatus.WRAPPED),
        (2, ShootDayStatus.CANCELLED),
        (1, ShootDayStatus.SCHEDULED),
        (-4, ShootDayStatus.SCHEDULED),
    ]:
        ShootDayFactory(
            production=production,
            location=location,
            date=TODAY - timedelta(days=back),
            status=status,
            wrap_time=time(19) if status == ShootDayStatus.WRAPPED else None,
        )
    ReleaseFactory(production=production, release_on=TODAY + timedelta(days=60), regions=["US"])
    return production


@pytest.mark.django_db
def test_timeline_marks_every_stage_move_and_shoot_day(
    client_of_staff: Client, staff: AbstractUser
) -> None:
    production = production_with_history(staff)

    html = page(client_of_staff, change_url(production))

    svg = svg_of(html, "production-timeline")
    assert svg.attrib["role"] == "img"
    assert text_of(svg, "title") == "Timeline of Night Train (2001): stages and shoot days"
    moves = svg.findall(f".//{SVG}circle[@class='stage-move']")
    assert [move.attrib["data-to"] for move in moves] == [
        "Casting",
        "Location scouting",
        "Casting",
        "Location scouting",
    ]
    assert text_of(moves[2], "title").endswith(
        "Location scouting → Casting by producer: Lead dropped out"
    )
    periods = svg.findall(f".//{SVG}rect[@class='stage-period']")
    assert [period.attrib["data-stage"] for period in periods] == [
        "development",
        "casting",
        "location_scouting",
        "casting",
        "location_scouting",
    ]
    days = svg.findall(f".//{SVG}rect[@class='shoot-day']")
    assert [day.attrib["data-status"] for day in days] == [
        "wrapped",
        "cancelled",
        "overdue",
        "scheduled",
    ]
    description = text_of(svg, "desc")
    assert "4 shoot days: 1 wrapped, 2 scheduled (1 overdue), 1 cancelled." in description
    assert svg.find(f".//{SVG}polygon[@class='release']") is not None
    # and the history, as a table
    assert html.count("<td>Lead dropped out</td>") == 1
    assert len(re.findall(r"<td>producer</td>", html)) == 4


@pytest.mark.django_db
def test_budget_chart_sets_planned_against_actual_per_category(staff_client: Client) -> None:
    production = production_at(Stage.SHOOTING)
    BudgetLineFactory(
        production=production, category="Cast", planned_usd=4_000_000, actual_usd=3_000_000
    )
    BudgetLineFactory(
        production=production, category="VFX", planned_usd=2_000_000, actual_usd=2_500_000
    )

    html = page(staff_client, change_url(production))

    svg = svg_of(html, "production-budget")
    assert svg.attrib["data-categories"] == "2"
    bars = [
        (rect.attrib["class"], rect.attrib["data-value"])
        for rect in svg.iter(f"{SVG}rect")
        if "bar" in rect.attrib.get("class", "").split()
    ]
    assert bars == [
        ("bar planned", "4000000"),
        ("bar actual", "3000000"),
        ("bar planned", "2000000"),
        ("bar actual over", "2500000"),
    ]
    assert text_of(svg, "desc") == (
        "2 categories; $6M planned, $5.5M spent in all. Over plan: VFX (+$500k)."
    )
    assert "$5.5M</span> spent of <span" in html


@pytest.mark.django_db
def test_a_production_without_budget_lines_or_moves_says_so(staff_client: Client) -> None:
    production = production_at(Stage.DEVELOPMENT)

    html = page(staff_client, change_url(production))

    assert 'id="production-budget"' not in html
    assert "No budget lines yet" in html
    assert "No stage moves yet." in html
    periods = svg_of(html, "production-timeline").findall(f".//{SVG}rect[@class='stage-period']")
    assert [period.attrib["data-stage"] for period in periods] == ["development"]


@pytest.mark.django_db
def test_charts_escape_what_staff_typed(staff_client: Client) -> None:
    production = production_at(Stage.DEVELOPMENT, "<b>Bold</b>")
    BudgetLineFactory(production=production, category="<script>x</script>")

    html = page(staff_client, change_url(production))

    assert "<script>x</script>" not in html
    assert text_of(svg_of(html, "production-budget"), "text")
    assert "<b>Bold</b>" not in html


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2026, 3, 1), date(2026, 3, 5), ["2 Mar", "3 Mar", "4 Mar"]),
        (date(2026, 3, 1), date(2026, 3, 29), ["2 Mar", "9 Mar", "16 Mar", "23 Mar"]),
        (date(2026, 1, 15), date(2026, 5, 2), ["Feb 2026", "Mar 2026", "Apr 2026", "May 2026"]),
        (
            date(2024, 11, 3),
            date(2026, 2, 1),
            ["Jan 2025", "Mar 2025", "May 2025", "Jul 2025", "Sep 2025", "Nov 2025", "Jan 2026"],
        ),
    ],
)
def test_timeline_ticks_are_round_dates(first: date, last: date, expected: list[str]) -> None:
    assert [label for _, label in date_ticks(first, last)] == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (950, "$950"),
        (12_500, "$12.5k"),
        (2_450_000, "$2.45M"),
        (20_000_000, "$20M"),
        (-500_000, "-$500k"),
    ],
)
def test_dollars_are_shown_to_three_significant_digits(value: int, text: str) -> None:
    assert format_usd(value) == text


# ---------------------------------------------------------------------------------------
# The work of each stage


@pytest.mark.django_db
def test_the_work_of_other_stages_is_folded(staff_client: Client) -> None:
    production = production_at(Stage.LOCATION_SCOUTING)

    html = page(staff_client, change_url(production))

    def folded(group: str) -> bool:
        section = html.split(f'id="{group}-group"')[1].split("</h2>")[0]
        return "<details>" in section

    assert not folded("locations")
    assert not folded("shoot_days")
    assert not folded("budget_lines")
    assert folded("drafts")
    assert folded("roles")
    assert folded("post_tasks")


@pytest.mark.django_db
def test_a_wrapped_shoot_day_needs_its_wrap_time(staff_client: Client) -> None:
    production = production_at(Stage.SHOOTING)
    day = ShootDayFactory(production=production, date=TODAY)

    refused = save_production_page(staff_client, production, {"shoot_days-0-status": "wrapped"})
    day.refresh_from_db()
    assert refused.status_code == 200
    assert "A wrapped shoot day needs its wrap time." in refused.content.decode()
    assert day.status == "scheduled"

    saved = save_production_page(
        staff_client,
        production,
        {"shoot_days-0-status": "wrapped", "shoot_days-0-wrap_time": "19:30"},
    )
    day.refresh_from_db()
    assert saved.status_code == 302
    assert (day.status, day.wrap_time) == ("wrapped", time(19, 30))


@pytest.mark.django_db
def test_shoot_days_may_be_at_the_productions_own_locations_only(staff_client: Client) -> None:
    production = production_at(Stage.LOCATION_SCOUTING)
    own = LocationFactory(production=production, name="Pier")
    elsewhere = LocationFactory(name="Someone else's castle")
    ShootDayFactory(production=production, location=own)

    html = page(staff_client, change_url(production))
    refused = save_production_page(
        staff_client, production, {"shoot_days-0-location": str(elsewhere.pk)}
    )

    assert "Pier" in html
    assert "Someone else&#x27;s castle" not in html
    assert refused.status_code == 200
    assert ShootDay.objects.get().location == own


@pytest.mark.django_db
def test_release_regions_are_typed_as_codes_in_any_case(staff_client: Client) -> None:
    production = production_at(Stage.MARKETING)
    ReleaseFactory(production=production, regions=["US"])

    bad = save_production_page(staff_client, production, {"release-0-regions": "us, Great Britain"})
    assert "Not ISO 3166-1 country codes: GREAT, BRITAIN." in bad.content.decode()

    saved = save_production_page(staff_client, production, {"release-0-regions": "us, gb; de us"})
    assert saved.status_code == 302
    assert Release.objects.get().regions == ["US", "GB", "DE"]


@pytest.mark.django_db
def test_a_new_draft_left_without_a_number_gets_the_next_one(staff_client: Client) -> None:
    production = production_at(Stage.DEVELOPMENT)
    ScriptDraftFactory(production=production, number=4)
    data = form_data(page(staff_client, change_url(production)), "production_form")
    data |= {
        "drafts-TOTAL_FORMS": ["2"],
        "drafts-1-number": [""],
        "drafts-1-submitted_on": [TODAY.isoformat()],
    }

    assert staff_client.post(change_url(production), data).status_code == 302
    assert list(production.drafts.values_list("number", flat=True)) == [4, 5]


@pytest.mark.django_db
def test_a_shoot_day_cannot_move_to_a_turned_down_location(staff_client: Client) -> None:
    production = production_at(Stage.LOCATION_SCOUTING)
    day = ShootDayFactory(production=production, location=LocationFactory(production=production))
    turned_down = LocationFactory(production=production, name="Mill", status="rejected")

    response = save_production_page(
        staff_client, production, {"shoot_days-0-location": str(turned_down.pk)}
    )

    assert "Mill was turned down." in response.content.decode()
    day.refresh_from_db()
    assert day.location != turned_down


@pytest.mark.django_db
def test_target_segment_regions_are_stored_in_upper_case(staff_client: Client) -> None:
    production = production_at(Stage.DEVELOPMENT)
    data = form_data(page(staff_client, change_url(production)), "production_form")
    data |= {
        "target_segments-TOTAL_FORMS": ["1"],
        "target_segments-0-region": ["gb"],
        "target_segments-0-age_band": ["25-34"],
    }

    assert staff_client.post(change_url(production), data).status_code == 302
    assert [str(segment) for segment in production.target_segments.all()] == ["GB / 25-34"]


# ---------------------------------------------------------------------------------------
# Casting


def cast_url(role: Any) -> str:
    return reverse("admin:production_castingrole_cast", args=[role.pk])


@pytest.mark.django_db
def test_casting_someone_who_auditioned_credits_them_in_the_titles_cast(
    staff_client: Client,
) -> None:
    # given a lead role with two auditions
    production = production_at(Stage.CASTING)
    role = CastingRoleFactory(production=production, character="Hero")
    ada, bea = PersonFactory(name="Ada Lane"), PersonFactory(name="Bea Moss")
    AuditionFactory(role=role, person=ada)
    AuditionFactory(role=role, person=bea)
    role_page = page(staff_client, reverse("admin:production_castingrole_change", args=[role.pk]))
    assert role_page.count('name="auditioned"') == 2

    # when staff cast Ada
    response = staff_client.post(cast_url(role), {"auditioned": ada.pk}, follow=True)

    # then Ada is credited as Hero, her audition is marked offered, and the role says so
    assert messages_of(response) == ["Ada Lane is cast as Hero."]
    credit = Credit.objects.get(title=production.title)
    assert (credit.person, credit.role_type, credit.character) == (ada, RoleType.CAST, "Hero")
    role.refresh_from_db()
    assert role.cast_person == ada
    assert list(role.auditions.order_by("person__name").values_list("outcome", flat=True)) == [
        AuditionOutcome.OFFERED,
        AuditionOutcome.PENDING,
    ]
    assert "Ready for location scouting" in page(staff_client, change_url(production))


@pytest.mark.django_db
def test_recasting_anyone_replaces_the_credit(staff_client: Client) -> None:
    role = CastingRoleFactory(character="Hero", cast_person=None)
    first, second = PersonFactory(), PersonFactory(name="Cy Hart")
    staff_client.post(cast_url(role), {"person": first.pk})

    staff_client.post(cast_url(role), {"person": second.pk})

    assert list(Credit.objects.values_list("person__name", "character")) == [("Cy Hart", "Hero")]
    html = page(staff_client, reverse("admin:production_castingrole_change", args=[role.pk]))
    assert '<strong id="cast-person">Cy Hart</strong>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("choice", [{}, "both"])
def test_casting_needs_exactly_one_person(staff_client: Client, choice: Any) -> None:
    role = CastingRoleFactory()
    ada = PersonFactory()
    AuditionFactory(role=role, person=ada)
    data = {"auditioned": ada.pk, "person": PersonFactory().pk} if choice == "both" else choice

    response = staff_client.post(cast_url(role), data, follow=True)

    assert messages_of(response) == ["Choose one person: someone who auditioned, or anyone else."]
    assert not Credit.objects.exists()


@pytest.mark.django_db
def test_casting_needs_the_change_permission_on_roles() -> None:
    role = CastingRoleFactory()
    person = PersonFactory()

    refused = staff_with("production.view_castingrole").post(cast_url(role), {"person": person.pk})
    allowed = staff_with("production.change_castingrole").post(
        cast_url(role), {"person": person.pk}
    )

    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert Credit.objects.get().person == person


@pytest.mark.django_db
def test_the_cast_person_is_read_only_in_the_forms(staff_client: Client) -> None:
    production = production_at(Stage.CASTING)
    role = CastingRoleFactory(production=production, cast_person=PersonFactory(name="Ada Lane"))

    production_page = page(staff_client, change_url(production))
    role_page = page(staff_client, reverse("admin:production_castingrole_change", args=[role.pk]))

    assert 'name="roles-0-cast_person"' not in production_page
    assert "Ada Lane" in production_page
    assert (
        f'href="{reverse("admin:production_castingrole_change", args=[role.pk])}"'
        in production_page
    )
    assert (
        'name="cast_person"' not in role_page.split('id="castingrole_form"')[1].split("</form>")[0]
    )


@pytest.mark.django_db
def test_roles_and_locations_are_reached_from_their_production_not_the_index(
    staff_client: Client,
) -> None:
    production = production_at(Stage.LOCATION_SCOUTING)
    role = CastingRoleFactory(production=production)
    location = LocationFactory(production=production)

    index = page(staff_client, reverse("admin:app_list", args=["production"]))
    production_page = page(staff_client, change_url(production))
    location_page = page(
        staff_client, reverse("admin:production_location_change", args=[location.pk])
    )

    assert "Casting roles" not in index
    assert "Locations" not in index
    assert reverse("admin:production_castingrole_change", args=[role.pk]) in production_page
    assert reverse("admin:production_location_change", args=[location.pk]) in production_page
    assert f'<a href="{change_url(production)}" id="production-link">' in location_page
    assert 'id="visits-group"' in location_page


@pytest.mark.django_db
def test_an_offer_is_made_by_casting_not_by_an_audition_outcome(staff_client: Client) -> None:
    role = CastingRoleFactory()
    audition = AuditionFactory(role=role)
    url = reverse("admin:production_castingrole_change", args=[role.pk])
    data = form_data(page(staff_client, url), "castingrole_form")
    data["auditions-0-outcome"] = ["offered"]

    response = staff_client.post(url, data)

    assert "An offer is made by casting the role, below." in response.content.decode()
    audition.refresh_from_db()
    assert audition.outcome == AuditionOutcome.PENDING


# ---------------------------------------------------------------------------------------
# Starting a production, and closing it


@pytest.mark.django_db
def test_adding_a_production_puts_its_title_in_production(staff_client: Client) -> None:
    title = TitleFactory(name="Harbour Lights", status=TitleStatus.ANNOUNCED)
    add = reverse("admin:production_production_add")
    data = form_data(page(staff_client, add), "production_form")
    data |= {"title": [str(title.pk)], "logline": ["A lighthouse keeper's last winter."]}

    response = staff_client.post(add, data)

    assert response.status_code == 302
    production = Production.objects.get(title_id=title.pk)
    assert (production.stage, production.version) == ("development", 0)
    title.refresh_from_db()
    assert title.status == TitleStatus.IN_PRODUCTION


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        (TitleKind.EPISODE, TitleStatus.ANNOUNCED, "Only a movie or a series is produced."),
        (TitleKind.MOVIE, TitleStatus.RELEASED, "Old Film is out already."),
    ],
)
def test_only_a_movie_or_series_not_out_yet_is_produced(
    staff_client: Client, kind: str, status: str, error: str
) -> None:
    title = (EpisodeFactory if kind == TitleKind.EPISODE else TitleFactory)(
        name="Old Film", status=status
    )
    add = reverse("admin:production_production_add")
    data = form_data(page(staff_client, add), "production_form") | {"title": [str(title.pk)]}

    response = staff_client.post(add, data)

    assert error in response.content.decode()
    assert not Production.objects.exists()


@pytest.mark.django_db
def test_a_released_productions_work_is_closed_but_its_budget_is_not(
    staff_client: Client,
) -> None:
    production = production_at(Stage.RELEASED)
    ScriptDraftFactory(production=production, approved_on=TODAY)
    role = CastingRoleFactory(production=production)
    BudgetLineFactory(production=production, category="Cast")
    role_url = reverse("admin:production_castingrole_change", args=[role.pk])

    html = page(staff_client, change_url(production))
    role_page = page(staff_client, role_url)

    assert 'name="drafts-0-number"' not in html
    assert 'name="drafts-MAX_NUM_FORMS" value="0"' in html
    assert 'name="logline"' not in html
    assert 'name="budget_lines-0-actual_usd"' in html
    assert 'id="cast-form"' not in role_page
    assert staff_client.post(cast_url(role), {"person": PersonFactory().pk}).status_code == 403


@pytest.mark.django_db
def test_a_cast_role_keeps_the_name_it_is_credited_under(staff_client: Client) -> None:
    production = production_at(Stage.CASTING)
    role = CastingRoleFactory(production=production, character="Mara")
    staff_client.post(cast_url(role), {"person": PersonFactory().pk})

    response = save_production_page(staff_client, production, {"roles-0-character": "Maria"})

    assert "Mara is cast and credited under this name, which it keeps." in response.content.decode()
    role.refresh_from_db()
    assert role.character == "Mara"


@pytest.mark.django_db
def test_deleting_a_production_deletes_its_work_and_keeps_its_title(staff_client: Client) -> None:
    production = ProductionFactory()
    station = LocationFactory(production=production)
    ShootDayFactory(production=production, location=station)
    url = reverse("admin:production_production_delete", args=[production.pk])

    response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Production.objects.filter(pk=production.pk).exists()
    assert not ShootDay.objects.exists()
    production.title.refresh_from_db()


@pytest.mark.django_db
def test_budget_lines_that_take_the_total_past_two_billion_are_refused(
    staff_client: Client,
) -> None:
    production = production_at(Stage.SHOOTING)
    for category in ("Cast", "Effects"):
        BudgetLineFactory(production=production, category=category, planned_usd=1_000_000_000)

    response = save_production_page(
        staff_client, production, {"budget_lines-1-planned_usd": "1200000000"}
    )

    assert "This brings the production&#x27;s budget to $2,200,000,000" in response.content.decode()
    assert sorted(production.budget_lines.values_list("planned_usd", flat=True)) == [
        1_000_000_000,
        1_000_000_000,
    ]
