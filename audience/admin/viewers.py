"""Viewer profiles, their ratings, their My List and their taste picks.

Ratings, My List entries and taste picks are the viewers' own: staff read them (and may
delete one, e.g. on a viewer's request) but do not write them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from audience.admin.filters import RegionListFilter
from audience.admin.pagination import BigTableAdmin
from audience.models import MyListEntry, Profile, Rating, TastePick, ViewingEvent

INLINE_ROWS = 20


class LatestRowsFormSet(BaseInlineFormSet):
    """An inline of the latest rows only: a MovieLens viewer has rated up to 2,000 titles."""

    _latest: QuerySet[Any] | None = None

    def get_queryset(self) -> QuerySet[Any]:
        # One sliced queryset, so that its rows are read once however often forms ask.
        if self._latest is None:
            self._latest = super().get_queryset()[:INLINE_ROWS]
        return self._latest


class ViewerActivityInline(admin.TabularInline):
    formset = LatestRowsFormSet
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The profile too: each row's label (`str(rating)`) names it.
        return super().get_queryset(request).select_related("profile", "title").order_by("-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RatingInline(ViewerActivityInline):
    model = Rating
    fields = ["title", "value", "rated_at"]
    verbose_name_plural = f"ratings (latest {INLINE_ROWS})"


class MyListInline(ViewerActivityInline):
    model = MyListEntry
    fields = ["title", "added_at"]
    verbose_name_plural = f"My List (latest {INLINE_ROWS})"


class TastePickInline(ViewerActivityInline):
    model = TastePick
    fields = ["title", "picked_at"]
    verbose_name_plural = f"taste picks (latest {INLINE_ROWS})"


class ProfileAdminForm(forms.ModelForm):
    """No Meta: `ProfileAdmin` builds the form's model and fields from its fieldsets."""

    def clean_region(self) -> str:
        # The `profile_region_is_a_country_code` constraint wants upper case: "gb" means GB.
        return str(self.cleaned_data["region"]).strip().upper()


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    form = ProfileAdminForm
    list_display = ["name", "account", "region", "age_band", "gender", "maturity_level", "source"]
    list_select_related = ["account"]
    list_filter = [RegionListFilter, "age_band", "gender", "source"]
    search_fields = ["name", "account__username", "account__email", "=source_id"]
    search_help_text = "Profile name, account user name or email, or an exact source id."
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ["account"]
    readonly_fields = ["created_at", "activity"]
    fieldsets = [
        (None, {"fields": ["account", "name"]}),
        ("Segment", {"fields": ["region", "language", "age_band", "gender", "maturity_level"]}),
        ("Source", {"fields": ["source", "source_id", "created_at"]}),
        ("Activity", {"fields": ["activity"]}),
    ]
    inlines = [RatingInline, MyListInline, TastePickInline]

    @admin.display(description="All activity")
    def activity(self, profile: Profile) -> SafeString:
        """Links to the profile's rows in each big table: listing them here would not scale."""
        if profile.pk is None:
            return SafeString("")
        links = [
            (reverse(f"admin:audience_{model._meta.model_name}_changelist"), profile.pk, label)
            for model, label in [
                (ViewingEvent, "Viewing events"),
                (Rating, "Ratings"),
                (MyListEntry, "My List"),
            ]
        ]
        return format_html_join(" · ", '<a href="{}?profile__id__exact={}">{}</a>', links)


class ViewerRowAdmin(BigTableAdmin):
    list_select_related = ["profile", "title"]
    raw_id_fields = ["profile", "title"]
    ordering = ["-id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ViewerRowAdmin):
    list_display = ["id", "profile", "title", "value", "rated_at"]
    list_filter = ["value"]


@admin.register(MyListEntry)
class MyListEntryAdmin(ViewerRowAdmin):
    list_display = ["id", "profile", "title", "added_at"]
