"""The production admin: the list, the board, and each production's page with its work,
stage buttons, timeline and budget."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from catalog.models import Title, TitleStatus
from production.admin.board import board_view
from production.admin.change_page import production_overview
from production.admin.inlines import (
    BudgetLineInline,
    CastingRoleInline,
    LocationInline,
    MarketingMilestoneInline,
    PostTaskInline,
    ReleaseInline,
    ScriptDraftInline,
    ShootDayInline,
    StageWorkInline,
    TargetSegmentInline,
)
from production.admin.stage_actions import STAGE_MOVES, stage_move_view, stage_panel
from production.models import ENDED_STAGES, Production
from production.services import refresh_scorecard_after_commit, title_production_problem


class ProductionAdminForm(forms.ModelForm):
    """No Meta: `ProductionAdmin` builds the form's model and fields from its fieldsets."""

    def clean_title(self) -> Title:
        title: Title = self.cleaned_data["title"]
        problem = title_production_problem(title, new=self.instance.pk is None)
        if problem is not None:
            raise ValidationError(problem)
        return title


@admin.register(Production)
class ProductionAdmin(admin.ModelAdmin):
    form = ProductionAdminForm
    change_form_template = "production/admin/production_change_form.html"
    change_list_template = "production/admin/production_change_list.html"
    list_display = ["title", "stage", "is_demo", "budget_usd", "updated_at"]
    list_select_related = ["title"]
    list_filter = ["stage", "is_demo"]
    search_fields = ["title__name"]
    search_help_text = "Title name."
    autocomplete_fields = ["title"]
    # The stage moves only through the buttons above the form (see `stage_actions`).
    readonly_fields = ["stage", "version", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "logline", "budget_usd", "is_demo"]}),
        (
            "Stage and history",
            {"fields": ["stage", "version", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]
    # In the order of the stages that work on them.
    inlines = [
        TargetSegmentInline,
        ScriptDraftInline,
        CastingRoleInline,
        LocationInline,
        ShootDayInline,
        PostTaskInline,
        MarketingMilestoneInline,
        ReleaseInline,
        BudgetLineInline,
    ]

    def get_urls(self) -> list[URLPattern]:
        # Before the model's own URLs, whose `<path:object_id>/` would take these.
        moves = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(self.stage_move),
                {"move_name": name},
                name=f"production_production_{name}",
            )
            for name in STAGE_MOVES
        ]
        return [
            path("board/", self.admin_site.admin_view(self.board), name="production_board"),
            *moves,
            *super().get_urls(),
        ]

    def board(self, request: HttpRequest) -> HttpResponse:
        return board_view(request, self)

    def stage_move(self, request: HttpRequest, object_id: str, move_name: str) -> HttpResponse:
        return stage_move_view(request, self, object_id, move_name)

    def get_inline_instances(
        self, request: HttpRequest, obj: Production | None = None
    ) -> list[InlineModelAdmin[Any, Any]]:
        """The work of stages other than the current one, folded."""
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if isinstance(inline, StageWorkInline) and inline.folded_for(obj):
                inline.classes = ["collapse"]
        return inlines

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Once released or cancelled, a production's fields are closed (its budget lines are
        not: bills still come in)."""
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.stage in ENDED_STAGES:
            readonly += ["title", "logline", "is_demo", "budget_usd"]
        return readonly

    def save_model(
        self, request: HttpRequest, obj: Production, form: forms.ModelForm, change: bool
    ) -> None:
        """Locks the production's row first, as every write of its work does, so that a
        stage move never checks its guard against work being saved; a new production puts
        its title in production."""
        if change:
            Production.objects.select_for_update(no_key=True).filter(pk=obj.pk).first()
        super().save_model(request, obj, form, change)
        if not change:
            obj.title.status = TitleStatus.IN_PRODUCTION
            obj.title.save(update_fields=["status", "updated_at"])

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formsets: list[Any],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        # The budget, target segments and script authors are the scorecard's inputs; an
        # unchanged scorecard is not rewritten.
        refresh_scorecard_after_commit(form.instance.pk)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Production | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None:
            context["stage_panel"] = stage_panel(request, self, obj)
            context |= production_overview(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
