"""Personalization: the trained recommender, its runs, and what the workers computed.

Only the workers write these tables (`audience.tasks`). Recommendation and SimilarTitle
are replaced wholesale per profile and per title, so their foreign keys to catalog titles
carry no database constraint (as with the aggregates); deleting a title through Django
still deletes its rows.
"""

from __future__ import annotations

from django.db import models

from audience.models.profiles import Profile
from catalog.models import Title


class RecommenderModel(models.Model):
    """A trained model: item-to-item weights learnt from viewing, shared by every worker.

    `weights` holds the item vocabulary and the pruned weight matrix (NumPy's npz
    format, see `audience.personalization.model`), so that a worker on any machine scores with the
    model the run trained. The primary key is the model version shown with each
    recommendation.
    """

    method = models.CharField(max_length=32)
    parameters = models.JSONField(default=dict)
    trained_at = models.DateTimeField()
    training_seconds = models.FloatField()
    profiles = models.PositiveIntegerField(help_text="Profiles with history it learnt from")
    items = models.PositiveIntegerField(help_text="Movies and series it can recommend")
    interactions = models.PositiveBigIntegerField(help_text="(profile, title) pairs")
    weights = models.BinaryField(help_text="Empty once RECOMMENDER_MODELS_KEPT newer models exist")

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"{self.method} v{self.pk} ({self.trained_at:%Y-%m-%d %H:%M})"


class RecommendationDue(models.Model):
    """A profile whose recommendations new viewing has made stale, and from when to refresh
    them: the debounce of on-demand refreshes, kept in the database so that no delayed
    message waits in a worker (one that did was lost, and took its worker down, when Redis
    restarted). Ingest adds a row if there is none; the sweep deletes the rows that are due
    and refreshes their profiles. A table of its own, so that ingest never waits for the
    locks a refresh holds on profile rows."""

    profile = models.OneToOneField(
        Profile, on_delete=models.CASCADE, primary_key=True, related_name="recommendations_due"
    )
    due_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"profile {self.profile_id} due at {self.due_at:%Y-%m-%d %H:%M:%S}"


class RecommendationRun(models.Model):
    """One full refresh: the model it scores with and its profile chunks."""

    model = models.ForeignKey(RecommenderModel, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"run {self.pk} with model v{self.model_id}"


class RecommendationChunk(models.Model):
    """A range of profile ids that one task of a run scores; done once, by one worker."""

    run = models.ForeignKey(RecommendationRun, on_delete=models.CASCADE, related_name="chunks")
    first_profile_id = models.BigIntegerField()
    last_profile_id = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    profiles = models.PositiveIntegerField(default=0, help_text="Profiles it scored")

    class Meta:
        ordering = ["run", "first_profile_id"]

    def __str__(self) -> str:
        return f"profiles {self.first_profile_id}..{self.last_profile_id}"


class ReasonKind(models.TextChoices):
    BECAUSE_YOU_WATCHED = "because_you_watched", "Because you watched"
    BECAUSE_YOU_CHOSE = "because_you_chose", "Because you chose"
    POPULAR_IN_YOUR_COUNTRY = "popular_in_your_country", "Popular in your country"
    TRENDING_NOW = "trending_now", "Trending now"
    NEW_LIKE_WATCHED = "new_like_watched", "New, like a title you watched"


class Recommendation(models.Model):
    """A movie or series recommended to a profile, ranked, with the reason for it."""

    profile = models.ForeignKey(
        Profile,
        on_delete=models.CASCADE,
        related_name="recommendations",
        db_index=False,  # the unique (profile, rank) index serves lookups by profile
        db_constraint=False,
    )
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    rank = models.PositiveSmallIntegerField(help_text="1 = the best")
    score = models.FloatField(
        help_text="The model's score, or the title's share of the segment's viewing"
    )
    reason = models.CharField(max_length=32, choices=ReasonKind.choices)
    because_you_watched = models.ForeignKey(
        Title,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="The watched title that contributed most, for 'Because you watched'",
    )
    link = models.CharField(
        max_length=32,
        blank=True,
        help_text="For a new title: what it shares with that title, e.g. 'director:1', 'cast:3'",
    )
    model = models.ForeignKey(
        RecommenderModel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="Empty for a profile scored by popularity alone",
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["profile", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "rank"], name="recommendation_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} #{self.rank}: {self.title_id}"


class SimilarTitle(models.Model):
    """A movie or series that the viewers of `title` also watch, ranked by cosine."""

    title = models.ForeignKey(
        Title,
        on_delete=models.CASCADE,
        related_name="similar_titles",
        db_index=False,  # the unique (title, rank) index serves lookups by title
        db_constraint=False,
    )
    similar = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField(
        help_text="Cosine similarity of their viewers (0-1), or its prediction from their "
        "metadata where one of them has too little viewing"
    )
    link = models.CharField(
        max_length=32,
        blank=True,
        help_text="Predicted from metadata: what they share, e.g. 'director:1', 'cast:3'",
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["title", "rank"], name="similar_title_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.title_id} ~ {self.similar_id} ({self.score:.2f})"


class NewTitleRecommendation(models.Model):
    """A title new on the service, ranked for a profile by the model: the home screen's
    "New on the service" row. Written with the profile's recommendations."""

    profile = models.ForeignKey(
        Profile,
        on_delete=models.CASCADE,
        related_name="new_title_recommendations",
        db_index=False,  # the unique (profile, rank) index serves lookups by profile
        db_constraint=False,
    )
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    rank = models.PositiveSmallIntegerField(help_text="1 = the best")
    score = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["profile", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "rank"], name="new_title_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} new #{self.rank}: {self.title_id}"
