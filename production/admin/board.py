"""The production board: a column per stage, a card per production, flags for trouble."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from production.charts import format_usd
from production.models import STAGE_ORDER, BudgetLine, Production, ShootDayStatus, Stage
from production.selectors import BudgetSummary, budget_summary

TEMPLATE = "production/admin/board.html"
BOARD_STAGES = (*STAGE_ORDER, Stage.CANCELLED)


@dataclass(frozen=True)
class BoardCard:
    production: Production
    budget: BudgetSummary
    overdue_shoot_days: int

    @property
    def planned(self) -> str:
        return format_usd(self.budget.planned_usd)

    @property
    def actual(self) -> str:
        return format_usd(self.budget.actual_usd)

    @property
    def overrun(self) -> str:
        return format_usd(self.budget.actual_usd - self.budget.planned_usd)

    @property
    def spent_percent(self) -> int:
        """Actual as a share of planned, for the card's bar; 100 at most."""
        if not self.budget.planned_usd:
            return 100 if self.budget.actual_usd else 0
        return min(100, round(100 * self.budget.actual_usd / self.budget.planned_usd))


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    cards: list[BoardCard]

    @property
    def is_folded(self) -> bool:
        """Cancelled productions are kept out of the way."""
        return self.stage == Stage.CANCELLED


def board_productions(today: date) -> QuerySet[Production]:
    """Every production with its title, its budget lines and its count of overdue shoot
    days: two queries, whatever the number of productions."""
    overdue = Q(shoot_days__status=ShootDayStatus.SCHEDULED, shoot_days__date__lt=today)
    return (
        Production.objects.select_related("title")
        .prefetch_related(
            Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("category"))
        )
        .annotate(overdue_shoot_days=Count("shoot_days", filter=overdue))
        .order_by("-updated_at", "id")
    )


def board_columns(productions: QuerySet[Production]) -> list[BoardColumn]:
    cards: dict[str, list[BoardCard]] = {stage: [] for stage in BOARD_STAGES}
    for production in productions:
        cards[production.stage].append(
            BoardCard(
                production=production,
                budget=budget_summary(list(production.budget_lines.all())),
                overdue_shoot_days=production.overdue_shoot_days,  # type: ignore[attr-defined]
            )
        )
    return [BoardColumn(stage, cards[stage]) for stage in BOARD_STAGES]


def board_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Staff who may view productions see them all, by stage.

    The admin site's `admin_view` has already sent anyone who is not staff to the login.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    columns = board_columns(board_productions(timezone.localdate()))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Production board",
        "opts": model_admin.opts,
        "columns": columns,
        "total": sum(len(column.cards) for column in columns),
        # The columns want the page's whole width.
        "is_nav_sidebar_enabled": False,
    }
    return TemplateResponse(request, TEMPLATE, context)
