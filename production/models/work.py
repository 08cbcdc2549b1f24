"""The work of each stage: scripts, casting, locations, shoot days, post tasks, budget,
marketing and the release."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q

from catalog.models import Person
from production.models.productions import Production, within_budget_range

# The days a production's work may fall on: a BC date or year 9999 is a typing error, and
# one such row made the production page and the whole staff list answer INTERNAL.
FIRST_WORK_DAY = datetime.date(1900, 1, 1)
LAST_WORK_DAY = datetime.date(2199, 12, 31)


def within_working_years(field: str, *, name: str, moment: bool = False) -> models.CheckConstraint:
    """A check that `field` (a date, or with `moment` a date and time; or empty) falls in
    the working years."""
    first: datetime.date = FIRST_WORK_DAY
    after_last: datetime.date = LAST_WORK_DAY + datetime.timedelta(days=1)
    if moment:  # midnight UTC; a moment's own offset cannot carry it past a day
        first = datetime.datetime.combine(FIRST_WORK_DAY, datetime.time(), datetime.UTC)
        after_last = datetime.datetime.combine(after_last, datetime.time(), datetime.UTC)
    inside = Q(**{f"{field}__gte": first, f"{field}__lt": after_last}) | Q(
        **{f"{field}__isnull": True}
    )
    return models.CheckConstraint(
        condition=inside,
        name=name,
        violation_error_message=(
            f"A date must fall between {FIRST_WORK_DAY:%Y-%m-%d} and {LAST_WORK_DAY:%Y-%m-%d}."
        ),
    )


class ScriptDraft(models.Model):
    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="drafts")
    number = models.PositiveIntegerField()
    revision_label = models.CharField(max_length=40, blank=True, help_text="e.g. 'Blue revision'")
    authors = models.ManyToManyField(Person, related_name="script_drafts", blank=True)
    submitted_on = models.DateField()
    approved_on = models.DateField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["production", "number"]
        constraints = [
            models.UniqueConstraint(fields=["production", "number"], name="script_draft_number"),
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True) | Q(approved_on__gte=F("submitted_on")),
                name="script_draft_approved_after_submitted",
                violation_error_message="A draft is approved on or after the day it was submitted.",
            ),
            within_working_years("submitted_on", name="script_draft_submitted_in_range"),
            within_working_years("approved_on", name="script_draft_approved_in_range"),
        ]

    def __str__(self) -> str:
        return f"Draft {self.number} {self.revision_label}".strip()


class CastingRole(models.Model):
    """A character to cast; `cast_person` is the decision, which becomes a catalog credit."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="roles")
    character = models.CharField(max_length=200)
    is_lead = models.BooleanField(default=False)
    cast_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["production", "-is_lead", "character"]
        constraints = [
            models.UniqueConstraint(fields=["production", "character"], name="casting_role_once")
        ]

    def __str__(self) -> str:
        return self.character


class AuditionOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    CALLBACK = "callback", "Callback"
    REJECTED = "rejected", "Rejected"
    OFFERED = "offered", "Offered"


