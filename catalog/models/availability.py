"""Artwork of titles, and where and when they can be watched."""

from __future__ import annotations

from datetime import datetime

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from catalog.models.titles import Title
from catalog.regions import validate_country_code


class ArtworkKind(models.TextChoices):
    POSTER = "poster", "Poster"
    BACKDROP = "backdrop", "Backdrop"
    LOGO = "logo", "Logo"


class Artwork(models.Model):
    title = models.ForeignKey(
        Title,
        on_delete=models.CASCADE,
        related_name="artwork",
        db_index=False,  # artwork_title_kind_idx leads with title
    )
    kind = models.CharField(max_length=8, choices=ArtworkKind.choices)
    url = models.URLField(max_length=500)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    language = models.CharField(
        max_length=8, blank=True, help_text="Language of any text on the image; blank if none"
    )

    class Meta:
        ordering = ["title_id", "kind", "-width", "id"]
        indexes = [models.Index(fields=["title", "kind"], name="artwork_title_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(width__gt=0, height__gt=0), name="artwork_size_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.width}x{self.height}"


class AvailabilityQuerySet(models.QuerySet["Availability"]):
    def open_at(self, moment: datetime) -> AvailabilityQuerySet:
        """Windows that have started by `moment` and not yet ended."""
        return self.filter(
            Q(window_start__lte=moment), Q(window_end__isnull=True) | Q(window_end__gt=moment)
        )


class Availability(models.Model):
    """A window in which a title may be watched in one region (ISO 3166-1 alpha-2).

    An open end (`window_end` null) means until further notice. Seasons and
    episodes are available where and when their series is.
    """

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="availabilities")
    region = models.CharField(max_length=2, validators=[validate_country_code])
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(null=True, blank=True)

    objects = AvailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["title_id", "region", "window_start"]
        verbose_name_plural = "availabilities"
        indexes = [
            models.Index(fields=["region", "window_start", "title"], name="availability_region_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__isnull=True) | Q(window_end__gt=F("window_start")),
                name="availability_window_ends_after_start",
                violation_error_message="An availability window must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(region__regex=r"^[A-Z]{2}$"),
                name="availability_region_is_country_code",
                violation_error_message=(
                    "The region must be an ISO 3166-1 alpha-2 code such as 'US'."
                ),
            ),
            ExclusionConstraint(
                name="availability_windows_do_not_overlap",
                expressions=[
                    ("title", RangeOperators.EQUAL),
                    ("region", RangeOperators.EQUAL),
                    (
                        # A NULL upper bound makes the range open-ended.
                        Func(
                            F("window_start"),
                            F("window_end"),
                            function="TSTZRANGE",
                            output_field=DateTimeRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message=(
                    "This window overlaps another window of the title in the region."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} from {self.window_start:%Y-%m-%d}"

    def is_open_at(self, moment: datetime) -> bool:
        """The rule of `AvailabilityQuerySet.open_at`, for a window already loaded."""
        return self.window_start <= moment and (self.window_end is None or self.window_end > moment)
