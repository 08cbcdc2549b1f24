"""The audience panel of a title's admin page: daily views and Top 10 history."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from audience.admin.charts import DailyBarChart, daily_bar_chart_svg, format_day, format_number
from audience.figures.insights import (
    DailyViews,
    title_daily_views,
    title_rollup,
    title_top10_history,
)
from catalog.models import Title

TEMPLATE = "audience/admin/title_audience_panel.html"
CHART_ID = "title-daily-views"


def title_audience_panel(request: HttpRequest, title: Title) -> SafeString:
    """The panel for staff who may view the daily stats or the Top 10; nothing for others.

    Three queries at most (a season's or series' episodes, daily views, Top 10), whatever the
    number of days or Top 10 lines.
    """
    user = request.user
    may_see_views = user.has_perm("audience.view_dailytitlestats")
    may_see_top10 = user.has_perm("audience.view_top10entry")
    if not (may_see_views or may_see_top10):
        return SafeString("")
    rollup = title_rollup(title)
    context: dict[str, object] = {"title": title}
    if may_see_views:
        daily = title_daily_views(rollup)
        context |= {
            "daily": daily,
            "chart": daily_bar_chart_svg(daily_views_chart(title, daily)),
            "total": format_number(daily.total()),
        }
    if may_see_top10:
        context["top10"] = title_top10_history(rollup)
    return render_to_string(TEMPLATE, context, request=request)


def daily_views_chart(title: Title, daily: DailyViews) -> DailyBarChart:
    values = daily.values()
    span = f"{format_day(daily.first_day)} to {format_day(daily.last_day)}"
    if values:
        peak_day = max(values, key=lambda day: values[day])
        description = (
            f"Bar chart of {daily.measure} per day, {span}: {len(values)} days with viewing, "
            f"{format_number(sum(values.values()))} {daily.measure} in all, the most on "
            f"{format_day(peak_day)} with {format_number(values[peak_day])}."
        )
    else:
        description = f"No viewing from {span}."
    return DailyBarChart(
        chart_id=CHART_ID,
        title=f"Daily {daily.measure} of {title}, {span}",
        description=description,
        first_day=daily.first_day,
        last_day=daily.last_day,
        values=values,
        y_label=f"{daily.measure.capitalize()} per day",
        unit=daily.measure,
    )
