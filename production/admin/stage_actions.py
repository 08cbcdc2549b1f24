"""Moving a production's stage from its admin page: advance, move back, cancel.

The stage is read-only in the form: these buttons post to views that call the stage machine
(`production.stages`), so the admin moves a production exactly as the API does, with the
same guards, history and conflict detection. Each button sends the stage the page showed,
so that a move made from a stale page is refused rather than applied to another stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.errors import ServiceError
from production import stages
from production.models import ENDED_STAGES, STAGE_ORDER, Production, Stage


class StageMove(Protocol):
    def __call__(
        self, *, production: Production, request: HttpRequest, form: StageMoveForm
    ) -> Production: ...


class StageMoveForm(forms.Form):
    expected_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    # The stage machine says when a reason is missing, in the words the API uses too.
    reason = forms.CharField(required=False, max_length=2000)

    @property
    def stage(self) -> Stage:
        return Stage(self.cleaned_data["expected_stage"])


@dataclass(frozen=True)
class StagePanel:
    """What the page shows above the form: where the production is and where it may go."""

    stage: Stage
    next_stage: Stage | None
    next_missing: list[str]
    previous_stage: Stage | None
    may_move: bool
    steps: list[tuple[Stage, str]]  # every stage, with "done", "current" or "to do"

    @property
    def is_ended(self) -> bool:
        return self.stage in ENDED_STAGES


def stage_panel(
    request: HttpRequest, model_admin: admin.ModelAdmin, production: Production
) -> StagePanel:
    stage = Stage(production.stage)
    next_stage = previous_stage = None
    if stage not in ENDED_STAGES:
        position = STAGE_ORDER.index(stage)
        next_stage = STAGE_ORDER[position + 1]
        previous_stage = STAGE_ORDER[position - 1] if position else None
    return StagePanel(
        stage=stage,
        next_stage=next_stage,
        next_missing=stages.GUARDS[next_stage](production) if next_stage else [],
        previous_stage=previous_stage,
        may_move=model_admin.has_change_permission(request, production),
        steps=_steps(stage),
    )


def _steps(stage: Stage) -> list[tuple[Stage, str]]:
    if stage == Stage.CANCELLED:
        return [(step, "to do") for step in STAGE_ORDER]
    position = STAGE_ORDER.index(stage)
    return [
        (step, "done" if index < position else "current" if index == position else "to do")
        for index, step in enumerate(STAGE_ORDER)
    ]


def _signed_in(request: HttpRequest) -> User:
    """The admin's user: its views are only reached signed in."""
    assert isinstance(request.user, User), "the admin serves signed-in staff only"
    return request.user


def _advance(*, production: Production, request: HttpRequest, form: StageMoveForm) -> Production:
    return stages.production_advance(
        production_id=production.pk, user=_signed_in(request), expected_stage=form.stage
    )


def _revert(*, production: Production, request: HttpRequest, form: StageMoveForm) -> Production:
    return stages.production_revert(
        production_id=production.pk,
        user=_signed_in(request),
        reason=form.cleaned_data["reason"],
        expected_stage=form.stage,
    )


def _cancel(*, production: Production, request: HttpRequest, form: StageMoveForm) -> Production:
    return stages.production_cancel(
        production_id=production.pk,
        user=_signed_in(request),
        reason=form.cleaned_data["reason"],
        expected_stage=form.stage,
    )


STAGE_MOVES: dict[str, tuple[StageMove, str]] = {
    "advance": (_advance, "Moved to {stage}."),
    "revert": (_revert, "Moved back to {stage}."),
    "cancel": (_cancel, "Cancelled."),
}


@require_POST
def stage_move_view(
    request: HttpRequest, model_admin: admin.ModelAdmin, object_id: str, move_name: str
) -> HttpResponse:
    """Staff who may change the production move it, or learn why it may not move."""
    production = model_admin.get_object(request, object_id)
    if production is None:
        raise Http404("No production has this id.")
    if not model_admin.has_change_permission(request, production):
        raise PermissionDenied
    move, success = STAGE_MOVES[move_name]
    form = StageMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The page sent no stage to move from; reload it and try again.")
    else:
        try:
            moved = move(production=production, request=request, form=form)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success.format(stage=moved.get_stage_display()))
    return HttpResponseRedirect(reverse("admin:production_production_change", args=[production.pk]))
