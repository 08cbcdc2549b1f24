"""Factories for the catalog, its audience and its productions: the one way tests make data."""

import uuid
from datetime import UTC, datetime, time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from audience import models as audience
from catalog import models
from production import models as productions


class StaffUserFactory(DjangoModelFactory[AbstractUser]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@studio.test")
    password = factory.django.Password("staff-password")
    is_staff = True
    is_superuser = True


class ViewerFactory(DjangoModelFactory[AbstractUser]):
    """An account of the streaming service, not staff."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"viewer{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@viewers.test")
    password = factory.django.Password("viewer-password")


class GenreFactory(DjangoModelFactory[models.Genre]):
    class Meta:
        model = models.Genre
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Genre {n}")
    slug = factory.LazyAttribute(lambda genre: slugify(genre.name))


class MaturityRatingFactory(DjangoModelFactory[models.MaturityRating]):
    class Meta:
        model = models.MaturityRating
        django_get_or_create = ("system", "code")

    system = "MPAA"
    code = "PG-13"
    level = 13


class TitleFactory(DjangoModelFactory[models.Title]):
    class Meta:
        model = models.Title
        skip_postgeneration_save = True

    kind = models.TitleKind.MOVIE
    name = factory.Sequence(lambda n: f"Title {n}")
    year = 2001
    runtime_minutes = 110
    original_language = "en"
    synopsis = "A story worth telling."

    @factory.post_generation
    def genres(self, create: bool, extracted: list[models.Genre] | None, **kwargs: object) -> None:
        if create and extracted:
            self.genres.add(*extracted)


class SeriesFactory(TitleFactory):
    kind = models.TitleKind.SERIES
    runtime_minutes = None


class SeasonFactory(TitleFactory):
    kind = models.TitleKind.SEASON
    parent = factory.SubFactory(SeriesFactory)
    number = factory.Sequence(lambda n: n + 1)
    runtime_minutes = None


class EpisodeFactory(TitleFactory):
    kind = models.TitleKind.EPISODE
    parent = factory.SubFactory(SeasonFactory)
    number = factory.Sequence(lambda n: n + 1)
    runtime_minutes = 45


class ExternalIdFactory(DjangoModelFactory[models.ExternalId]):
    class Meta:
        model = models.ExternalId

    title = factory.SubFactory(TitleFactory)
    source = models.ExternalIdSource.IMDB
    value = factory.Sequence(lambda n: f"tt{n:07d}")


class PersonFactory(DjangoModelFactory[models.Person]):
    class Meta:
        model = models.Person

    name = factory.Sequence(lambda n: f"Person {n}")


class CastCreditFactory(DjangoModelFactory[models.Credit]):
    class Meta:
        model = models.Credit

    title = factory.SubFactory(TitleFactory)
    person = factory.SubFactory(PersonFactory)
    role_type = models.RoleType.CAST
    character = factory.Sequence(lambda n: f"Character {n}")
    billing_order = factory.Sequence(lambda n: n + 1)


class CrewCreditFactory(DjangoModelFactory[models.Credit]):
    class Meta:
        model = models.Credit

    title = factory.SubFactory(TitleFactory)
    person = factory.SubFactory(PersonFactory)
    role_type = models.RoleType.CREW
    department = models.Department.DIRECTING
    job = "Director"


class ArtworkFactory(DjangoModelFactory[models.Artwork]):
    class Meta:
        model = models.Artwork

    title = factory.SubFactory(TitleFactory)
    kind = models.ArtworkKind.POSTER
    url = factory.Sequence(lambda n: f"https://images.studio.test/poster/{n}.jpg")
    width = 1000
    height = 1500


class AvailabilityFactory(DjangoModelFactory[models.Availability]):
    class Meta:
        model = models.Availability

    title = factory.SubFactory(TitleFactory)
    region = "US"
    window_start = factory.LazyFunction(lambda: datetime.now(UTC) - timedelta(days=30))
    window_end = None


class AwardFactory(DjangoModelFactory[models.Award]):
    class Meta:
        model = models.Award

    ceremony_year = 1973
    category = "Best actor"
    title = factory.SubFactory(TitleFactory)
    person = factory.SubFactory(PersonFactory)


class ProfileFactory(DjangoModelFactory[audience.Profile]):
    class Meta:
        model = audience.Profile

    account = factory.SubFactory(ViewerFactory)
    name = factory.Sequence(lambda n: f"Profile {n}")
    region = "US"
    language = "en"
    age_band = audience.AgeBand.ADULT
    gender = audience.Gender.FEMALE
    maturity_level = 18


class ViewingEventFactory(DjangoModelFactory[audience.ViewingEvent]):
    """An event as recordViewingEvents stores it: the viewer's segment copied from the profile."""

    class Meta:
        model = audience.ViewingEvent

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
    started_at = factory.LazyFunction(lambda: datetime.now(UTC) - timedelta(hours=2))
    seconds_watched = 3600
    completed = False
    device = audience.Device.TV
    client_event_id = factory.LazyFunction(uuid.uuid4)
    region = factory.LazyAttribute(lambda event: event.profile.region)
    age_band = factory.LazyAttribute(lambda event: event.profile.age_band)
    gender = factory.LazyAttribute(lambda event: event.profile.gender)


class RatingFactory(DjangoModelFactory[audience.Rating]):
    class Meta:
        model = audience.Rating

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
    value = audience.RatingValue.THUMBS_UP
    rated_at = factory.LazyFunction(lambda: datetime.now(UTC))


class MyListEntryFactory(DjangoModelFactory[audience.MyListEntry]):
    class Meta:
        model = audience.MyListEntry

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
    added_at = factory.LazyFunction(lambda: datetime.now(UTC))


class TastePickFactory(DjangoModelFactory[audience.TastePick]):
    class Meta:
        model = audience.TastePick

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
    picked_at = factory.LazyFunction(lambda: datetime.now(UTC))


class RecommenderModelFactory(DjangoModelFactory[audience.RecommenderModel]):
    class Meta:
        model = audience.RecommenderModel

    method = "ease"
    trained_at = factory.LazyFunction(lambda: datetime.now(UTC))
    training_seconds = 1.0
    profiles = 100
    items = 50
    interactions = 1000
    weights = b""


class RecommendationFactory(DjangoModelFactory[audience.Recommendation]):
    """A recommendation as the workers store it: by default, because the profile watched a film."""

    class Meta:
        model = audience.Recommendation

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
    rank = factory.Sequence(lambda n: n + 1)
    score = 0.5
    reason = audience.ReasonKind.BECAUSE_YOU_WATCHED
    because_you_watched = factory.SubFactory(TitleFactory)
    model = factory.SubFactory(RecommenderModelFactory)
    computed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class NewTitleRecommendationFactory(DjangoModelFactory[audience.NewTitleRecommendation]):
    class Meta:
        model = audience.NewTitleRecommendation

    profile = factory.SubFactory(ProfileFactory)
    title = factory.SubFactory(TitleFactory)
    rank = factory.Sequence(lambda n: n + 1)
    score = 0.5
    computed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class SimilarTitleFactory(DjangoModelFactory[audience.SimilarTitle]):
    class Meta:
        model = audience.SimilarTitle

    title = factory.SubFactory(TitleFactory)
    similar = factory.SubFactory(TitleFactory)
    rank = factory.Sequence(lambda n: n + 1)
    score = 0.5
    computed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class Top10EntryFactory(DjangoModelFactory[audience.Top10Entry]):
    """A line of a weekly Top 10 as the workers store it (week of Monday 2 November 2026)."""

    class Meta:
        model = audience.Top10Entry

    week_start = datetime(2026, 11, 2, tzinfo=UTC).date()
    region = "US"
    category = audience.Top10Category.FILMS
    rank = factory.Sequence(lambda n: n + 1)
    title = factory.SubFactory(TitleFactory)
    views = 100.0
    seconds_viewed = 360_000
    runtime_minutes = 110
    weeks_in_top10 = 1
    computed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class TrendingEntryFactory(DjangoModelFactory[audience.TrendingEntry]):
    class Meta:
        model = audience.TrendingEntry

    region = "US"
    rank = factory.Sequence(lambda n: n + 1)
    title = factory.SubFactory(TitleFactory)
    score = 10.0
    as_of = factory.LazyFunction(lambda: datetime.now(UTC).date())
    computed_at = factory.LazyFunction(lambda: datetime.now(UTC))


class TitlePopularityFactory(DjangoModelFactory[audience.TitlePopularity]):
    class Meta:
        model = audience.TitlePopularity

    title = factory.SubFactory(TitleFactory)
    region = "US"
    views = 10.0
    seconds_viewed = 36_000
    rank = 1
    window_start = factory.LazyFunction(lambda: datetime.now(UTC).date() - timedelta(days=27))
    window_end = factory.LazyFunction(lambda: datetime.now(UTC).date())


class GenreSegmentHoursFactory(DjangoModelFactory[audience.GenreSegmentHours]):
    class Meta:
        model = audience.GenreSegmentHours

    age_band = audience.AgeBand.ADULT
    gender = audience.Gender.FEMALE
    region = "US"
    genre = factory.SubFactory(GenreFactory)
    seconds_viewed = 3600


class ProductionFactory(DjangoModelFactory[productions.Production]):
    class Meta:
        model = productions.Production

    title = factory.SubFactory(TitleFactory, status=models.TitleStatus.IN_PRODUCTION)
    logline = "A heist goes wrong in a small town."
    budget_usd = 20_000_000


class ScriptDraftFactory(DjangoModelFactory[productions.ScriptDraft]):
    class Meta:
        model = productions.ScriptDraft

    production = factory.SubFactory(ProductionFactory)
    number = factory.Sequence(lambda n: n + 1)
    submitted_on = factory.LazyFunction(lambda: datetime.now(UTC).date() - timedelta(days=30))
    approved_on = None
    page_count = 110


class CastingRoleFactory(DjangoModelFactory[productions.CastingRole]):
    class Meta:
        model = productions.CastingRole

    production = factory.SubFactory(ProductionFactory)
    character = factory.Sequence(lambda n: f"Character {n}")
    is_lead = True


class AuditionFactory(DjangoModelFactory[productions.Audition]):
    class Meta:
        model = productions.Audition

    role = factory.SubFactory(CastingRoleFactory)
    person = factory.SubFactory(PersonFactory)
    scheduled_at = factory.LazyFunction(lambda: datetime.now(UTC) - timedelta(days=3))


class LocationFactory(DjangoModelFactory[productions.Location]):
    class Meta:
        model = productions.Location

    production = factory.SubFactory(ProductionFactory)
    name = factory.Sequence(lambda n: f"Location {n}")
    kind = productions.LocationKind.ON_LOCATION
    daily_cost_usd = 5_000


class ShootDayFactory(DjangoModelFactory[productions.ShootDay]):
    class Meta:
        model = productions.ShootDay

    production = factory.SubFactory(ProductionFactory)
    date = factory.Sequence(lambda n: datetime.now(UTC).date() + timedelta(days=n))
    location = factory.SubFactory(LocationFactory, production=factory.SelfAttribute("..production"))
    call_time = time(7, 0)


class PostTaskFactory(DjangoModelFactory[productions.PostTask]):
    class Meta:
        model = productions.PostTask

    production = factory.SubFactory(ProductionFactory)
    kind = productions.PostTaskKind.EDIT


class ReleaseFactory(DjangoModelFactory[productions.Release]):
    class Meta:
        model = productions.Release

    production = factory.SubFactory(ProductionFactory)
    release_on = factory.LazyFunction(lambda: datetime.now(UTC).date() + timedelta(days=60))
    regions = factory.LazyFunction(lambda: ["US", "GB"])


class BudgetLineFactory(DjangoModelFactory[productions.BudgetLine]):
    class Meta:
        model = productions.BudgetLine

    production = factory.SubFactory(ProductionFactory)
    category = factory.Sequence(lambda n: f"Category {n}")
    planned_usd = 1_000_000
    actual_usd = 0


class MarketingMilestoneFactory(DjangoModelFactory[productions.MarketingMilestone]):
    class Meta:
        model = productions.MarketingMilestone

    production = factory.SubFactory(ProductionFactory)
    kind = productions.MilestoneKind.TRAILER
    due_on = factory.LazyFunction(lambda: datetime.now(UTC).date() + timedelta(days=30))


class ScoutingVisitFactory(DjangoModelFactory[productions.ScoutingVisit]):
    class Meta:
        model = productions.ScoutingVisit

    location = factory.SubFactory(LocationFactory)
    visited_on = factory.LazyFunction(lambda: datetime.now(UTC).date() - timedelta(days=10))
