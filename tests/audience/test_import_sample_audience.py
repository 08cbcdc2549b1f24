"""The sample audience import: its rules on single ratings, then the real MovieLens data set.

The real-data tests share one import of the catalog and the audience per module
(`imported_audience`): it runs in a transaction that is rolled back when the module ends,
and each test runs in a savepoint inside it, so the tests see the imported rows and leave
nothing behind.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any
from uuid import UUID

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from audience.importers.demographics import Demographics, movielens_demographics
from audience.importers.movielens_ratings import (
    MovielensRating,
    Viewing,
    device_for,
    thumbs_for,
    viewing_for,
)
from audience.importers.sample_audience import (
    CatalogNotImportedError,
    SampleAudienceImportReport,
    sample_audience_import,
)
from audience.management.commands.import_sample_audience import report_lines
from audience.models import (
    AgeBand,
    DailyTitleStats,
    Device,
    Gender,
    Profile,
    ProfileSource,
    Rating,
    RatingValue,
    Top10Entry,
    ViewingEvent,
)
from catalog.importers.sample_catalog import sample_catalog_import
from catalog.models import ExternalIdSource, Title
from tests.factories import ExternalIdFactory, TitleFactory

# The data set: 100,004 ratings by 671 users; 7 ratings are of the 5 movies without a
# title, which the catalog import skips.
RATINGS, USERS, NOT_IN_CATALOG = 100_004, 671, 7
PLACED = RATINGS - NOT_IN_CATALOG
# The data set's last rating, and the moment the module's import moves it to.
LAST_RATING = datetime(2016, 10, 16, 17, 57, 24, tzinfo=UTC)
IMPORTED_AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
SHIFT = IMPORTED_AT - LAST_RATING


# The rules, one rating at a time (no database) -------------------------------------------


def test_thumbs_split_the_stars_at_two_and_four() -> None:
    stars = [0.5, 1.0, 2.0, 2.5, 3.0, 4.0, 4.5, 5.0]

    assert [thumbs_for(star) for star in stars] == [
        RatingValue.THUMBS_DOWN,
        RatingValue.THUMBS_DOWN,
        RatingValue.THUMBS_DOWN,
        RatingValue.THUMBS_UP,
        RatingValue.THUMBS_UP,
        RatingValue.THUMBS_UP,
        RatingValue.LOVE,
        RatingValue.LOVE,
    ]


def test_three_stars_or_more_is_a_play_to_the_end_and_less_a_share_of_the_runtime() -> None:
    assert viewing_for(3.0, 120) == Viewing(7_200, completed=True)
    assert viewing_for(5.0, 83) == Viewing(4_980, completed=True)
    assert viewing_for(2.5, 120) == Viewing(3_600, completed=False)
    assert viewing_for(0.5, 83) == Viewing(498, completed=False)
    # An unknown runtime counts as 100 minutes.
    assert viewing_for(4.0, None) == Viewing(6_000, completed=True)
    assert viewing_for(1.0, None) == Viewing(1_200, completed=False)


def test_a_rating_always_stands_for_the_same_event_on_the_same_device() -> None:
    rating = MovielensRating(user_id=1, movie_id=2294, stars=2.0, timestamp=1_260_759_108)

    assert rating.client_event_id == UUID("dd2b3b1a-7ac8-5ef9-b633-2510a9575153")
    assert rating.rated_at == datetime(2009, 12, 14, 2, 51, 48, tzinfo=UTC)
    assert device_for(rating.client_event_id) == Device.TV
    other = MovielensRating(user_id=1, movie_id=2294, stars=2.0, timestamp=1_260_759_109)
    assert other.client_event_id != rating.client_event_id


def test_demographics_are_a_fixed_function_of_the_user_id() -> None:
    assert movielens_demographics(1) == Demographics(
        region="DE", language="de", age_band="35-44", gender="male", maturity_level=18
    )
    assert movielens_demographics(2) == Demographics(
        region="BR", language="pt", age_band="25-34", gender="female", maturity_level=18
    )
    assert [movielens_demographics(user) for user in range(1, 672)] == [
        movielens_demographics(user) for user in range(1, 672)
    ]


def test_teen_profiles_get_the_teen_maturity_level_and_some_leave_gender_blank() -> None:
    viewers = [movielens_demographics(user) for user in range(1, USERS + 1)]

    teens = [viewer for viewer in viewers if viewer.age_band == AgeBand.TEEN]
    assert teens
    assert {viewer.maturity_level for viewer in teens} == {13}
    assert {viewer.maturity_level for viewer in viewers if viewer not in teens} == {18}
    assert {viewer.gender for viewer in viewers} == {"", *Gender.values}
    assert len({viewer.region for viewer in viewers}) == 10


@pytest.mark.django_db
def test_without_the_movielens_catalog_the_import_refuses_and_writes_nothing() -> None:
    # Given a catalog with no MovieLens movie
    TitleFactory()

    # When the audience is imported
    with pytest.raises(CatalogNotImportedError, match="import_sample_catalog"):
        sample_audience_import(refresh=False)

    # Then nothing was written, and the command says what to do
    assert (Profile.objects.count(), ViewingEvent.objects.count()) == (0, 0)
    with pytest.raises(
        CommandError, match=re.escape("run `manage.py import_sample_catalog` first")
    ):
        call_command("import_sample_audience", no_progress=True, stdout=StringIO())


@pytest.mark.django_db
def test_a_rating_of_a_movie_missing_from_the_catalog_is_skipped_and_counted() -> None:
    # Given a catalog holding only MovieLens movie 2294 (Antz, 83 minutes)
    ExternalIdFactory(
        source=ExternalIdSource.MOVIELENS,
        value="2294",
        title=TitleFactory(name="Antz", runtime_minutes=83),
    )

    # When the audience is imported
    report = sample_audience_import(refresh=False)

    # Then the 53 ratings of Antz are placed, every other row is skipped
    antz = ViewingEvent.objects.filter(title__name="Antz")
    assert (report.events_created, report.ratings_created) == (53, 53)
    assert dict(report.skipped) == {"movie not in the catalog": RATINGS - 53}
    assert (antz.count(), Rating.objects.count()) == (53, 53)
    # ... and every user has a profile all the same
    assert report.profiles_created == USERS
    assert report.popularity is None


# The real data set --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported_audience(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[SampleAudienceImportReport]:
    """The sample catalog and audience, imported once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        sample_catalog_import()
        report = sample_audience_import(now=IMPORTED_AT)
        # Fire the deferred foreign-key checks once here, not again in every test's savepoint.
        connection.check_constraints()
        yield report
        transaction.set_rollback(True)


