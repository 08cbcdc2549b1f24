"""A production's timeline: its stage history and its shoot days on one time axis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from config.admin_charts import AXIS_STYLE, GRID_STYLE, TEXT_STYLE, format_day
from production.charts.svg import (
    ACTUAL_FILL,
    LABEL_STYLE,
    OVER_FILL,
    PLANNED_FILL,
    WIDTH,
    legend,
    svg_heading,
    svg_open,
)

TIMELINE_LEFT = 96
TIMELINE_RIGHT = 24
STAGE_LANE_TOP = 28
STAGE_LANE_HEIGHT = 30
DAY_LANE_TOP = 74
DAY_LANE_HEIGHT = 22
AXIS_Y = 112
TIMELINE_HEIGHT = 168
MAX_TICKS = 8
PERIOD_FILLS = {"released": "var(--message-success-bg, #dfd)"}
PALE_FILL = "color-mix(in srgb, var(--primary, #79aec8) 55%, var(--body-bg, #fff))"
SHORT_LABELS = {
    "development": "Dev.",
    "casting": "Cast",
    "location_scouting": "Scout",
    "shooting": "Shoot",
    "post_production": "Post",
    "marketing": "Mktg",
}
ENDED_FILL = "var(--message-error-bg, #ffefef)"
SHOOT_DAY_STYLES = {
    "wrapped": f"fill: {ACTUAL_FILL}",
    "scheduled": f"fill: var(--body-bg, #fff); stroke: {ACTUAL_FILL}; stroke-width: 2",
    "overdue": f"fill: {OVER_FILL}",
    "cancelled": "fill: var(--hairline-color, #e8e8e8); stroke: var(--body-quiet-color, #666)",
}


@dataclass(frozen=True)
class StagePeriod:
    """The time a production spent in one stage; `ends` is None while it is still there."""

    stage: str
    label: str
    starts: datetime
    ends: datetime | None
    is_cancelled: bool = False


@dataclass(frozen=True)
class MoveMark:
    at: datetime
    from_label: str
    to_label: str
    moved_by: str
    reason: str
    is_forward: bool


@dataclass(frozen=True)
class ShootDayMark:
    day: date
    status: str  # a ShootDayStatus value
    status_label: str
    location: str
    is_overdue: bool

    @property
    def style_key(self) -> str:
        return "overdue" if self.is_overdue else self.status


@dataclass(frozen=True)
class Timeline:
    chart_id: str
    title: str
    periods: list[StagePeriod]
    moves: list[MoveMark]
    shoot_days: list[ShootDayMark]
    today: date
    release_on: date | None = None
    release_regions: tuple[str, ...] = ()

    def bounds(self) -> tuple[datetime, datetime]:
        """The axis: every period, move, shoot day, the release and today, a day either side."""
        moments = [_moment(self.today)]
        moments += [period.starts for period in self.periods]
        moments += [move.at for move in self.moves]
        moments += [_moment(mark.day) for mark in self.shoot_days]
        if self.release_on is not None:
            moments.append(_moment(self.release_on))
        first = _moment(min(moments).date()) - timedelta(days=1)
        last = _moment(max(moments).date()) + timedelta(days=2)
        return first, last

    def description(self) -> str:
        stages = "; ".join(
            f"{period.label} from {format_day(period.starts.date())}"
            + (f" to {format_day(period.ends.date())}" if period.ends else ", still")
            for period in self.periods
        )
        days = self.shoot_days
        counts = {
            status: sum(1 for mark in days if mark.status == status)
            for status in ("wrapped", "scheduled", "cancelled")
        }
        overdue = sum(1 for mark in days if mark.is_overdue)
        summary = (
            f"{len(days)} shoot days: {counts['wrapped']} wrapped, {counts['scheduled']} "
            f"scheduled ({overdue} overdue), {counts['cancelled']} cancelled."
            if days
            else "No shoot days."
        )
        release = f" Release on {format_day(self.release_on)}." if self.release_on else ""
        return f"Stages: {stages}. {summary}{release}"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class _TimeAxis:
    def __init__(self, first: datetime, last: datetime) -> None:
        self.first, self.last = first, last
        self.width = WIDTH - TIMELINE_LEFT - TIMELINE_RIGHT

    def x(self, moment: datetime) -> float:
        share = (moment - self.first) / (self.last - self.first)
        return TIMELINE_LEFT + self.width * share

    def x_of_day(self, day: date) -> float:
        """The middle of the day."""
        return self.x(_moment(day) + timedelta(hours=12))


def timeline_svg(timeline: Timeline) -> SafeString:
    """The timeline as an accessible `<svg role="img">`: stages, moves, shoot days, today."""
    axis = _TimeAxis(*timeline.bounds())
    parts = [
        svg_open(timeline.chart_id, TIMELINE_HEIGHT),
        svg_heading(timeline.chart_id, timeline.title, timeline.description()),
        f'<text x="8" y="{STAGE_LANE_TOP + 19}" style="{LABEL_STYLE}">Stage</text>',
        f'<text x="8" y="{DAY_LANE_TOP + 15}" style="{LABEL_STYLE}">Shoot days</text>',
        *_time_axis(axis),
        *_periods(timeline, axis),
        *_shoot_days(timeline.shoot_days, axis),
        *_today(timeline.today, axis),
        *_release(timeline, axis),
        *_moves(timeline.moves, axis),
        *_timeline_legend(),
        "</svg>",
    ]
    # Every piece of text above went through escape(); numbers are formatted here.
    return mark_safe("".join(parts))


def _periods(timeline: Timeline, axis: _TimeAxis) -> list[str]:
    parts = ['<g class="stage-periods">']
    for index, period in enumerate(timeline.periods):
        start = axis.x(period.starts)
        end = axis.x(period.ends or _moment(timeline.today) + timedelta(days=1))
        width = max(end - start, 2.0)
        until = format_day(period.ends.date()) if period.ends else "now"
        outline = "" if period.ends else f"; stroke: {ACTUAL_FILL}; stroke-width: 2"
        parts.append(
            f'<rect class="stage-period" x="{start:.2f}" y="{STAGE_LANE_TOP}" '
            f'width="{width:.2f}" height="{STAGE_LANE_HEIGHT}" '
            f'data-stage="{escape(period.stage)}" style="fill: {_period_fill(period, index)}; '
            f'stroke: var(--body-bg, #fff){outline}"><title>{escape(period.label)}: '
            f"{escape(format_day(period.starts.date()))} to {escape(until)}</title></rect>"
        )
        label = _fitting_label(period, width)
        if label:
            parts.append(
                f'<text x="{start + 9:.2f}" y="{STAGE_LANE_TOP + 19}" style="{LABEL_STYLE}" '
                f'aria-hidden="true">{escape(label)}</text>'
            )
    parts.append("</g>")
    return parts


def _period_fill(period: StagePeriod, index: int) -> str:
    """Neighbouring periods in two shades of the theme's colour, so that each stands out."""
    if period.is_cancelled:
        return ENDED_FILL
    if period.stage in PERIOD_FILLS:
        return PERIOD_FILLS[period.stage]
    return PLANNED_FILL if index % 2 == 0 else PALE_FILL


