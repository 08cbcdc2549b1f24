"""Change-list filters of the audience admin that need no scan of a big table."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from audience.figures.insights import regions_with_viewing
from audience.models import GLOBAL_REGION

GLOBAL_CHOICE = "global"


class RegionListFilter(admin.SimpleListFilter):
    """Rows of one country; its choices are the countries anyone watched from.

    The choices come from the small genre-hours table: a DISTINCT over profiles or events
    would read the whole table on every page.
    """

    title = "region"
    parameter_name = "region"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(region, region) for region in regions_with_viewing()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        region = self.value()
        return queryset if region is None else queryset.filter(region=region)


class AggregateRegionListFilter(RegionListFilter):
    """Also offers the worldwide rows, stored under the blank region."""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(GLOBAL_CHOICE, "Global"), *super().lookups(request, model_admin)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == GLOBAL_CHOICE:
            return queryset.filter(region=GLOBAL_REGION)
        return super().queryset(request, queryset)