def movielens_events() -> Any:
    return ViewingEvent.objects.filter(profile__source=ProfileSource.MOVIELENS)


def audience_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row the import writes, so that two snapshots are equal only if nothing changed."""
    return {
        "accounts": list(get_user_model().objects.order_by("pk").values_list("pk", "username")),
        "profiles": list(Profile.objects.order_by("id").values_list()),
        "events": list(ViewingEvent.objects.order_by("id").values_list()),
        "ratings": list(Rating.objects.order_by("id").values_list()),
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_every_movielens_user_gets_an_account_and_a_profile(
    imported_audience: SampleAudienceImportReport,
) -> None:
    report = imported_audience
    profiles = Profile.objects.filter(source=ProfileSource.MOVIELENS)
    user_1 = profiles.select_related("account").get(source_id="1")

    assert (report.accounts_created, report.profiles_created) == (USERS, USERS)
    assert report.profiles_existing == 0
    assert profiles.count() == USERS
    assert profiles.values("account").distinct().count() == USERS
    assert (user_1.name, user_1.account.username) == ("MovieLens user 1", "movielens-1")
    assert not user_1.account.has_usable_password()
    assert (user_1.region, user_1.language, user_1.age_band, user_1.gender) == (
        "DE",
        "de",
        "35-44",
        "male",
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_profiles_carry_the_demographics_their_user_id_gives(
    imported_audience: SampleAudienceImportReport,
) -> None:
    stored = {
        int(source_id): Demographics(*values)
        for source_id, *values in Profile.objects.filter(
            source=ProfileSource.MOVIELENS
        ).values_list("source_id", "region", "language", "age_band", "gender", "maturity_level")
    }

    assert stored == {user: movielens_demographics(user) for user in range(1, USERS + 1)}


@pytest.mark.slow
@pytest.mark.django_db
def test_each_rating_of_a_catalog_movie_becomes_one_event_and_one_rating(
    imported_audience: SampleAudienceImportReport,
) -> None:
    report = imported_audience

    assert (report.events_created, report.events_existing) == (PLACED, 0)
    assert (report.ratings_created, report.ratings_updated, report.ratings_unchanged) == (
        PLACED,
        0,
        0,
    )
    assert dict(report.skipped) == {"movie not in the catalog": NOT_IN_CATALOG}
    assert movielens_events().count() == PLACED
    assert movielens_events().values("client_event_id").distinct().count() == PLACED
    assert dict(Rating.objects.values_list("value").annotate(n=Count("id")).order_by("value")) == {
        RatingValue.THUMBS_DOWN: 13_384,
        RatingValue.THUMBS_UP: 63_799,
        RatingValue.LOVE: 22_814,
    }
    assert movielens_events().filter(completed=True).count() == 82_165
    assert movielens_events().filter(profile__source_id="1").count() == 20


@pytest.mark.slow
@pytest.mark.django_db
def test_an_event_is_the_rating_moment_with_the_profile_segment_copied(
    imported_audience: SampleAudienceImportReport,
) -> None:
    antz = Title.objects.get(
        external_ids__source=ExternalIdSource.MOVIELENS, external_ids__value="2294"
    )
    event = movielens_events().get(profile__source_id="1", title=antz)
    rating = Rating.objects.get(profile__source_id="1", title=antz)
    off_segment = movielens_events().exclude(
        region=F("profile__region"), age_band=F("profile__age_band"), gender=F("profile__gender")
    )

    # User 1 gave Antz (83 minutes) 2 stars on 2009-12-14 at 02:51:48 UTC, which the
    # import moves forward with everything else.
    assert (event.started_at, event.seconds_watched, event.completed) == (
        datetime(2009, 12, 14, 2, 51, 48, tzinfo=UTC) + SHIFT,
        1_992,
        False,
    )
    assert event.client_event_id == UUID("dd2b3b1a-7ac8-5ef9-b633-2510a9575153")
    assert (event.device, event.region, event.age_band, event.gender) == (
        Device.TV,
        "DE",
        "35-44",
        "male",
    )
    assert (rating.value, rating.rated_at) == (RatingValue.THUMBS_DOWN, event.started_at)
    assert off_segment.count() == 0


@pytest.mark.slow
@pytest.mark.django_db
def test_the_import_folds_its_events_into_the_popularity_aggregates(
    imported_audience: SampleAudienceImportReport,
) -> None:
    popularity = imported_audience.popularity
    latest = Top10Entry.objects.filter(region="", category="films").order_by("-week_start")

    assert popularity is not None
    assert (popularity.events, popularity.skipped) == (PLACED, False)
    assert DailyTitleStats.objects.aggregate(plays=Sum("plays"))["plays"] == PLACED
    assert latest.values_list("week_start", flat=True).first() == date(2026, 12, 7)


@pytest.mark.slow
@pytest.mark.django_db
def test_viewing_is_moved_forward_so_that_the_last_rating_falls_on_the_import(
    imported_audience: SampleAudienceImportReport,
) -> None:
    times = movielens_events().aggregate(first=Min("started_at"), last=Max("started_at"))
    ratings = Rating.objects.aggregate(first=Min("rated_at"), last=Max("rated_at"))

    # 3,703 days and 15:32:36 later: the gaps between ratings are as they were
    assert timedelta(days=3703, seconds=55_956) == SHIFT
    assert (imported_audience.time_shift, imported_audience.last_rating_at) == (
        SHIFT,
        IMPORTED_AT,
    )
    assert (
        times
        == ratings
        == {
            "first": datetime(1995, 1, 9, 11, 46, 49, tzinfo=UTC) + SHIFT,
            "last": IMPORTED_AT,
        }
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_a_run_on_a_later_day_keeps_the_first_runs_times(
    imported_audience: SampleAudienceImportReport,
) -> None:
    before = audience_snapshot()

    report = sample_audience_import(refresh=False, now=IMPORTED_AT + timedelta(days=40))

    assert report.time_shift == SHIFT
    assert audience_snapshot() == before


@pytest.mark.slow
@pytest.mark.django_db
def test_running_the_import_again_changes_nothing(
    imported_audience: SampleAudienceImportReport,
) -> None:
    before = audience_snapshot()

    report = sample_audience_import(refresh=False)

    assert audience_snapshot() == before
    assert not report.created_or_changed_anything
    assert (report.profiles_existing, report.events_existing, report.ratings_unchanged) == (
        USERS,
        PLACED,
        PLACED,
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_a_second_run_restores_what_is_missing_and_keeps_a_viewers_later_verdict(
    imported_audience: SampleAudienceImportReport,
) -> None:
    # Given user 1 changed their verdict on Antz today, and lost an event and a rating
    antz = Q(
        title__external_ids__source=ExternalIdSource.MOVIELENS, title__external_ids__value="2294"
    )
    blazing_saddles = Q(
        title__external_ids__source=ExternalIdSource.MOVIELENS, title__external_ids__value="3671"
    )
    ratings = Rating.objects.filter(profile__source_id="1", profile__source=ProfileSource.MOVIELENS)
    events = movielens_events().filter(profile__source_id="1")
    changed_at = timezone.now()
    ratings.filter(antz).update(value=RatingValue.LOVE, rated_at=changed_at)
    ratings.filter(blazing_saddles).delete()
    events.filter(blazing_saddles).delete()

    # When the audience is imported again
    report = sample_audience_import(refresh=False)

    # Then the lost rows are back, and the later verdict stands
    assert (report.events_created, report.ratings_created, report.ratings_updated) == (1, 1, 0)
    assert events.count() == 20
    assert list(ratings.filter(antz).values_list("value", "rated_at")) == [
        (RatingValue.LOVE, changed_at)
    ]
    assert ratings.get(blazing_saddles).value == RatingValue.THUMBS_UP


@pytest.mark.slow
@pytest.mark.django_db
def test_the_command_reports_and_load_demo_data_skips_a_loaded_audience(
    imported_audience: SampleAudienceImportReport,
) -> None:
    lines = report_lines(imported_audience)
    out = StringIO()

    call_command("load_demo_data", stdout=out, stderr=StringIO())

    assert lines[:6] == [
        f"Profiles: {USERS} created, 0 already there; accounts created: {USERS}",
        f"Viewing events: {PLACED} created, 0 already there",
        f"Ratings: {PLACED} created, 0 updated, 0 unchanged",
        f"Skipped rows: {NOT_IN_CATALOG}",
        f"  movie not in the catalog ({NOT_IN_CATALOG})",
        "Viewing times moved forward by 3,703 days 55,956 s, so that the last rating "
        "(MovieLens ends in October 2016) falls on 2026-12-07 09:30 UTC",
    ]
    assert lines[6].startswith(f"Popularity refreshed: {PLACED} events folded in")
    assert out.getvalue().splitlines()[:2] == [
        "Sample catalog already loaded.",
        "Sample audience already loaded.",
    ]
