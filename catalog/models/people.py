"""People, their credits on titles, and their awards."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from catalog.models.titles import Title
from catalog.naming import person_sort_name_for


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
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="person_name_trigram_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.sort_name:
            self.sort_name = person_sort_name_for(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


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

    # The composite indexes below lead with title and with person; no single-column ones.
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="credits", db_index=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="credits", db_index=False
    )
    role_type = models.CharField(max_length=4, choices=RoleType.choices)
    character = models.CharField(max_length=200, blank=True)
    billing_order = models.PositiveIntegerField(null=True, blank=True)
    department = models.CharField(max_length=16, choices=Department.choices, blank=True)
    job = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["title_id", "role_type", "billing_order", "id"]
        indexes = [
            models.Index(
                fields=["title", "role_type", "billing_order", "id"],
                name="credit_title_billing_idx",
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
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="awards",
        db_index=False,  # award_person_idx leads with person
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
