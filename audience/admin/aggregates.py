"""The workers' aggregates, read-only: `audience.popularity.refresh` alone writes them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from audience.admin.filters import AggregateRegionListFilter, RegionListFilter
from audience.admin.insights_page import insights_view
from audience.admin.pagination import BigTableAdmin, ReadOnlyAdminMixin
from audience.models import (
    DailyTitleStats,
    GenreSegmentHours,
    TitlePopularity,
    Top10Entry,
    TrendingEntry,
)


class AggregateAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    list_select_related = ["title"]
    raw_id_fields = ["title"]

    @admin.display(description="region")
    def region_or_global(self, row: Top10Entry | TrendingEntry | TitlePopularity) -> str:
        return row.region or "Global"


@admin.register(DailyTitleStats)
class DailyTitleStatsAdmin(AggregateAdmin):
    list_display = [
        "day",
        "title",
        "region",
        "age_band",
        "gender",
        "plays",
        "seconds_viewed",
        "completions",
        "viewers",
    ]
    list_filter = ["age_band", "gender"]
    # Along the day index.
    ordering = ["-day"]


@admin.register(Top10Entry)
class Top10EntryAdmin(AggregateAdmin):
    list_display = [
        "week_start",
        "region_or_global",
        "category",
        "rank",
        "title",
        "views",
        "weeks_in_top10",
    ]
    list_filter = ["category", AggregateRegionListFilter]


@admin.register(TrendingEntry)
class TrendingEntryAdmin(AggregateAdmin):
    list_display = ["region_or_global", "rank", "title", "score", "as_of"]
    list_filter = [AggregateRegionListFilter]


@admin.register(TitlePopularity)
class TitlePopularityAdmin(AggregateAdmin):
    list_display = ["title", "region_or_global", "rank", "views", "window_start", "window_end"]
    list_filter = [AggregateRegionListFilter]
    # Along the title_popularity_rank_idx index.
    ordering = ["region", "-views", "title"]


@admin.register(GenreSegmentHours)
class GenreSegmentHoursAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    """The raw genre hours; the insights page shows them as affinity by segment."""

    list_display = ["genre", "region", "age_band", "gender", "seconds_viewed"]
    list_select_related = ["genre"]
    list_filter = [RegionListFilter, "age_band", "gender", "genre"]
    ordering = ["-id"]

    def get_urls(self) -> list[URLPattern]:
        # Before the model's own URLs, whose `<path:object_id>/` would take "insights/".
        return [
            path("insights/", self.admin_site.admin_view(self.insights), name="audience_insights"),
            *super().get_urls(),
        ]

    def insights(self, request: HttpRequest) -> HttpResponse:
        return insights_view(request, self)
