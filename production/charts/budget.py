"""A production's budget: planned against actual spend, a pair of bars per category."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from config.admin_charts import AXIS_STYLE, GRID_STYLE, TEXT_STYLE, nice_ticks
from production.charts.svg import (
    ACTUAL_FILL,
    LABEL_STYLE,
    OVER_FILL,
    PLANNED_FILL,
    WIDTH,
    format_usd,
    legend,
    svg_heading,
    svg_open,
)
from production.selectors import BudgetCategory, BudgetSummary

BUDGET_LEFT = 160
BUDGET_RIGHT = 120
BUDGET_TOP = 36
ROW_HEIGHT = 40
BAR_HEIGHT = 13


def budget_chart_svg(summary: BudgetSummary, *, chart_id: str, title: str) -> SafeString:
    """Planned against actual per category as grouped horizontal bars; overruns in red."""
    ticks = nice_ticks(
        max((max(c.planned_usd, c.actual_usd) for c in summary.categories), default=0)
    )
    top = ticks[-1]
    plot_bottom = BUDGET_TOP + ROW_HEIGHT * len(summary.categories)
    height = plot_bottom + 32
    parts = [
        svg_open(chart_id, height, categories=len(summary.categories)),
        svg_heading(chart_id, title, budget_description(summary)),
        *legend(
            [
                (f'<rect width="12" height="12" style="fill: {PLANNED_FILL}"/>', "planned"),
                (f'<rect width="12" height="12" style="fill: {ACTUAL_FILL}"/>', "actual"),
                (f'<rect width="12" height="12" style="fill: {OVER_FILL}"/>', "actual, over plan"),
            ],
            y=8,
            x=BUDGET_LEFT,
        ),
        *_budget_axis(ticks, plot_bottom),
    ]
    for index, category in enumerate(summary.categories):
        parts += _budget_row(category, BUDGET_TOP + index * ROW_HEIGHT, top)
    parts.append("</svg>")
    # Every piece of text above went through escape(); numbers are formatted here.
    return mark_safe("".join(parts))


def budget_description(summary: BudgetSummary) -> str:
    over = [category for category in summary.categories if category.is_over]
    overruns = (
        "Over plan: "
        + ", ".join(f"{c.category} (+{format_usd(c.actual_usd - c.planned_usd)})" for c in over)
        + "."
        if over
        else "No category is over plan."
    )
    return (
        f"{len(summary.categories)} categories; {format_usd(summary.planned_usd)} planned, "
        f"{format_usd(summary.actual_usd)} spent in all. {overruns}"
    )


def _budget_x(value: float, top: float) -> float:
    return BUDGET_LEFT + (WIDTH - BUDGET_LEFT - BUDGET_RIGHT) * value / top


def _budget_axis(ticks: list[float], plot_bottom: int) -> list[str]:
    top = ticks[-1]
    parts = ['<g class="x-axis">']
    for tick in ticks:
        x = _budget_x(tick, top)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{BUDGET_TOP - 4}" y2="{plot_bottom}" '
            f'style="{GRID_STYLE}"/>'
            f'<text x="{x:.1f}" y="{plot_bottom + 16}" text-anchor="middle" '
            f'style="{TEXT_STYLE}">{escape(format_usd(tick))}</text>'
        )
    parts.append(
        f'<line x1="{BUDGET_LEFT}" x2="{BUDGET_LEFT}" y1="{BUDGET_TOP - 4}" y2="{plot_bottom}" '
        f'style="{AXIS_STYLE}"/></g>'
    )
    return parts


def _budget_row(category: BudgetCategory, y: float, top: float) -> list[str]:
    name = escape(category.category)
    actual_fill = OVER_FILL if category.is_over else ACTUAL_FILL
    over = category.actual_usd - category.planned_usd
    actual_note = f" (+{format_usd(over)})" if category.is_over else ""
    parts = [
        f'<g class="budget-category" data-category="{name}">',
        f'<text x="{BUDGET_LEFT - 8}" y="{y + 23:.1f}" text-anchor="end" '
        f'style="{LABEL_STYLE}">{name}</text>',
    ]
    for kind, value, fill, bar_y, note in [
        ("planned", category.planned_usd, PLANNED_FILL, y + 4, ""),
        ("actual", category.actual_usd, actual_fill, y + 5 + BAR_HEIGHT, actual_note),
    ]:
        width = _budget_x(value, top) - BUDGET_LEFT
        over_class = " over" if kind == "actual" and category.is_over else ""
        label = f"{format_usd(value)}{note}"
        text_style = f"{TEXT_STYLE}; fill: {OVER_FILL}" if over_class else TEXT_STYLE
        parts.append(
            f'<rect class="bar {kind}{over_class}" x="{BUDGET_LEFT}" y="{bar_y:.1f}" '
            f'width="{width:.2f}" height="{BAR_HEIGHT}" data-value="{value}" '
            f'style="fill: {fill}"><title>{name}, {kind}: {escape(label)}</title></rect>'
            f'<text x="{BUDGET_LEFT + width + 4:.1f}" y="{bar_y + 10:.1f}" '
            f'style="{text_style}" '
            f'aria-hidden="true">{escape(label)}</text>'
        )
    parts.append("</g>")
    return parts
