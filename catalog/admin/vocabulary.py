"""The shared vocabularies titles are classified with: genres, keywords, maturity ratings."""

from __future__ import annotations

from django.contrib import admin

from catalog.models import Genre, Keyword, MaturityRating


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    show_full_result_count = False


@admin.register(MaturityRating)
class MaturityRatingAdmin(admin.ModelAdmin):
    list_display = ["system", "code", "level", "description"]
    list_filter = ["system"]
    search_fields = ["system", "code", "description"]
