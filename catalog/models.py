"""What exists in the catalog: titles, the people who make them, and where they can be watched."""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Func, Q
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
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    parent_kind = models.CharField(
        max_length=8, choices=TitleKind.choices, null=True, blank=True, editable=False
    )
    number = models.PositiveIntegerField(
        null=True, blank=True, help_text="Season number within its series, episode number within its season"
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
            GinIndex(
                OpClass(Lower("name"), name="gin_trgm_ops"), name="title_name_trigram_idx"
            ),
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
                    | Q(kind="season", parent__isnull=False, parent_kind="series", number__isnull=False)
                    | Q(kind="episode", parent__isnull=False, parent_kind="season", number__isnull=False)
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

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="external_ids")
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


class Person(models.Model):
    name = models.CharField(max_length=200)
    sort_name = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    birth_place = models.CharField(max_length=200, blank=True)
    biography = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["name", "id"], name="person_name_idx"),
            GinIndex(
                OpClass(Lower("name"), name="gin_trgm_ops"), name="person_name_trigram_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoleType(models.TextChoices):
    CAST = "cast", "Cast"
    CREW = "crew", "Crew"


class Department(models.TextChoices):
    DIRECTING = "directing", "Directing"
    WRITING = "writing", "Writing"
    PRODUCTION = "production", "Production"
    CASTING = "casting", "Casting"
    CAMERA = "camera", "Camera"
    EDITING = "editing", "Editing"
    SOUND = "sound", "Sound"
    MUSIC = "music", "Music"
    COLOUR = "colour", "Colour"
    ART = "art", "Art"
    VISUAL_EFFECTS = "visual_effects", "Visual effects"


# The jobs the studio names, by department; staff may type others.
STANDARD_JOBS = {
    Department.DIRECTING: ["Director"],
    Department.WRITING: ["Writer", "Screenplay"],
    Department.PRODUCTION: ["Producer", "Executive Producer"],
    Department.CASTING: ["Casting Director"],
    Department.CAMERA: ["Cinematographer"],
    Department.EDITING: ["Editor"],
    Department.SOUND: ["Sound Designer"],
    Department.MUSIC: ["Composer"],
    Department.COLOUR: ["Colourist"],
}


class Credit(models.Model):
    """A person's part in a title: a cast role (character, billing) or a crew job."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    role_type = models.CharField(max_length=4, choices=RoleType.choices)
    character = models.CharField(max_length=200, blank=True)
    billing_order = models.PositiveIntegerField(null=True, blank=True)
    department = models.CharField(max_length=16, choices=Department.choices, blank=True)
    job = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["title", "role_type", "billing_order", "id"]
        indexes = [
            models.Index(
                fields=["title", "role_type", "billing_order", "id"], name="credit_title_billing_idx"
            ),
            models.Index(fields=["title", "department", "id"], name="credit_title_department_idx"),
            models.Index(fields=["person", "title"], name="credit_person_title_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role_type="cast", department="", job="")
                    | (Q(role_type="crew", character="") & ~Q(department="") & ~Q(job=""))
                ),
                name="credit_cast_or_crew_fields",
                violation_error_message=(
                    "A cast credit has a character and no department or job; "
                    "a crew credit has a department and a job and no character."
                ),
            ),
            models.UniqueConstraint(
                fields=["title", "person", "role_type", "character", "job"],
                name="credit_unique_part",
            ),
        ]

    def __str__(self) -> str:
        part = self.character if self.role_type == RoleType.CAST else self.job
        return f"{self.person_id} as {part} in {self.title_id}"


class Award(models.Model):
    """An award (so far the Academy Awards) for a title and, for performances, a person."""

    ceremony_year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=100)
    is_winner = models.BooleanField(default=True)
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="awards")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="awards"
    )

    class Meta:
        ordering = ["-ceremony_year", "category", "id"]
        indexes = [models.Index(fields=["person", "ceremony_year"], name="award_person_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["ceremony_year", "category", "title", "person"],
                name="award_unique_nomination",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.ceremony_year} {self.category}"


class ArtworkKind(models.TextChoices):
    POSTER = "poster", "Poster"
    BACKDROP = "backdrop", "Backdrop"
    LOGO = "logo", "Logo"


class Artwork(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="artwork")
    kind = models.CharField(max_length=8, choices=ArtworkKind.choices)
    url = models.URLField(max_length=500)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    language = models.CharField(
        max_length=8, blank=True, help_text="Language of any text on the image; blank if none"
    )

    class Meta:
        ordering = ["title", "kind", "-width", "id"]
        indexes = [models.Index(fields=["title", "kind"], name="artwork_title_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(width__gt=0, height__gt=0), name="artwork_size_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.width}x{self.height}"


class Availability(models.Model):
    """A window in which a title may be watched in one region (ISO 3166-1 alpha-2).

    An open end (`window_end` null) means until further notice. Seasons and
    episodes are available where and when their series is.
    """

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="availabilities")
    region = models.CharField(max_length=2)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "region", "window_start"]
        verbose_name_plural = "availabilities"
        indexes = [
            models.Index(
                fields=["region", "window_start", "title"], name="availability_region_idx"
            )
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
                violation_error_message="The region must be an ISO 3166-1 alpha-2 code such as 'US'.",
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
                violation_error_message="This window overlaps another window of the title in the region.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} from {self.window_start:%Y-%m-%d}"
