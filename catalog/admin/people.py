"""People, their credits and their awards."""

from __future__ import annotations

from django.contrib import admin

from catalog.models import Award, Credit, Person


class PersonCreditInline(admin.TabularInline):
    model = Credit
    fields = ["title", "role_type", "character", "billing_order", "department", "job"]
    autocomplete_fields = ["title"]
    ordering = ["-title__year", "title__sort_name", "id"]
    verbose_name_plural = "credits"
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "birth_date", "birth_place"]
    search_fields = ["name", "sort_name"]
    show_full_result_count = False
    fields = ["name", "sort_name", "birth_date", "birth_place", "biography", "created_at"]
    readonly_fields = ["created_at"]
    inlines = [PersonCreditInline]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["ceremony_year", "category", "title", "person", "is_winner"]
    list_select_related = ["title", "person"]
    list_filter = ["is_winner"]
    search_fields = ["category", "title__name", "person__name"]
    autocomplete_fields = ["title", "person"]