def _fitting_label(period: StagePeriod, width: float) -> str:
    """The stage's name, or its short name, if it fits clear of the move marks at either
    end; nothing if neither does (the tooltip still names it)."""
    for label in (period.label, SHORT_LABELS.get(period.stage, "")):
        if label and width >= 7 * len(label) + 20:
            return label
    return ""


def _moves(moves: list[MoveMark], axis: _TimeAxis) -> list[str]:
    parts = ['<g class="stage-moves">']
    y = STAGE_LANE_TOP + STAGE_LANE_HEIGHT / 2
    for move in moves:
        colour = ACTUAL_FILL if move.is_forward else OVER_FILL
        why = f": {move.reason}" if move.reason else ""
        parts.append(
            f'<circle class="stage-move" cx="{axis.x(move.at):.2f}" cy="{y}" r="5" '
            f'data-to="{escape(move.to_label)}" '
            f'style="fill: var(--body-bg, #fff); stroke: {colour}; stroke-width: 2">'
            f"<title>{escape(format_day(move.at.date()))}: {escape(move.from_label)} → "
            f"{escape(move.to_label)} by {escape(move.moved_by)}{escape(why)}</title></circle>"
        )
    parts.append("</g>")
    return parts


def _shoot_days(marks: list[ShootDayMark], axis: _TimeAxis) -> list[str]:
    parts = ['<g class="shoot-days">']
    # As wide as a day, between 2 and 8 pixels: consecutive days stay apart on a long axis.
    width = max(2.0, min(8.0, axis.x(axis.first + timedelta(days=1)) - TIMELINE_LEFT - 1))
    for mark in marks:
        x = axis.x_of_day(mark.day)
        overdue = ", overdue" if mark.is_overdue else ""
        parts.append(
            f'<rect class="shoot-day" x="{x - width / 2:.2f}" y="{DAY_LANE_TOP}" '
            f'width="{width:.2f}" '
            f'height="{DAY_LANE_HEIGHT}" data-date="{mark.day.isoformat()}" '
            f'data-status="{escape(mark.style_key)}" style="{SHOOT_DAY_STYLES[mark.style_key]}">'
            f"<title>{escape(format_day(mark.day))} at {escape(mark.location)}: "
            f"{escape(mark.status_label.lower())}{overdue}</title></rect>"
        )
    parts.append("</g>")
    return parts


