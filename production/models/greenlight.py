"""The greenlight scorecard of a production, as the worker last computed it."""

from __future__ import annotations

from django.db import models

from production.models.productions import Production


class GreenlightRecommendation(models.TextChoices):
    GREENLIGHT = "greenlight", "Greenlight"
    DEVELOP = "develop", "Develop further"
    PASS = "pass", "Pass"


class GreenlightScorecard(models.Model):
    """The data-driven greenlight decision: written only by `production.tasks`.

    `figures` holds every section's figures with the formula and the inputs behind each
    (see `production.greenlight.figures.Scorecard`); `inputs_fingerprint` is the sha256 of
    the inputs it was computed from, so that a refresh with the same inputs writes nothing.
    """

    production = models.OneToOneField(
        Production, on_delete=models.CASCADE, related_name="greenlight_scorecard"
    )
    recommendation = models.CharField(max_length=12, choices=GreenlightRecommendation.choices)
    score = models.FloatField(null=True, blank=True, help_text="0-100; empty with no data")
    reasons = models.JSONField(default=list, help_text="The findings and the verdict, in words")
    figures = models.JSONField(help_text="Every section's figures and their inputs")
    inputs_fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="greenlight_score_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.production_id}: {self.get_recommendation_display()}"
