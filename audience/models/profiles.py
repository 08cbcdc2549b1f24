"""Who watches: accounts' viewer profiles, their ratings, their My List and their taste picks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalog.models import Title
from catalog.regions import validate_country_code


class AgeBand(models.TextChoices):
    TEEN = "13-17", "13-17"
    YOUNG_ADULT = "18-24", "18-24"
    ADULT = "25-34", "25-34"
    MIDDLE = "35-44", "35-44"
    MATURE = "45-54", "45-54"
    SENIOR = "55+", "55+"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"


class ProfileSource(models.TextChoices):
    MOVIELENS = "movielens", "MovieLens"
    GENERATED = "generated", "Generated"


class Profile(models.Model):
    """A viewer profile of an account: what it may watch and which segment it falls in.

    `maturity_level` compares with `MaturityRating.level`: a profile may watch titles whose
    certificate admits viewers of that age. Imported profiles keep their source's id.
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profiles"
    )
    name = models.CharField(max_length=100)
    region = models.CharField(
        max_length=2,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 country code",
    )
    language = models.CharField(max_length=8, default="en", help_text="BCP 47 code, e.g. 'en'")
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    maturity_level = models.PositiveSmallIntegerField(
        default=18, help_text="Oldest certificate level allowed: 0 = all ages ... 18 = adults"
    )
    source = models.CharField(max_length=16, choices=ProfileSource.choices, blank=True)
    source_id = models.CharField(max_length=64, blank=True, help_text="The id in the source")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source=""),
                name="profile_unique_source_id",
            ),
            models.CheckConstraint(
                condition=Q(region__regex=r"^[A-Z]{2}$"), name="profile_region_is_a_country_code"
            ),
            models.CheckConstraint(
                condition=Q(maturity_level__lte=18), name="profile_maturity_level_at_most_18"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"


class RatingValue(models.IntegerChoices):
    THUMBS_DOWN = -1, "Thumbs down"
    THUMBS_UP = 1, "Thumbs up"
    LOVE = 2, "Love"


class Rating(models.Model):
    """A profile's verdict on a title; rating again replaces it."""

    # The unique (profile, title) index serves lookups by profile.
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="ratings", db_index=False
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="ratings")
    value = models.SmallIntegerField(choices=RatingValue.choices)
    rated_at = models.DateTimeField()

    class Meta:
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="rating_one_per_title"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} {self.get_value_display()} {self.title}"


class MyListEntry(models.Model):
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="my_list", db_index=False
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name = "My List entry"
        verbose_name_plural = "My List entries"
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="my_list_once_per_title"),
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.title}"


class TastePick(models.Model):
    """A movie or series a new profile chose as to its taste: history for the recommender,
    as if it had watched the title when it chose it."""

    # The unique (profile, title) index serves lookups by profile.
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="taste_picks", db_index=False
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="+")
    picked_at = models.DateTimeField()

    class Meta:
        ordering = ["-picked_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "title"], name="taste_pick_once_per_title"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} picked {self.title}"
