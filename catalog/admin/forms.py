"""Admin forms that turn the catalog's database rules into form errors instead of 500s.

Django validates most of the models' constraints itself (`full_clean` runs the check and
unique constraints). What it cannot see is checked here:
- the composite foreign key (parent_id, parent_kind) -> (id, kind): `parent_kind` is not on the
  form, so Django skips the check constraint that reads it;
- constraints that involve the inline's own foreign key (`title`): an inline form excludes it
  from validation, so Django never checks the availability exclusion constraint there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Model
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet

from catalog.models import PARENT_KIND, Artwork, Availability, Title, TitleKind


def _kind_label(kind: str) -> str:
    return str(TitleKind(kind).label).lower()


class TitleAdminForm(forms.ModelForm):
    """The title form, with the rules of the parent hierarchy spelled out per field.

    It has no Meta: `TitleAdmin` builds the form's model and fields from its fieldsets.
    """

    # The bounds of the `title_year_plausible` and `title_runtime_positive` check constraints,
    # stated on the fields so that staff get a message naming the field.
    year = forms.IntegerField(required=False, min_value=1870, max_value=2100)
    runtime_minutes = forms.IntegerField(required=False, min_value=1, label="Runtime (minutes)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "sort_name" in self.fields:
            self.fields["sort_name"].required = False
            self.fields["sort_name"].help_text = (
                "The name as it sorts: 'Godfather, The' for 'The Godfather'. "
                "Leave blank to derive it from the name."
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        kind = cleaned_data.get("kind")
        if kind:
            self._check_kind_change(kind)
            self._check_parent(kind, cleaned_data.get("parent"), cleaned_data.get("number"))
        return cleaned_data

    def _check_kind_change(self, kind: str) -> None:
        # The composite foreign key cascades a new kind onto the children, whose check
        # constraint then fails: a parent keeps its kind while it has children.
        instance = self.instance
        if instance.pk and kind != instance.kind and instance.children.exists():
            children = "seasons" if instance.kind == TitleKind.SERIES else "episodes"
            self.add_error(
                "kind",
                f"This {_kind_label(instance.kind)} has {children}; move or delete them "
                "before changing its kind.",
            )

    def _check_parent(self, kind: str, parent: Title | None, number: int | None) -> None:
        """The rule of the `title_parent_kind_fk` foreign key and the parent check constraint."""
        if "parent" in self.errors:
            return
        label = _kind_label(kind)
        parent_kind = PARENT_KIND.get(TitleKind(kind))
        if parent_kind is None:
            if parent is not None:
                self.add_error("parent", f"A {label} has no parent; clear the parent.")
            return
        parent_label = _kind_label(parent_kind)
        if parent is None:
            self.add_error("parent", f"A {label} belongs to a {parent_label}: choose one.")
        elif self.instance.pk is not None and parent.pk == self.instance.pk:
            self.add_error("parent", "A title cannot be its own parent.")
        elif parent.kind != parent_kind:
            self.add_error(
                "parent",
                f"The parent of a {label} must be a {parent_label}, "
                f"but “{parent}” is a {_kind_label(parent.kind)}.",
            )
        if "number" in self.errors:
            return
        if number is None:
            self.add_error("number", f"A {label} needs its number within its {parent_label}.")
        elif parent is not None and not self.has_error("parent"):
            siblings = Title.objects.filter(parent=parent, number=number)
            if self.instance.pk is not None:
                siblings = siblings.exclude(pk=self.instance.pk)
            if siblings.exists():
                self.add_error("number", f"“{parent}” already has a {label} number {number}.")


class AvailabilityInlineForm(forms.ModelForm):
    class Meta:
        model = Availability
        fields = ["region", "window_start", "window_end"]

    def clean_region(self) -> str:
        return str(self.cleaned_data["region"]).strip().upper()


OVERLAP_CONSTRAINT = "availability_windows_do_not_overlap"


def _constraint_message(model: type[Model], name: str) -> str:
    """The model's own wording of a constraint, so that form and database say the same."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.get_violation_error_message())


def _windows_overlap(
    start: datetime, end: datetime | None, other_start: datetime, other_end: datetime | None
) -> bool:
    """Whether two half-open windows [start, end) overlap; an open end never ends."""
    return (other_end is None or start < other_end) and (end is None or other_start < end)


class AvailabilityInlineFormSet(BaseInlineFormSet):
    """Checks the `availability_windows_do_not_overlap` exclusion constraint across the inline.

    The inline holds every window of the title, so comparing its forms with each other covers
    what the database will see once they are saved.
    """

    def clean(self) -> None:
        super().clean()
        windows: list[tuple[forms.BaseForm, str, datetime, datetime | None]] = []
        for form in self.forms:
            if form.errors or (not form.has_changed() and form.instance.pk is None):
                continue
            if self.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME):
                continue
            region = form.cleaned_data.get("region")
            start = form.cleaned_data.get("window_start")
            if not region or start is None:
                continue
            end = form.cleaned_data.get("window_end")
            for _other, other_region, other_start, other_end in windows:
                if region == other_region and _windows_overlap(start, end, other_start, other_end):
                    form.add_error(None, _constraint_message(Availability, OVERLAP_CONSTRAINT))
                    break
            else:
                windows.append((form, region, start, end))

    def save_existing_objects(self, commit: bool = True) -> list[Availability]:
        # The database checks the exclusion constraint row by row, so a window may take over
        # the time of a window deleted in the same save only once that one is gone: delete first.
        deleted: list[Availability] = []
        if commit:
            for form in self.deleted_forms:
                if form.instance.pk is not None:
                    self.delete_existing(form.instance, commit=True)
                    deleted.append(form.instance)
        saved = super().save_existing_objects(commit)
        self.deleted_objects = [*deleted, *self.deleted_objects]
        return saved


class ArtworkInlineForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    # The `artwork_size_positive` check constraint, stated per field.
    width = forms.IntegerField(min_value=1)
    height = forms.IntegerField(min_value=1)

    class Meta:
        model = Artwork
        fields = ["kind", "url", "width", "height", "language"]
