"""Reads of the production app: the list staff browse, and a production's budget."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from production.models import BudgetLine, Production, Stage


def production_list(
    *, stage: Stage | None = None, is_demo: bool | None = None
) -> QuerySet[Production]:
    productions = Production.objects.order_by("-updated_at", "id")
    if stage is not None:
        productions = productions.filter(stage=stage)
    if is_demo is not None:
        productions = productions.filter(is_demo=is_demo)
    return productions


@dataclass(frozen=True)
class BudgetCategory:
    category: str
    planned_usd: int
    actual_usd: int

    @property
    def is_over(self) -> bool:
        return self.actual_usd > self.planned_usd


@dataclass(frozen=True)
class BudgetSummary:
    categories: list[BudgetCategory]

    @property
    def planned_usd(self) -> int:
        return sum(category.planned_usd for category in self.categories)

    @property
    def actual_usd(self) -> int:
        return sum(category.actual_usd for category in self.categories)

    @property
    def is_over(self) -> bool:
        return self.actual_usd > self.planned_usd


def budget_summary(lines: list[BudgetLine]) -> BudgetSummary:
    """Planned against actual per category (lines in category order) and in total."""
    return BudgetSummary(
        [BudgetCategory(line.category, line.planned_usd, line.actual_usd) for line in lines]
    )
