"""Pages of a production's work that have work of their own: a casting role (its auditions
and the casting decision) and a location (its scouting visits).

Staff reach them from the production's page, so they are not listed on the admin index.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from catalog.models import Person
from config.errors import ServiceError
from production import services
from production.admin.inlines import CastingRoleForm
from production.models import (
    ENDED_STAGES,
    Audition,
    AuditionOutcome,
    CastingRole,
    Location,
    ScoutingVisit,
)

WORK_TEMPLATE = "production/admin/work_change_form.html"
CASTING_TEMPLATE = "production/admin/casting_role_change_form.html"


class ProductionWorkAdmin(admin.ModelAdmin):
    """A production's work, added on the production's page; its own page leads back there."""

    change_form_template = WORK_TEMPLATE
    list_select_related = ["production__title"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("production__title")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A row stays with the production it was made for.
        return ["production", *super().get_readonly_fields(request, obj)]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _work_is_closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _work_is_closed(obj) and super().has_delete_permission(request, obj)


def _work_is_closed(work: Any) -> bool:
    """A released or cancelled production's work is closed."""
    return work is not None and work.production.stage in ENDED_STAGES


class ClosedWithItsProductionInline(admin.TabularInline):
    """Rows of a production's work: closed with the production (`obj` is the parent)."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _work_is_closed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _work_is_closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _work_is_closed(obj) and super().has_delete_permission(request, obj)


class AuditionForm(forms.ModelForm):
    class Meta:
        model = Audition
        fields = ["person", "scheduled_at", "outcome", "notes"]

    def clean_outcome(self) -> str:
        outcome = str(self.cleaned_data["outcome"])
        if outcome == AuditionOutcome.OFFERED and self.initial.get("outcome") != outcome:
            raise ValidationError("An offer is made by casting the role, below.")
        return outcome


class AuditionInline(ClosedWithItsProductionInline):
    model = Audition
    form = AuditionForm
    autocomplete_fields = ["person"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Audition]:
        return super().get_queryset(request).select_related("person")


class CastForm(forms.Form):
    """Cast one of the people who auditioned, or anyone else found by name."""

    auditioned = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        required=False,
        empty_label=None,
        label="Who auditioned",
    )

    def __init__(
        self, *args: Any, role: CastingRole, admin_site: admin.AdminSite, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        auditioned = self.fields["auditioned"]
        assert isinstance(auditioned, forms.ModelChoiceField)
        auditioned.queryset = (
            Person.objects.filter(auditions__role=role).distinct().order_by("name")
        )
        self.fields["person"] = forms.ModelChoiceField(
            queryset=Person.objects.all(),
            required=False,
            label="Or anyone",
            # Searches people by name, as the admin's other person pickers do.
            widget=AutocompleteSelect(CastingRole._meta.get_field("cast_person"), admin_site),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = [person for person in (cleaned.get("auditioned"), cleaned.get("person")) if person]
        if len(chosen) != 1:
            raise ValidationError("Choose one person: someone who auditioned, or anyone else.")
        cleaned["cast"] = chosen[0]
        return cleaned


@admin.register(CastingRole)
class CastingRoleAdmin(ProductionWorkAdmin):
    form = CastingRoleForm
    change_form_template = CASTING_TEMPLATE
    list_display = ["character", "production", "is_lead", "cast_person"]
    search_fields = ["character", "production__title__name"]
    fields = ["production", "character", "is_lead", "cast_person"]
    readonly_fields = ["cast_person"]
    inlines = [AuditionInline]

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/cast/",
                self.admin_site.admin_view(self.cast_view),
                name="production_castingrole_cast",
            ),
            *super().get_urls(),
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: CastingRole | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None and self.has_change_permission(request, obj):
            cast_form = CastForm(role=obj, admin_site=self.admin_site)
            context["cast_form"] = cast_form
            context["media"] = context["media"] + cast_form.media
        return super().render_change_form(request, context, add, change, form_url, obj)

    def cast_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return _cast(request, self, object_id)


@require_POST
def _cast(request: HttpRequest, model_admin: CastingRoleAdmin, object_id: str) -> HttpResponse:
    """The casting decision, through `role_cast`: it credits the person in the title's cast."""
    role = model_admin.get_object(request, object_id)
    if role is None:
        raise Http404("No casting role has this id.")
    if not model_admin.has_change_permission(request, role):
        raise PermissionDenied
    form = CastForm(request.POST, role=role, admin_site=model_admin.admin_site)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(str(message) for message in error))
    else:
        try:
            cast = services.role_cast(role_id=role.pk, person_id=form.cleaned_data["cast"].pk)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{form.cleaned_data['cast']} is cast as {cast.character}.")
    return HttpResponseRedirect(reverse("admin:production_castingrole_change", args=[role.pk]))


class ScoutingVisitInline(ClosedWithItsProductionInline):
    model = ScoutingVisit
    fields = ["visited_on", "notes"]


@admin.register(Location)
class LocationAdmin(ProductionWorkAdmin):
    list_display = ["name", "production", "kind", "status"]
    search_fields = ["name", "production__title__name"]
    fields = [
        "production",
        "name",
        "kind",
        "status",
        "address",
        ("latitude", "longitude"),
        "daily_cost_usd",
    ]
    inlines = [ScoutingVisitInline]