def _today(today: date, axis: _TimeAxis) -> list[str]:
    x = axis.x_of_day(today)
    return [
        f'<g class="today"><line x1="{x:.2f}" x2="{x:.2f}" y1="{STAGE_LANE_TOP - 6}" '
        f'y2="{AXIS_Y}" style="{AXIS_STYLE}; stroke-dasharray: 4 3"/>'
        f'<text x="{x:.2f}" y="{STAGE_LANE_TOP - 10}" text-anchor="middle" '
        f'style="{TEXT_STYLE}">Today</text></g>'
    ]


def _release(timeline: Timeline, axis: _TimeAxis) -> list[str]:
    if timeline.release_on is None:
        return []
    x, y = axis.x_of_day(timeline.release_on), STAGE_LANE_TOP + STAGE_LANE_HEIGHT / 2
    regions = f" in {', '.join(timeline.release_regions)}" if timeline.release_regions else ""
    return [
        f'<polygon class="release" points="{x:.2f},{y - 9} {x + 9:.2f},{y} {x:.2f},{y + 9} '
        f'{x - 9:.2f},{y}" data-date="{timeline.release_on.isoformat()}" '
        f'style="fill: var(--accent, #f5dd5d); stroke: var(--body-fg, #333)">'
        f"<title>Release on {escape(format_day(timeline.release_on))}{escape(regions)}"
        "</title></polygon>"
        f'<text x="{x:.2f}" y="{STAGE_LANE_TOP - 10}" text-anchor="middle" '
        f'style="{TEXT_STYLE}" aria-hidden="true">Release</text>'
    ]


def _time_axis(axis: _TimeAxis) -> list[str]:
    parts = [
        '<g class="x-axis">',
        f'<line x1="{TIMELINE_LEFT}" x2="{WIDTH - TIMELINE_RIGHT}" y1="{AXIS_Y}" '
        f'y2="{AXIS_Y}" style="{AXIS_STYLE}"/>',
    ]
    for tick, label in date_ticks(axis.first.date(), axis.last.date()):
        x = axis.x(_moment(tick))
        parts.append(
            f'<line x1="{x:.2f}" x2="{x:.2f}" y1="{STAGE_LANE_TOP}" y2="{AXIS_Y + 4}" '
            f'style="{GRID_STYLE}"/>'
            f'<text class="x-tick" x="{x:.2f}" y="{AXIS_Y + 16}" text-anchor="middle" '
            f'style="{TEXT_STYLE}">{escape(label)}</text>'
        )
    parts.append("</g>")
    return parts


def date_ticks(first: date, last: date) -> list[tuple[date, str]]:
    """At most MAX_TICKS round dates within [first, last]: days, weeks, or month starts."""
    span = (last - first).days
    for step in (1, 2, 7):
        if span / step <= MAX_TICKS:
            days = [first + timedelta(days=n) for n in range(1, span, step)]
            return [(day, f"{day.day} {day:%b}") for day in days]
    for months in (1, 2, 3, 6, 12, 24, 60):
        if span / (30.4 * months) <= MAX_TICKS:
            return [(day, f"{day:%b %Y}") for day in _month_starts(first, last, months)]
    return []


def _month_starts(first: date, last: date, every: int) -> list[date]:
    index = first.year * 12 + first.month  # the month after `first`'s, counted from year 0
    starts: list[date] = []
    while True:
        year, month = divmod(index, 12)
        day = date(year, month + 1, 1)
        if day > last:
            return starts
        if index % every == 0:
            starts.append(day)
        index += 1


def _timeline_legend() -> list[str]:
    circle = (
        '<circle cx="6" cy="6" r="5" style="fill: var(--body-bg, #fff); '
        f'stroke: {ACTUAL_FILL}; stroke-width: 2"/>'
    )
    items = [(circle, "stage move")]
    for key, label in [
        ("wrapped", "wrapped"),
        ("scheduled", "scheduled"),
        ("overdue", "overdue"),
        ("cancelled", "cancelled"),
    ]:
        items.append(
            (f'<rect x="2" y="0" width="8" height="12" style="{SHOOT_DAY_STYLES[key]}"/>', label)
        )
    return legend(items, y=AXIS_Y + 32, x=TIMELINE_LEFT)
