"""Viewing events: the big table, read-only."""

from __future__ import annotations

from django.contrib import admin

from audience.admin.pagination import BigTableAdmin, ReadOnlyAdminMixin
from audience.models import ViewingEvent


@admin.register(ViewingEvent)
class ViewingEventAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    """Events as recorded; staff reach one profile's or title's through the query string
    (`?profile__id__exact=`, `?title__id__exact=`), e.g. from a profile's page.

    Newest first by id, along the primary key: no btree index orders the table by time, and
    a date hierarchy would scan it for its dates.
    """

    list_display = [
        "id",
        "started_at",
        "profile",
        "title",
        "seconds_watched",
        "completed",
        "device",
        "region",
        "age_band",
        "gender",
    ]
    list_select_related = ["profile", "title"]
    # Filters on common values only: a rare value would read far into the table for a page.
    list_filter = ["device", "completed", "age_band", "gender"]
    ordering = ["-id"]
    raw_id_fields = ["profile", "title"]
