"""The demo slate that `make run` loads: productions at every stage, built through the
stage machine, marked as demo data, loaded once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Availability, TitleStatus
from production.demo import DEMO_REGIONS, PLANS
from production.models import STAGE_ORDER, Production, ShootDayStatus, Stage
from production.selectors import budget_summary
from production.stages import GUARDS
from tests.factories import GenreFactory, StaffUserFactory

pytestmark = pytest.mark.slow


def load(username: str) -> str:
    out = StringIO()
    call_command("load_demo_productions", username=username, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def slate() -> list[Production]:
    for name in ("Drama", "Comedy", "Thriller", "Action"):
        GenreFactory(name=name)
    load(StaffUserFactory(username="staff").username)
    return list(Production.objects.select_related("title").order_by("id"))


@pytest.mark.django_db
def test_there_are_demo_productions_at_every_stage_and_all_are_marked(
    slate: list[Production],
) -> None:
    by_stage = {stage: [p for p in slate if p.stage == stage] for stage in Stage}

    assert len(slate) == len(PLANS)
    assert all(production.is_demo for production in slate)
    assert all(by_stage[stage] for stage in Stage), {s: len(ps) for s, ps in by_stage.items()}


@pytest.mark.django_db
def test_each_demo_production_went_through_the_stage_machine(
    slate: list[Production],
) -> None:
    for production in slate:
        moves = list(production.transitions.order_by("moved_at"))
        if production.stage == Stage.CANCELLED:
            assert moves[-1].to_stage == Stage.CANCELLED
            assert moves[-1].reason
            continue
        reached = STAGE_ORDER.index(Stage(production.stage))
        assert [move.to_stage for move in moves] == list(STAGE_ORDER[1 : reached + 1])
        if reached:  # what let it into its stage still holds
            assert GUARDS[Stage(production.stage)](production) == [], production
        assert moves == sorted(moves, key=lambda move: move.pk)  # dated in the order made


@pytest.mark.django_db
def test_the_released_demo_title_is_open_in_the_demo_regions(slate: list[Production]) -> None:
    (released,) = [p for p in slate if p.stage == Stage.RELEASED]

    assert released.title.status == TitleStatus.RELEASED
    regions = Availability.objects.filter(title=released.title).values_list("region", flat=True)
    assert sorted(regions) == sorted(DEMO_REGIONS)
    unreleased = [p.title for p in slate if p.stage != Stage.RELEASED]
    assert not Availability.objects.filter(title__in=unreleased).exists()


@pytest.mark.django_db
def test_the_board_has_an_overdue_shoot_day_and_budget_overruns_to_show(
    slate: list[Production],
) -> None:
    today = timezone.localdate()
    overdue = [
        p
        for p in slate
        if p.shoot_days.filter(status=ShootDayStatus.SCHEDULED, date__lt=today).exists()
    ]
    over_budget = [
        p
        for p in slate
        if any(line.is_over for line in budget_summary(list(p.budget_lines.all())).categories)
    ]

    assert [p.stage for p in overdue] == [Stage.SHOOTING]
    assert {p.stage for p in over_budget} == {Stage.SHOOTING, Stage.POST_PRODUCTION}


@pytest.mark.django_db
def test_loading_again_changes_nothing(slate: list[Production]) -> None:
    assert load("staff") == "Demo productions already loaded.\n"
    assert Production.objects.count() == len(slate)


@pytest.mark.django_db
def test_the_demo_needs_a_staff_account_to_move_the_productions() -> None:
    with pytest.raises(CommandError, match="No staff account is named 'nobody'"):
        load("nobody")
    assert not Production.objects.exists()
