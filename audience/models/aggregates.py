"""What the workers compute from the viewing events. Nothing else writes these tables."""

from __future__ import annotations

from django.db import models

from audience.models.profiles import AgeBand, Gender
from catalog.models import Genre, Title

# The region code under which the worldwide figures are stored.
GLOBAL_REGION = ""

# The workers rewrite these tables wholesale, so their foreign keys have no constraint in
# the database (db_constraint=False): a foreign-key trigger per written row would cost
# more than the aggregation itself. Deleting a title through Django still deletes its rows
# (the ORM cascades), and the nightly rebuild drops any that a raw delete leaves behind.


class DailyTitleStats(models.Model):
    """Per title, day (UTC), region and viewer segment: plays, seconds, completions, viewers.

    A viewer counts once per row; summing `viewers` over segments gives the title's unique
    viewers in a region on a day, since a viewer is in one segment at a time.
    """

    title = models.ForeignKey(
        Title, related_name="+", db_index=False, on_delete=models.CASCADE, db_constraint=False
    )
    day = models.DateField()
    region = models.CharField(max_length=2)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    plays = models.PositiveIntegerField()
    seconds_viewed = models.BigIntegerField()
    completions = models.PositiveIntegerField()
    viewers = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "daily title stats"
        constraints = [
            models.UniqueConstraint(
                fields=["title", "day", "region", "age_band", "gender"],
                name="daily_title_stats_unique_key",
            )
        ]
        indexes = [models.Index(fields=["day"], name="daily_title_stats_day_idx")]

    def __str__(self) -> str:
        return f"{self.title_id} {self.day} {self.region}"


class GenreSegmentHours(models.Model):
    """Seconds watched per genre by one viewer segment (age band x gender x region)."""

    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    region = models.CharField(max_length=2)
    genre = models.ForeignKey(
        Genre, related_name="+", on_delete=models.CASCADE, db_constraint=False
    )
    seconds_viewed = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "genre segment hours"
        constraints = [
            models.UniqueConstraint(
                fields=["age_band", "gender", "region", "genre"],
                name="genre_segment_hours_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.age_band}/{self.gender or '-'}/{self.region} {self.genre_id}"


class Top10Category(models.TextChoices):
    FILMS = "films", "Films"
    TV = "tv", "TV"


class Top10Entry(models.Model):
    """One line of a weekly Top 10 (Monday to Sunday, UTC), per region or worldwide.

    Films are ranked as movies; TV as seasons, each season on its own. views = hours
    viewed / runtime in hours; ties break by hours viewed, then by title id.
    """

    week_start = models.DateField(help_text="The Monday the week starts on")
    region = models.CharField(max_length=2, blank=True, help_text="Blank: worldwide")
    category = models.CharField(max_length=8, choices=Top10Category.choices)
    rank = models.PositiveSmallIntegerField()
    title = models.ForeignKey(
        Title,
        related_name="top10_entries",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # top10_title_week_idx serves lookups by title
    )
    views = models.FloatField()
    seconds_viewed = models.BigIntegerField()
    runtime_minutes = models.PositiveIntegerField()
    weeks_in_top10 = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-week_start", "region", "category", "rank"]
        verbose_name = "Top 10 entry"
        verbose_name_plural = "Top 10 entries"
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "region", "category", "rank"], name="top10_unique_rank"
            ),
            models.UniqueConstraint(
                fields=["week_start", "region", "category", "title"], name="top10_unique_title"
            ),
        ]
        indexes = [models.Index(fields=["title", "week_start"], name="top10_title_week_idx")]

    def __str__(self) -> str:
        return f"{self.week_start} {self.region or 'global'} {self.category} #{self.rank}"


class TrendingEntry(models.Model):
    """A title trending in a region: hours viewed per day, weighted by exponential decay."""

    region = models.CharField(max_length=2, blank=True, help_text="Blank: worldwide")
    rank = models.PositiveSmallIntegerField()
    title = models.ForeignKey(
        Title, related_name="+", on_delete=models.CASCADE, db_constraint=False
    )
    score = models.FloatField(help_text="Decayed hours viewed")
    as_of = models.DateField(help_text="The day the decay is measured from")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["region", "rank"]
        verbose_name_plural = "trending entries"
        constraints = [
            models.UniqueConstraint(fields=["region", "rank"], name="trending_unique_rank"),
            models.UniqueConstraint(fields=["region", "title"], name="trending_unique_title"),
        ]

    def __str__(self) -> str:
        return f"{self.region or 'global'} #{self.rank}"


class TitlePopularity(models.Model):
    """A title's views and hours over the trailing window, and its rank among its kind.

    Episodes count towards their season and series as well as themselves.
    """

    title = models.ForeignKey(
        Title,
        related_name="popularity",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # the unique (title, region) index serves lookups by title
    )
    region = models.CharField(max_length=2, blank=True, help_text="Blank: worldwide")
    views = models.FloatField()
    seconds_viewed = models.BigIntegerField()
    rank = models.PositiveIntegerField(help_text="Among titles of the same kind in the region")
    window_start = models.DateField()
    window_end = models.DateField()

    class Meta:
        verbose_name_plural = "title popularity"
        constraints = [
            models.UniqueConstraint(fields=["title", "region"], name="title_popularity_unique"),
        ]
        indexes = [
            models.Index(fields=["region", "-views", "title"], name="title_popularity_rank_idx")
        ]

    def __str__(self) -> str:
        return f"{self.title_id} {self.region or 'global'} #{self.rank}"


class AggregationWatermark(models.Model):
    """How far the popularity refresh has folded in the viewing events (by event id)."""

    name = models.CharField(max_length=32, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # Every refresh that took the lock, new events or none (and every save of the
    # watermark): the workers' heartbeat, which /healthz/workers reads.
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at event {self.last_event_id}"
