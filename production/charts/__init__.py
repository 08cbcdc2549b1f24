"""Charts of a production's admin page, drawn on the server as inline SVG: no script, no CDN.

The timeline puts the stage history and the shoot days on one time axis; the budget chart
sets planned against actual spend per category. Every mark carries a `<title>` (a tooltip,
and what a screen reader announces) and each chart a `<title>` and `<desc>`.
"""

from production.charts.budget import budget_chart_svg, budget_description
from production.charts.svg import format_usd
from production.charts.timeline import (
    MoveMark,
    ShootDayMark,
    StagePeriod,
    Timeline,
    date_ticks,
    timeline_svg,
)

__all__ = [
    "MoveMark",
    "ShootDayMark",
    "StagePeriod",
    "Timeline",
    "budget_chart_svg",
    "budget_description",
    "date_ticks",
    "format_usd",
    "timeline_svg",
]
