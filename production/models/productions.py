"""A production: the catalog title it makes, its stage, and the stage's history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalog.models import Title
from catalog.regions import validate_country_code


class Stage(models.TextChoices):
    """The stages in the order a production goes through them; CANCELLED ends it anywhere."""

    DEVELOPMENT = "development", "Development"
    CASTING = "casting", "Casting"
    LOCATION_SCOUTING = "location_scouting", "Location scouting"
    SHOOTING = "shooting", "Shooting"
    POST_PRODUCTION = "post_production", "Post-production"
    MARKETING = "marketing", "Marketing"
    RELEASED = "released", "Released"
    CANCELLED = "cancelled", "Cancelled"


# The stages a production moves forward and back through, in order.
STAGE_ORDER: tuple[Stage, ...] = (
    Stage.DEVELOPMENT,
    Stage.CASTING,
    Stage.LOCATION_SCOUTING,
    Stage.SHOOTING,
    Stage.POST_PRODUCTION,
    Stage.MARKETING,
    Stage.RELEASED,
)

# The stages after which a production takes no more work and never moves again.
ENDED_STAGES: tuple[Stage, ...] = (Stage.RELEASED, Stage.CANCELLED)


# The most a production may plan or spend in all, and so in any one line: above every film
# ever made, and within GraphQL's Int, so that every amount and sum the API shows is exact.
MAX_BUDGET_USD = 2_000_000_000


def within_budget_range(field: str, *, name: str) -> models.CheckConstraint:
    """A check that the amount `field` (or empty) is between 0 and MAX_BUDGET_USD."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0, f"{field}__lte": MAX_BUDGET_USD})
        | Q(**{f"{field}__isnull": True}),
        name=name,
        violation_error_message=(
            f"An amount of money is between $0 and ${MAX_BUDGET_USD:,} for a production."
        ),
    )


class Production(models.Model):
    """The making of one catalog title, from script to release.

    `stage` changes only through `production.stages` (its guards and history);
    `version` counts the changes, so that two staff moving it at once are told apart.
    """

    title = models.OneToOneField(Title, on_delete=models.PROTECT, related_name="production")
    logline = models.TextField(blank=True)
    stage = models.CharField(max_length=24, choices=Stage.choices, default=Stage.DEVELOPMENT)
    budget_usd = models.BigIntegerField(null=True, blank=True, help_text="Staff only")
    version = models.PositiveIntegerField(default=0, help_text="Stage changes so far")
    is_demo = models.BooleanField(default=False, help_text="Sample data of the demo")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "id"]
        constraints = [within_budget_range("budget_usd", name="production_budget_in_range")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_stage_display()})"


class TargetSegment(models.Model):
    """An audience segment the production is made for (region and age band; blank: any)."""

    production = models.ForeignKey(
        Production, on_delete=models.CASCADE, related_name="target_segments"
    )
    region = models.CharField(
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text="Blank: every region",
    )
    age_band = models.CharField(
        max_length=8, blank=True, help_text="An audience age band such as 25-34; blank: any"
    )

    class Meta:
        ordering = ["production", "region", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["production", "region", "age_band"], name="target_segment_unique"
            ),
            models.CheckConstraint(
                condition=Q(region="") | Q(region__regex=r"^[A-Z]{2}$"),
                name="target_segment_region_is_a_country_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or 'any region'} / {self.age_band or 'any age'}"


class StageTransition(models.Model):
    """One move of a production's stage: from, to, who, when and why."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=24, choices=Stage.choices)
    to_stage = models.CharField(max_length=24, choices=Stage.choices)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["production", "moved_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"
