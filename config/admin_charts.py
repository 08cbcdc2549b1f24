"""What the admin's server-drawn SVG charts share, whichever app draws them: the theme's
colours for text, axes and grid lines (the admin's CSS variables, so that charts follow
its light and dark themes), round axis ticks and the way a day is written."""

from __future__ import annotations

import math
from datetime import date

TEXT_STYLE = "fill: var(--body-quiet-color, #666); font-size: 11px"
AXIS_STYLE = "stroke: var(--body-quiet-color, #666)"
GRID_STYLE = "stroke: var(--hairline-color, #e8e8e8)"


def nice_ticks(maximum: float, target_count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `maximum`: steps of 1, 2, 2.5 or 5 times 10^k."""
    if maximum <= 0:
        return [0.0, 1.0]
    rough_step = maximum / target_count
    magnitude = 10 ** math.floor(math.log10(rough_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough_step)
    count = math.ceil(maximum / step - 1e-9)
    return [round(step * index, 10) for index in range(count + 1)]


def format_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
