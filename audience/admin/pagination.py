"""Change lists of tables too big to count: tens of millions of viewing events."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


class LookAheadPaginator(Paginator):
    """Pages through a query without counting it: it reads one row past the requested page.

    The count it reports is the rows up to the end of that page, plus one when there are
    more; so the admin links to the next page, never runs COUNT(*) and never offers a page
    it has not seen. The page's rows come from the same read.
    """

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, page_number: int) -> None:
        super().__init__(object_list, per_page, allow_empty_first_page=True)
        self.page_number = max(page_number, 1)

    @cached_property
    def _offset(self) -> int:
        return (self.page_number - 1) * self.per_page

    @cached_property
    def _rows(self) -> list[Any]:
        return list(self.object_list[self._offset : self._offset + self.per_page + 1])

    @cached_property
    def count(self) -> int:
        return self._offset + len(self._rows)

    @property
    def has_more(self) -> bool:
        """Whether rows follow the requested page; the count then is a lower bound."""
        return len(self._rows) > self.per_page

    @property
    def rows_seen(self) -> int:
        return self._offset + min(len(self._rows), self.per_page)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        if number != self.page_number:
            return super().page(number)
        return Page(self._rows[: self.per_page], number, self)


def requested_page(request: HttpRequest) -> int:
    """The change list's page number, read as the change list reads it."""
    try:
        return int(request.GET.get(PAGE_VAR, 1))
    except ValueError:
        return 1


class BigTableAdmin(admin.ModelAdmin):
    """A change list that stays cheap on a table of any size.

    No count (see `LookAheadPaginator`), no facet counts, no "Show all", and no sorting by
    column: the list is read newest first along an index, never sorted in full.
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # "Show all" would read the whole table.
    list_max_show_all = 0
    sortable_by = ()

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> LookAheadPaginator:
        return LookAheadPaginator(queryset, per_page, page_number=requested_page(request))


class ReadOnlyAdminMixin:
    """What the workers or the viewers write, staff only read."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
