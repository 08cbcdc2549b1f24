"""Charts of the audience admin pages, drawn on the server as inline SVG: no script, no CDN.

Colours come from the admin's CSS variables where the chart is inline in the page, so that the
charts follow the admin's light and dark themes; the lift scale keeps fixed colours because
its meaning is the colour.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from config.admin_charts import AXIS_STYLE, GRID_STYLE, TEXT_STYLE, format_day, nice_ticks

WIDTH = 760
HEIGHT = 280
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 56
PLOT_WIDTH = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_HEIGHT = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
X_TICK_EVERY_DAYS = 14

BAR_STYLE = "fill: var(--secondary, #417690)"


@dataclass(frozen=True)
class DailyBarChart:
    """One bar per day that has a value, on an axis from `first_day` to `last_day`."""

    chart_id: str  # prefix of the SVG's element ids, unique within the page
    title: str  # the chart's accessible name
    description: str
    first_day: date
    last_day: date
    values: Mapping[date, float]
    y_label: str
    unit: str  # what a value counts, for the bars' tooltips: "views"
    x_label: str = "Day (UTC)"

    @property
    def day_count(self) -> int:
        return (self.last_day - self.first_day).days + 1


def daily_bar_chart_svg(chart: DailyBarChart) -> SafeString:
    """The chart as an accessible `<svg role="img">` with axes, gridlines and a bar per day."""
    ticks = nice_ticks(max(chart.values.values(), default=0.0))
    top = ticks[-1]
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart.chart_id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" style="max-width: {WIDTH}px" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" data-days="{chart.day_count}">',
        f'<title id="{escape(title_id)}">{escape(chart.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(chart.description)}</desc>',
        *_y_axis(ticks, chart.y_label),
        *_bars(chart, top),
        *_x_axis(chart),
        "</svg>",
    ]
    # Every piece of text above went through escape(); numbers are formatted here.
    return mark_safe("".join(parts))


def format_number(value: float) -> str:
    """Thousands separated; one decimal below 100, where the fraction still tells something."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def format_tick(value: float) -> str:
    """Short axis labels: 950, 1.5k, 12k, 3M."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _y(value: float, top: float) -> float:
    return MARGIN_TOP + PLOT_HEIGHT * (1 - value / top)


def _y_axis(ticks: list[float], label: str) -> list[str]:
    top = ticks[-1]
    parts = ['<g class="y-axis">']
    for tick in ticks:
        y = _y(tick, top)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'style="{GRID_STYLE}"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'style="{TEXT_STYLE}">{escape(format_tick(tick))}</text>'
        )
    middle = MARGIN_TOP + PLOT_HEIGHT / 2
    parts.append(
        f'<text class="axis-label" transform="translate(14 {middle:.1f}) rotate(-90)" '
        f'text-anchor="middle" style="{TEXT_STYLE}">{escape(label)}</text></g>'
    )
    return parts


def _bars(chart: DailyBarChart, top: float) -> list[str]:
    slot = PLOT_WIDTH / chart.day_count
    width = max(slot * 0.8, 1.0)
    parts = [f'<g class="bars" style="{BAR_STYLE}">']
    for day, value in sorted(chart.values.items()):
        if value <= 0 or not chart.first_day <= day <= chart.last_day:
            continue
        index = (day - chart.first_day).days
        # At least a pixel, so that a day with a little viewing still shows.
        height = max(PLOT_HEIGHT * value / top, 1.0)
        x = MARGIN_LEFT + index * slot + (slot - width) / 2
        parts.append(
            f'<rect class="bar" x="{x:.2f}" y="{MARGIN_TOP + PLOT_HEIGHT - height:.2f}" '
            f'width="{width:.2f}" height="{height:.2f}" data-day="{day.isoformat()}" '
            f'data-value="{value:.2f}"><title>{escape(format_day(day))}: '
            f"{escape(format_number(value))} {escape(chart.unit)}</title></rect>"
        )
    parts.append("</g>")
    return parts


def _x_axis(chart: DailyBarChart) -> list[str]:
    slot = PLOT_WIDTH / chart.day_count
    baseline = MARGIN_TOP + PLOT_HEIGHT
    parts = [
        '<g class="x-axis">',
        f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{baseline}" y2="{baseline}" '
        f'style="{AXIS_STYLE}"/>',
    ]
    # Ticks count back from the last day, so that the latest day always has its label.
    for back in range(0, chart.day_count, X_TICK_EVERY_DAYS):
        day = chart.last_day - timedelta(days=back)
        x = MARGIN_LEFT + ((day - chart.first_day).days + 0.5) * slot
        parts.append(
            f'<line x1="{x:.2f}" x2="{x:.2f}" y1="{baseline}" y2="{baseline + 4}" '
            f'style="{AXIS_STYLE}"/>'
            f'<text class="x-tick" x="{x:.2f}" y="{baseline + 16}" text-anchor="middle" '
            f'style="{TEXT_STYLE}">{day.day} {day:%b}</text>'
        )
    parts.append(
        f'<text class="axis-label" x="{MARGIN_LEFT + PLOT_WIDTH / 2:.1f}" y="{HEIGHT - 8}" '
        f'text-anchor="middle" style="{TEXT_STYLE}">{escape(chart.x_label)}</text></g>'
    )
    return parts


# The lift scale: ColorBrewer's RdBu ends around a near-white middle. Blue: the segment
# watches the genre less than everyone does; red: more.
LOW_COLOUR = (33, 102, 172)
MIDDLE_COLOUR = (247, 247, 247)
HIGH_COLOUR = (178, 24, 43)
NO_DATA_COLOUR = "#d9d9d9"
DARK_TEXT = "#1a1a1a"
LIGHT_TEXT = "#ffffff"
# A lift of LIFT_SPAN (or 1 / LIFT_SPAN) or beyond takes the full colour.
LIFT_SPAN = 4.0
LEGEND_LIFTS = (0.25, 0.35, 0.5, 0.71, 1.0, 1.41, 2.0, 2.83, 4.0)
LEGEND_LABELS = {0.25: "≤ 0.25", 0.5: "0.5", 1.0: "1", 2.0: "2", 4.0: "≥ 4"}


@dataclass(frozen=True)
class CellColours:
    background: str
    text: str


def lift_position(lift: float) -> float:
    """Where a lift sits on the scale, from -1 (a quarter or less) through 0 (1.0) to 1 (4x).

    Logarithmic, so that watching half as much and twice as much lie equally far from 1.
    """
    if lift <= 0:
        return -1.0
    return max(-1.0, min(1.0, math.log(lift) / math.log(LIFT_SPAN)))


def lift_colours(lift: float | None) -> CellColours:
    """Background and legible text colour of a heatmap cell; grey when there is no lift."""
    if lift is None:
        return CellColours(NO_DATA_COLOUR, DARK_TEXT)
    position = lift_position(lift)
    end = HIGH_COLOUR if position > 0 else LOW_COLOUR
    weight = abs(position)
    rgb = tuple(round(m + (e - m) * weight) for m, e in zip(MIDDLE_COLOUR, end, strict=True))
    text = LIGHT_TEXT if weight > 0.55 else DARK_TEXT
    return CellColours("#{:02x}{:02x}{:02x}".format(*rgb), text)


def lift_legend_svg(chart_id: str = "lift-legend") -> SafeString:
    """The colour scale of the lift heatmap: a swatch per step, labelled at 0.25, 0.5, 1, 2, 4."""
    swatch, gap, left = 36, 2, 4
    height = 52
    width = left + len(LEGEND_LIFTS) * (swatch + gap) + 24 + swatch + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{escape(chart_id)}-title">',
        f'<title id="{escape(chart_id)}-title">Lift colour scale: blue below 1 (watches the '
        "genre less than everyone), white at 1, red above 1 (watches it more); grey: no "
        "data</title>",
    ]
    for index, lift in enumerate(LEGEND_LIFTS):
        x = left + index * (swatch + gap)
        parts.append(
            f'<rect class="legend-swatch" x="{x}" y="4" width="{swatch}" height="18" '
            f'fill="{lift_colours(lift).background}" stroke="#999" stroke-width="0.5"/>'
        )
        label = LEGEND_LABELS.get(lift)
        if label:
            parts.append(_legend_text(x + swatch / 2, escape(label)))
    no_data_x = left + len(LEGEND_LIFTS) * (swatch + gap) + 24
    parts.append(
        f'<rect x="{no_data_x}" y="4" width="{swatch}" height="18" fill="{NO_DATA_COLOUR}" '
        'stroke="#999" stroke-width="0.5"/>'
    )
    parts.append(_legend_text(no_data_x + swatch / 2, "no data"))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _legend_text(x: float, text: str) -> str:
    return (
        f'<text x="{x:.1f}" y="38" text-anchor="middle" '
        f'style="fill: var(--body-fg, #333); font-size: 11px">{text}</text>'
    )
