"""What the charts of a production's admin page share: their frame, legend, colours and
number formats.

Colours come from the admin's CSS variables, so that the charts follow its light and dark
themes.
"""

from __future__ import annotations

from django.utils.html import escape

from config.admin_charts import TEXT_STYLE

WIDTH = 900
LABEL_STYLE = "fill: var(--body-fg, #333); font-size: 12px"
PLANNED_FILL = "var(--primary, #79aec8)"
ACTUAL_FILL = "var(--secondary, #417690)"
OVER_FILL = "var(--error-fg, #ba2121)"


def format_usd(value: float) -> str:
    """Dollars to three significant digits: $950, $12.5k, $2.45M, $20M."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{sign}${value / size:.3g}{suffix}"
    return f"{sign}${value:.0f}"


def svg_open(chart_id: str, height: int, **data: object) -> str:
    attributes = "".join(f' data-{name}="{escape(str(value))}"' for name, value in data.items())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" style="max-width: {WIDTH}px" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc"{attributes}>'
    )


def svg_heading(chart_id: str, title: str, description: str) -> str:
    return (
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def legend(items: list[tuple[str, str]], y: float, x: float) -> list[str]:
    """A row of swatches with labels; each item is (swatch SVG at 0,0 of 12x12, label)."""
    parts = [f'<g class="legend" transform="translate({x:.1f} {y:.1f})">']
    offset = 0.0
    for swatch, label in items:
        parts.append(
            f'<g transform="translate({offset:.1f} 0)">{swatch}'
            f'<text x="18" y="10" style="{TEXT_STYLE}">{escape(label)}</text></g>'
        )
        offset += 34 + 6.2 * len(label)
    parts.append("</g>")
    return parts
