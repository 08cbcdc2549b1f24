"""Titles and what describes them: genres, keywords, maturity ratings, external ids."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from catalog.naming import sort_name_for


class Genre(models.Model):
    """One genre of the shared vocabulary that every importer maps onto."""

    name = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Keyword(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MaturityRating(models.Model):
    """A certificate of a rating system (MPAA `PG-13`, US TV `TV-MA`, ...).

    `level` orders certificates across systems by the youngest audience they admit,
    so that a viewer profile's maturity level can be compared with any of them.
    """

    system = models.CharField(max_length=16)
    code = models.CharField(max_length=16)
    level = models.PositiveSmallIntegerField(help_text="0 = all ages ... 18 = adults only")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["system", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="maturity_rating_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.system} {self.code}"


class TitleKind(models.TextChoices):
    MOVIE = "movie", "Movie"
    SERIES = "series", "Series"
    SEASON = "season", "Season"
    EPISODE = "episode", "Episode"


class TitleStatus(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    IN_PRODUCTION = "in_production", "In production"
    RELEASED = "released", "Released"


# The kind a title's parent must have; kinds missing here have no parent.
PARENT_KIND = {TitleKind.SEASON: TitleKind.SERIES, TitleKind.EPISODE: TitleKind.SEASON}


class Title(models.Model):
    """A movie, a series, one of its seasons or one of their episodes.

    `parent_kind` copies the parent's kind so that the database itself can check,
    through a composite foreign key on (parent_id, parent_kind), that a season
    hangs under a series and an episode under a season.
    """

    kind = models.CharField(max_length=8, choices=TitleKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        db_index=False,  # title_parent_number_idx serves lookups by parent
    )
    # NULL (not "") for "no parent": the composite foreign key skips rows with a NULL.
    parent_kind = models.CharField(  # noqa: DJ001
        max_length=8, choices=TitleKind.choices, null=True, blank=True, editable=False
    )
    number = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Season number within its series, episode number within its season",
    )
    name = models.CharField(max_length=300)
    sort_name = models.CharField(
        max_length=300, help_text="The name as it sorts: 'Godfather, The' for 'The Godfather'"
    )
    original_name = models.CharField(max_length=300, blank=True)
    synopsis = models.TextField(blank=True)
    release_date = models.DateField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    runtime_minutes = models.PositiveIntegerField(null=True, blank=True)
    original_language = models.CharField(
        max_length=8, blank=True, help_text="BCP 47 code of the original language, e.g. 'en'"
    )
    maturity_rating = models.ForeignKey(
        MaturityRating, null=True, blank=True, on_delete=models.PROTECT, related_name="titles"
    )
    genres = models.ManyToManyField(Genre, blank=True, related_name="titles")
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="titles")
    is_original = models.BooleanField(default=False, help_text="Produced by the studio")
    status = models.CharField(
        max_length=16, choices=TitleStatus.choices, default=TitleStatus.RELEASED
    )
    budget_usd = models.BigIntegerField(null=True, blank=True, help_text="Staff only")
    search_vector = models.GeneratedField(
        expression=(
            SearchVector("name", weight="A", config="english")
            + SearchVector("original_name", weight="A", config="english")
            + SearchVector("synopsis", weight="C", config="english")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_name", "id"]
        indexes = [
            models.Index(fields=["sort_name", "id"], name="title_sort_name_idx"),
            models.Index(fields=["kind", "sort_name", "id"], name="title_kind_sort_name_idx"),
            models.Index(fields=["year", "id"], name="title_year_idx"),
            models.Index(fields=["release_date"], name="title_release_date_idx"),
            models.Index(fields=["runtime_minutes"], name="title_runtime_idx"),
            models.Index(fields=["original_language"], name="title_language_idx"),
            models.Index(fields=["status"], name="title_status_idx"),
            models.Index(
                fields=["is_original"], name="title_is_original_idx", condition=Q(is_original=True)
            ),
            models.Index(fields=["parent", "number"], name="title_parent_number_idx"),
            GinIndex(fields=["search_vector"], name="title_search_vector_idx"),
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="title_name_trigram_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id", "kind"], name="title_id_kind_unique"),
            models.UniqueConstraint(
                fields=["parent", "number"],
                condition=Q(parent__isnull=False),
                name="title_unique_number_within_parent",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["movie", "series"], parent__isnull=True, parent_kind__isnull=True)
                    | Q(
                        kind="season",
                        parent__isnull=False,
                        parent_kind="series",
                        number__isnull=False,
                    )
                    | Q(
                        kind="episode",
                        parent__isnull=False,
                        parent_kind="season",
                        number__isnull=False,
                    )
                ),
                name="title_parent_matches_kind",
                violation_error_message=(
                    "A movie or series has no parent; a season belongs to a series and an "
                    "episode to a season, each with a number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1870, year__lte=2100),
                name="title_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(runtime_minutes__isnull=True) | Q(runtime_minutes__gt=0),
                name="title_runtime_positive",
            ),
        ]

    def __str__(self) -> str:
        if self.year and self.kind in (TitleKind.MOVIE, TitleKind.SERIES):
            return f"{self.name} ({self.year})"
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.fill_derived_fields()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def fill_derived_fields(self) -> None:
        """Keep the denormalised columns in step: sort name, parent kind, year."""
        if not self.sort_name:
            self.sort_name = sort_name_for(self.name)
        self.parent_kind = self.parent.kind if self.parent_id and self.parent else None
        if self.release_date and not self.year:
            self.year = self.release_date.year


class ExternalIdSource(models.TextChoices):
    IMDB = "imdb", "IMDb"
    TMDB = "tmdb", "TMDB"
    MOVIELENS = "movielens", "MovieLens"
    GGPLOT2MOVIES = "ggplot2movies", "ggplot2movies (IMDb sample)"


class ExternalId(models.Model):
    """An identifier of a title in another database; importers merge on these."""

    # external_id_one_per_source (title, source) serves lookups by title.
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="external_ids", db_index=False
    )
    source = models.CharField(max_length=16, choices=ExternalIdSource.choices)
    value = models.CharField(max_length=64)

    class Meta:
        ordering = ["source", "value"]
        constraints = [
            models.UniqueConstraint(fields=["source", "value"], name="external_id_unique_value"),
            models.UniqueConstraint(fields=["title", "source"], name="external_id_one_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.value}"
