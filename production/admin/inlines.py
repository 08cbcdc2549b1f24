"""The work of each stage, edited inline on the production's page.

A casting decision is not edited here: it becomes a catalog credit, so it goes through
`production.services.role_cast` on the role's own page.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalog.regions import is_country_code
from production.models import (
    ENDED_STAGES,
    MAX_BUDGET_USD,
    BudgetLine,
    CastingRole,
    Location,
    LocationStatus,
    MarketingMilestone,
    PostTask,
    Production,
    Release,
    ScriptDraft,
    ShootDay,
    Stage,
    TargetSegment,
)
from production.services import budget_total_problem


class RegionsField(forms.Field):
    """ISO 3166-1 country codes typed as "US, GB" (any case), kept as ["US", "GB"]."""

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        codes = [code.upper() for code in re.split(r"[\s,;]+", str(value or "")) if code]
        return list(dict.fromkeys(codes))

    def validate(self, value: Any) -> None:
        super().validate(value)
        unknown = [code for code in value if not is_country_code(code)]
        if unknown:
            raise ValidationError(
                "Not ISO 3166-1 country codes: %(codes)s.", params={"codes": ", ".join(unknown)}
            )

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value


class ReleaseForm(forms.ModelForm):
    regions = RegionsField(required=False, help_text="Two-letter country codes, e.g. US, GB, DE")

    class Meta:
        model = Release
        fields = ["release_on", "regions"]


class TargetSegmentForm(forms.ModelForm):
    class Meta:
        model = TargetSegment
        fields = ["region", "age_band"]

    def clean_region(self) -> str:
        # The `target_segment_region_is_a_country_code` constraint wants upper case.
        return str(self.cleaned_data["region"]).strip().upper()


class ScriptDraftFormSet(BaseInlineFormSet):
    """Numbers a new draft left without one after the production's last."""

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> Any:
        draft = form.instance
        if draft.number is None:
            last = ScriptDraft.objects.filter(production=self.instance).aggregate(
                last=Max("number")
            )["last"]
            draft.number = (last or 0) + 1
        return super().save_new(form, commit)


class ShootDayForm(forms.ModelForm):
    class Meta:
        model = ShootDay
        fields = ["date", "location", "call_time", "wrap_time", "scenes", "status"]

    def clean_location(self) -> Location:
        location: Location = self.cleaned_data["location"]
        moved_there = location.pk != self.initial.get("location")
        if moved_there and location.status == LocationStatus.REJECTED:
            raise ValidationError(f"{location.name} was turned down.")
        return location


class ShootDayFormSet(BaseInlineFormSet):
    """Offers the production's own locations only."""

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        location = form.fields.get("location")
        if isinstance(location, forms.ModelChoiceField):
            location.queryset = self._locations()

    def _locations(self) -> QuerySet[Location]:
        production = self.instance
        if production is None or production.pk is None:
            return Location.objects.none()
        return Location.objects.filter(production=production).order_by("name")


class StageWorkInline(admin.TabularInline):
    """The work of one stage; folded while the production is in another stage, and closed
    once it is released or cancelled."""

    extra = 0
    # The stages in which staff work on this inline's rows; open while in one of them.
    worked_in: tuple[Stage, ...] = ()
    closes_when_ended = True

    def folded_for(self, production: Production | None) -> bool:
        """Whether the rows are out of the way: a new production is in development."""
        stage = Stage(production.stage) if production is not None else Stage.DEVELOPMENT
        return bool(self.worked_in) and stage not in self.worked_in

    def _is_closed(self, production: Any) -> bool:
        return (
            self.closes_when_ended
            and isinstance(production, Production)
            and production.stage in ENDED_STAGES
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._is_closed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._is_closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._is_closed(obj) and super().has_delete_permission(request, obj)


class TargetSegmentInline(StageWorkInline):
    model = TargetSegment
    form = TargetSegmentForm


class ScriptDraftForm(forms.ModelForm):
    class Meta:
        model = ScriptDraft
        fields = [
            "number",
            "revision_label",
            "authors",
            "submitted_on",
            "approved_on",
            "page_count",
        ]
        help_texts = {"number": "Blank: the next number"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False


class ScriptDraftInline(StageWorkInline):
    model = ScriptDraft
    form = ScriptDraftForm
    formset = ScriptDraftFormSet
    fields = ["number", "revision_label", "authors", "submitted_on", "approved_on", "page_count"]
    autocomplete_fields = ["authors"]
    worked_in = (Stage.DEVELOPMENT,)


class CastingRoleForm(forms.ModelForm):
    class Meta:
        model = CastingRole
        fields = ["character", "is_lead"]

    def clean_character(self) -> str:
        character = str(self.cleaned_data["character"]).strip()
        role = self.instance
        if role.cast_person_id is not None and character != role.character:
            # The cast credit carries the character's name as it was when cast.
            raise ValidationError(
                f"{role.character} is cast and credited under this name, which it keeps."
            )
        return character


class CastingRoleInline(StageWorkInline):
    model = CastingRole
    form = CastingRoleForm
    fields = ["character", "is_lead", "cast_person", "casting"]
    readonly_fields = ["cast_person", "casting"]
    worked_in = (Stage.CASTING,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CastingRole]:
        return super().get_queryset(request).select_related("cast_person")

    @admin.display(description="Auditions and casting")
    def casting(self, role: CastingRole) -> SafeString:
        if role.pk is None:
            return SafeString("Save the role first")
        url = reverse("admin:production_castingrole_change", args=[role.pk])
        action = "Recast" if role.cast_person_id else "Cast"
        return format_html('<a href="{}" class="cast-link">{} {}…</a>', url, action, role)


class LocationInline(StageWorkInline):
    model = Location
    fields = ["name", "kind", "address", "daily_cost_usd", "status"]
    show_change_link = True
    worked_in = (Stage.LOCATION_SCOUTING,)


class ShootDayInline(StageWorkInline):
    model = ShootDay
    form = ShootDayForm
    formset = ShootDayFormSet
    fields = ["date", "location", "call_time", "wrap_time", "scenes", "status"]
    worked_in = (Stage.LOCATION_SCOUTING, Stage.SHOOTING)


class PostTaskInline(StageWorkInline):
    model = PostTask
    fields = ["kind", "assignee", "due_on", "status"]
    autocomplete_fields = ["assignee"]
    worked_in = (Stage.POST_PRODUCTION,)


class BudgetLineFormSet(BaseInlineFormSet):
    """The lines of a production, whose planned and actual totals stay within what the
    API can show exactly (`production.services.budget_line_set` checks the same)."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        for column in ("planned_usd", "actual_usd"):
            total = sum(data.get(column) or 0 for data in kept)
            if total > MAX_BUDGET_USD:
                raise ValidationError(budget_total_problem(total))


class BudgetLineInline(StageWorkInline):
    model = BudgetLine
    formset = BudgetLineFormSet
    fields = ["category", "planned_usd", "actual_usd"]
    # Bills still come in after the release, or after a cancellation.
    closes_when_ended = False


class MarketingMilestoneInline(StageWorkInline):
    model = MarketingMilestone
    fields = ["kind", "due_on", "done_on"]
    worked_in = (Stage.MARKETING,)


class ReleaseInline(StageWorkInline):
    model = Release
    form = ReleaseForm
    worked_in = (Stage.MARKETING,)
