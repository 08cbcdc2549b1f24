"""The title admin: the catalog's big table, so its change list is built to stay cheap."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from catalog.admin.filters import DecadeListFilter, GenreListFilter
from catalog.admin.forms import (
    ArtworkInlineForm,
    AvailabilityInlineForm,
    AvailabilityInlineFormSet,
    TitleAdminForm,
)
from catalog.admin.panels import title_panels
from catalog.models import (
    Artwork,
    Availability,
    Credit,
    ExternalId,
    ExternalIdSource,
    Title,
    TitleKind,
)

# An external id typed as the model prints it, e.g. "imdb:tt0068646".
SOURCE_SEPARATOR = ":"


class CreditInline(admin.TabularInline):
    model = Credit
    fields = ["person", "role_type", "character", "billing_order", "department", "job"]
    autocomplete_fields = ["person"]
    # Not the model's ordering: that one orders by `title`, which joins the title table.
    ordering = ["role_type", "billing_order", "id"]
    extra = 0


class ArtworkInline(admin.TabularInline):
    model = Artwork
    form = ArtworkInlineForm
    ordering = ["kind", "-width", "id"]
    extra = 0


class AvailabilityInline(admin.TabularInline):
    model = Availability
    form = AvailabilityInlineForm
    formset = AvailabilityInlineFormSet
    ordering = ["region", "window_start"]
    extra = 0


class ExternalIdInline(admin.TabularInline):
    model = ExternalId
    fields = ["source", "value"]
    verbose_name = "external id"
    extra = 0


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin):
    form = TitleAdminForm
    list_display = ["name", "kind", "year", "parent", "status", "is_original", "maturity_rating"]
    list_select_related = ["parent", "maturity_rating"]
    list_filter = ["kind", GenreListFilter, DecadeListFilter, "status", "is_original"]
    search_fields = ["name", "sort_name", "original_name"]
    search_help_text = (
        "Name, sort name or original name; or an exact external id, with or without its "
        "source: movielens:858, ggplot2movies:20545, imdb:tt0068646."
    )
    # Counting 60,000 titles twice per page (filtered and in full) is the cost to avoid;
    # facets would add one count per filter choice.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ["parent", "maturity_rating", "keywords"]
    filter_horizontal = ["genres"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "parent", "number", "name", "sort_name", "original_name"]}),
        (
            "Release",
            {
                "fields": [
                    "status",
                    "release_date",
                    "year",
                    "runtime_minutes",
                    "original_language",
                    "maturity_rating",
                    "is_original",
                ]
            },
        ),
        ("About", {"fields": ["synopsis", "genres", "keywords"]}),
        ("Staff only", {"fields": ["budget_usd"], "classes": ["collapse"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [CreditInline, ArtworkInline, AvailabilityInline, ExternalIdInline]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, object],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Title | None = None,
    ) -> HttpResponse:
        """The form, with the panels other apps registered (see `catalog.admin.panels`)."""
        if obj is not None and obj.pk is not None:
            context["title_panels"] = title_panels(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Title], search_term: str
    ) -> tuple[QuerySet[Title], bool]:
        """Names by substring, plus the title whose external id is exactly the term.

        The external id is matched through a `pk IN (subquery)`, not a join, so that a search
        adds no duplicate rows and the count stays a plain count of titles.
        """
        if self._is_parent_autocomplete(request):
            queryset = queryset.filter(kind__in=[TitleKind.SERIES, TitleKind.SEASON])
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        external_ids = self._external_ids_matching(search_term.strip())
        if external_ids is not None:
            results |= queryset.filter(pk__in=external_ids.values("title_id"))
        return results, may_have_duplicates

    @staticmethod
    def _external_ids_matching(term: str) -> QuerySet[ExternalId] | None:
        if not term or " " in term:
            return None
        source, separator, value = term.partition(SOURCE_SEPARATOR)
        if separator and source.lower() in ExternalIdSource.values:
            return ExternalId.objects.filter(source=source.lower(), value=value)
        # Naming every source lets the (source, value) unique index serve a lookup by value.
        return ExternalId.objects.filter(source__in=ExternalIdSource.values, value=term)

    @staticmethod
    def _is_parent_autocomplete(request: HttpRequest) -> bool:
        """Whether the request is the parent picker of the title form: it offers parents only."""
        return (
            request.path.endswith("/autocomplete/")
            and request.GET.get("app_label") == Title._meta.app_label
            and request.GET.get("model_name") == Title._meta.model_name
            and request.GET.get("field_name") == "parent"
        )
