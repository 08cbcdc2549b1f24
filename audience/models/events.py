"""What was watched: the viewing events, the big table of the service."""

from __future__ import annotations

from django.contrib.postgres.indexes import BrinIndex
from django.db import models

from audience.models.profiles import AgeBand, Gender, Profile
from catalog.models import Title


class Device(models.IntegerChoices):
    TV = 1, "TV"
    WEB = 2, "Web browser"
    MOBILE = 3, "Mobile"
    TABLET = 4, "Tablet"
    CONSOLE = 5, "Game console"


class ViewingEvent(models.Model):
    """One play of a movie or an episode by a profile.

    Rows are narrow and append-only. The viewer's region, age band and gender are copied
    from the profile when the event is recorded: the aggregates count an event in the
    segment the viewer was in when they watched, so a rebuild from scratch gives the same
    tables as the incremental refreshes even after a profile changes.

    Deduplication is by (profile, client event id): a client that resends a batch, or two
    requests racing with the same batch, store each event once.

    Not partitioned: the aggregations read new rows by id and old rows by (title, time),
    both served by indexes, so their cost does not follow the table's size; partitions by
    month would pay off for dropping old months, which the product does not do yet.
    """

    id = models.BigAutoField(primary_key=True)
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="viewing_events", db_index=False
    )
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="viewing_events", db_index=False
    )
    started_at = models.DateTimeField()
    seconds_watched = models.PositiveIntegerField()
    completed = models.BooleanField(default=False)
    device = models.PositiveSmallIntegerField(choices=Device.choices)
    client_event_id = models.UUIDField()
    region = models.CharField(max_length=2)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "client_event_id"], name="viewing_event_once_per_client_id"
            ),
        ]
        indexes = [
            # The aggregation recomputes the days it touches, per title.
            models.Index(fields=["title", "started_at"], name="viewing_event_title_time_idx"),
            # Continue Watching and a profile's history, latest first. With the title in
            # the index, the recommenders read histories without visiting the table.
            models.Index(
                fields=["profile", "-started_at"],
                include=["title"],
                name="viewing_event_history_idx",
            ),
            BrinIndex(fields=["started_at"], name="viewing_event_time_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} watched {self.title_id} at {self.started_at:%Y-%m-%d %H:%M}"
