"""The "Audience insights" page: genre affinity by viewer segment, as a heatmap."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from audience.admin.charts import format_number, lift_colours, lift_legend_svg
from audience.figures.affinity import GenreAffinity, Segment
from audience.figures.insights import (
    AffinityHeatmap,
    gender_label,
    genre_affinity_heatmap,
    regions_with_viewing,
    segment_label,
)
from audience.models import GLOBAL_REGION

TEMPLATE = "audience/admin/insights.html"


class RegionForm(forms.Form):
    region = forms.ChoiceField(required=False, label="Region")

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = [(GLOBAL_REGION, "Global"), *((code, code) for code in regions)]


@dataclass(frozen=True)
class HeatmapColumn:
    segment: str  # "25-34 Female"
    gender: str  # "Female": the age band heads a group of columns
    starts_group: bool


@dataclass(frozen=True)
class HeatmapCell:
    """One genre x segment cell as the page draws it."""

    label: str
    description: str
    background: str
    text_colour: str
    lift: float | None
    starts_group: bool


def insights_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Staff who may view the genre hours see them as lift per genre and segment.

    The admin site's `admin_view` has already sent anyone who is not staff to the login.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = RegionForm(request.GET or None, regions=regions_with_viewing())
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Audience insights",
        "opts": model_admin.opts,
        "form": form,
    }
    if not form.is_bound or form.is_valid():
        region = form.cleaned_data["region"] if form.is_bound else GLOBAL_REGION
        context |= _heatmap_context(genre_affinity_heatmap(region))
    return TemplateResponse(request, TEMPLATE, context)


def _heatmap_context(heatmap: AffinityHeatmap) -> dict[str, object]:
    columns = _columns(heatmap.segments)
    return {
        "heatmap": heatmap,
        "region_name": heatmap.region or "Global",
        "age_groups": _age_groups(heatmap.segments),
        "columns": columns,
        "rows": _rows(heatmap, columns),
        "legend": lift_legend_svg(),
    }


def _age_groups(segments: list[Segment]) -> list[tuple[str, int]]:
    """Each age band with the number of its columns, in column order."""
    return [(band or "", len(list(group))) for band, group in groupby(s.age_band for s in segments)]


def _columns(segments: list[Segment]) -> list[HeatmapColumn]:
    return [
        HeatmapColumn(
            segment=segment_label(segment),
            gender=gender_label(segment),
            starts_group=index == 0 or segment.age_band != segments[index - 1].age_band,
        )
        for index, segment in enumerate(segments)
    ]


def _rows(
    heatmap: AffinityHeatmap, columns: list[HeatmapColumn]
) -> list[tuple[str, list[HeatmapCell]]]:
    return [
        (
            row.genre.name,
            [
                _cell(cell, row.genre.name, column)
                for cell, column in zip(row.cells, columns, strict=True)
            ],
        )
        for row in heatmap.rows
    ]


def _cell(affinity: GenreAffinity, genre: str, column: HeatmapColumn) -> HeatmapCell:
    colours = lift_colours(affinity.lift)
    if affinity.lift is None:
        label, description = "—", f"{column.segment}, {genre}: nobody watched this genre"
    else:
        label = f"{affinity.lift:.2f}"
        description = (
            f"{column.segment}, {genre}: {affinity.share:.1%} of the segment's hours vs "
            f"{affinity.everyone_share:.1%} for everyone (lift {label}; "
            f"{format_number(affinity.seconds_viewed / 3600)} hours)"
        )
    return HeatmapCell(
        label, description, colours.background, colours.text, affinity.lift, column.starts_group
    )