class Audition(models.Model):
    role = models.ForeignKey(CastingRole, on_delete=models.CASCADE, related_name="auditions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="auditions")
    scheduled_at = models.DateTimeField()
    notes = models.TextField(blank=True)
    outcome = models.CharField(
        max_length=12, choices=AuditionOutcome.choices, default=AuditionOutcome.PENDING
    )

    class Meta:
        ordering = ["role", "scheduled_at", "id"]
        constraints = [
            within_working_years("scheduled_at", name="audition_scheduled_in_range", moment=True)
        ]

    def __str__(self) -> str:
        return f"{self.person} for {self.role}"


class LocationKind(models.TextChoices):
    ON_LOCATION = "on_location", "On location"
    STAGE = "stage", "Stage"
    SET_BUILD = "set_build", "Set build"


class LocationStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Location(models.Model):
    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=LocationKind.choices)
    address = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    daily_cost_usd = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=12, choices=LocationStatus.choices, default=LocationStatus.CANDIDATE
    )

    class Meta:
        ordering = ["production", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
                violation_error_message="A latitude lies between -90 and 90 degrees.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
                violation_error_message="A longitude lies between -180 and 180 degrees.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScoutingVisit(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["location", "visited_on"]
        constraints = [within_working_years("visited_on", name="scouting_visit_in_range")]

    def __str__(self) -> str:
        return f"{self.location} on {self.visited_on}"


class ShootDayStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    WRAPPED = "wrapped", "Wrapped"
    CANCELLED = "cancelled", "Cancelled"


class ShootDay(models.Model):
    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="shoot_days")
    date = models.DateField()
    location = models.ForeignKey(Location, on_delete=models.RESTRICT, related_name="shoot_days")
    call_time = models.TimeField()
    wrap_time = models.TimeField(null=True, blank=True, help_text="Set when the day wraps")
    scenes = models.CharField(max_length=200, blank=True, help_text="e.g. '12, 14A, 15'")
    status = models.CharField(
        max_length=12, choices=ShootDayStatus.choices, default=ShootDayStatus.SCHEDULED
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["production", "date", "call_time"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="wrapped") | Q(wrap_time__isnull=False),
                name="shoot_day_wrapped_has_wrap_time",
                violation_error_message="A wrapped shoot day needs its wrap time.",
            ),
            within_working_years("date", name="shoot_day_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.date} at {self.location}"


class PostTaskKind(models.TextChoices):
    EDIT = "edit", "Edit"
    SOUND = "sound", "Sound"
    MUSIC = "music", "Music"
    COLOUR = "colour", "Colour"
    VFX = "vfx", "VFX"


class PostTaskStatus(models.TextChoices):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class PostTask(models.Model):
    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="post_tasks")
    kind = models.CharField(max_length=8, choices=PostTaskKind.choices)
    assignee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=PostTaskStatus.choices, default=PostTaskStatus.TODO
    )

    class Meta:
        ordering = ["production", "due_on", "id"]
        constraints = [within_working_years("due_on", name="post_task_due_in_range")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class BudgetLine(models.Model):
    """Planned and actual spend of one category; staff only."""

    production = models.ForeignKey(
        Production, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(max_length=60)
    planned_usd = models.BigIntegerField()
    actual_usd = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["production", "category"]
        constraints = [
            models.UniqueConstraint(fields=["production", "category"], name="budget_line_once"),
            models.CheckConstraint(
                condition=Q(planned_usd__gte=0, actual_usd__gte=0),
                name="budget_line_not_negative",
                violation_error_message="An amount of money cannot be negative.",
            ),
            within_budget_range("planned_usd", name="budget_line_planned_in_range"),
            within_budget_range("actual_usd", name="budget_line_actual_in_range"),
        ]

    def __str__(self) -> str:
        return self.category


class MilestoneKind(models.TextChoices):
    TRAILER = "trailer", "Trailer"
    KEY_ART = "key_art", "Key art"
    PREMIERE = "premiere", "Premiere"


class MarketingMilestone(models.Model):
    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=12, choices=MilestoneKind.choices)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["production", "due_on"]
        constraints = [
            within_working_years("due_on", name="milestone_due_in_range"),
            within_working_years("done_on", name="milestone_done_in_range"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Release(models.Model):
    """When and where the title comes out; releasing opens its availability there."""

    production = models.OneToOneField(Production, on_delete=models.CASCADE, related_name="release")
    release_on = models.DateField(null=True, blank=True)
    regions = models.JSONField(default=list, help_text="ISO 3166-1 alpha-2 codes")

    class Meta:
        constraints = [within_working_years("release_on", name="release_on_in_range")]

    def __str__(self) -> str:
        return f"{self.release_on} in {', '.join(self.regions)}"
