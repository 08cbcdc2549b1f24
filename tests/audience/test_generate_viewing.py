"""`manage.py generate_viewing`: synthetic viewing at any scale that the database's rules accept."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min
from django.utils import timezone

from audience.generators import viewing
from audience.generators.viewing import ViewingSummary, generate_viewing
from audience.generators.viewing_plan import DAY_US, EventPlan, Shelf, Window, plan_viewing
from audience.generators.vocabulary import REGION_LANGUAGES, maturity_level_for
from audience.models import Profile, ProfileSource, ViewingEvent
from catalog.models import TitleKind, TitleStatus
from tests.factories import EpisodeFactory, ProfileFactory, SeasonFactory, TitleFactory

EVENTS, PROFILES = 5_000, 200
NOW_US = 1_795_000_000 * 1_000_000  # 2026-11-18 06:13:20 UTC


def _generate(
    *, events: int = EVENTS, profiles: int = PROFILES, seed: int = 3, days: int = 365
) -> ViewingSummary:
    return generate_viewing(events=events, profiles=profiles, seed=seed, days=days)


@pytest.fixture
def catalog(db: None) -> None:
    """A tiny synthetic catalog: 300 titles, movies and series with seasons and episodes."""
    call_command("generate_catalog", titles=300, seed=7, verbosity=0)


def generated_profiles() -> Any:
    return Profile.objects.filter(source=ProfileSource.GENERATED)


def table_definition() -> list[tuple[object, ...]]:
    """The events table's indexes and constraints, as PostgreSQL describes them, in one order
    on every version (a unique constraint and its index share a name). PostgreSQL 18 also
    lists each NOT NULL as a constraint, which 15 does not and no rebuild touches."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename = 'audience_viewingevent'
            UNION ALL
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = 'audience_viewingevent'::regclass AND contype <> 'n'
            ORDER BY 1, 2
            """
        )
        return cursor.fetchall()


# Writing to the database --------------------------------------------------------------------


def test_generating_adds_exactly_the_events_over_new_profiles_in_households(
    catalog: None,
) -> None:
    # Given a catalog and no viewers
    # When 5,000 events over 200 profiles are generated
    summary = _generate()

    # Then there are 5,000 events and 200 generated profiles in households of 1 to 5
    accounts = get_user_model().objects.filter(profiles__source=ProfileSource.GENERATED)
    sizes = accounts.annotate(n=Count("profiles")).aggregate(low=Min("n"), high=Max("n"))
    assert ViewingEvent.objects.count() == EVENTS
    assert generated_profiles().count() == PROFILES
    assert (summary.profiles_created, summary.profiles_reused) == (PROFILES, 0)
    assert accounts.distinct().count() == summary.accounts_created
    assert 1 <= sizes["low"] <= sizes["high"] <= 5
    assert summary.accounts_created < PROFILES
    assert not summary.rebuilt_indexes
    account = accounts.order_by("pk").first()
    assert account is not None
    assert account.username == f"generated-{account.pk}"
    assert not account.has_usable_password()


def test_profiles_speak_their_regions_language_and_teens_are_capped(catalog: None) -> None:
    _generate()

    profiles = list(
        generated_profiles().values_list(
            "region", "language", "age_band", "maturity_level", "source_id", "id"
        )
    )
    assert all(language == REGION_LANGUAGES[region] for region, language, *_ in profiles)
    assert all(level == maturity_level_for(band) for _, _, band, level, *_ in profiles)
    assert all(source_id == str(pk) for *_, source_id, pk in profiles)


def test_every_event_carries_its_profiles_segment_and_its_own_client_id(catalog: None) -> None:
    _generate()

    events = ViewingEvent.objects.all()
    assert events.values("client_event_id").distinct().count() == EVENTS
    assert {event_id.version for event_id in events.values_list("client_event_id", flat=True)} == {
        4
    }
    assert (
        events.exclude(
            region=F("profile__region"),
            age_band=F("profile__age_band"),
            gender=F("profile__gender"),
        ).count()
        == 0
    )


def test_events_lie_in_the_last_days_and_end_before_now(catalog: None) -> None:
    # Given the time before the generation starts
    before = timezone.now()

    # When a week of viewing is generated
    _generate(days=7)

    # Then every event started in that week and ended by now
    after = timezone.now()
    times = list(ViewingEvent.objects.values_list("started_at", "seconds_watched"))
    assert min(started for started, _ in times) >= before - timedelta(days=7)
    assert max(started + timedelta(seconds=seconds) for started, seconds in times) <= after


def test_plays_last_as_long_as_the_title_and_completed_ones_nearly_all_of_it(
    catalog: None,
) -> None:
    _generate()

    plays = list(
        ViewingEvent.objects.filter(title__runtime_minutes__isnull=False)
        .annotate(runtime=F("title__runtime_minutes") * 60)
        .values_list("seconds_watched", "completed", "runtime")
    )
    assert len(plays) > EVENTS / 2
    assert all(0.9 * runtime <= seconds <= runtime for seconds, done, runtime in plays if done)
    assert all(1 <= seconds < 0.9 * runtime for seconds, done, runtime in plays if not done)
    assert {done for _, done, _ in plays} == {True, False}


@pytest.mark.django_db
def test_only_titles_out_before_today_are_watched_and_not_before_their_release() -> None:
    # Given released titles, one out three days ago, and titles not out yet
    today = datetime.now(UTC).date()
    old_movie = TitleFactory(release_date=date(2001, 5, 1), runtime_minutes=None)
    new_movie = TitleFactory(release_date=today - timedelta(days=3))
    aired = EpisodeFactory(parent=SeasonFactory(), release_date=date(2024, 1, 5))
    TitleFactory(status=TitleStatus.ANNOUNCED, release_date=None)
    TitleFactory(release_date=today)
    EpisodeFactory(parent=aired.parent, release_date=today + timedelta(days=30))

    # When viewing is generated
    _generate(events=2_000, profiles=50)

    # Then only the released titles are watched, the new one only since its release day
    watched = dict(ViewingEvent.objects.values_list("title_id").annotate(first=Min("started_at")))
    assert set(watched) == {old_movie.pk, new_movie.pk, aired.pk}
    new_release = datetime.combine(new_movie.release_date, datetime.min.time(), tzinfo=UTC)
    assert watched[new_movie.pk] >= new_release
    # A movie of unknown runtime plays as if it ran 100 minutes.
    completed = ViewingEvent.objects.filter(title_id=old_movie.pk, completed=True)
    bounds = completed.aggregate(shortest=Min("seconds_watched"), longest=Max("seconds_watched"))
    assert 5_400 <= bounds["shortest"] <= bounds["longest"] <= 6_000


def test_running_again_adds_another_batch_over_the_same_profiles(catalog: None) -> None:
    first = _generate()

    second = _generate()

    assert (first.profiles_created, second.profiles_created) == (PROFILES, 0)
    assert (second.profiles_reused, second.accounts_created) == (PROFILES, 0)
    assert ViewingEvent.objects.count() == 2 * EVENTS
    assert ViewingEvent.objects.values("client_event_id").distinct().count() == 2 * EVENTS
    assert generated_profiles().count() == PROFILES


def test_more_profiles_reuse_the_oldest_and_create_only_the_missing(catalog: None) -> None:
    # Given 200 generated profiles and a profile of a real viewer
    _generate()
    ProfileFactory()

    # When 300 are asked for
    summary = _generate(profiles=300)

    # Then 100 more are made and the real viewer watched nothing
    assert (summary.profiles_reused, summary.profiles_created) == (PROFILES, 100)
    assert generated_profiles().count() == 300
    assert ViewingEvent.objects.exclude(profile__source=ProfileSource.GENERATED).count() == 0


def test_no_profiles_asked_for_spreads_the_events_over_every_generated_one(
    catalog: None,
) -> None:
    # Given 200 generated profiles
    _generate()

    last_id = ViewingEvent.objects.aggregate(last=Max("id"))["last"]
    before = timezone.now()

    # When more events are asked for over "0" profiles, for the last day
    summary = _generate(events=1_000, profiles=0, days=1)

    # Then they go to the 200 profiles already there, within the day, and no profile is made
    new = ViewingEvent.objects.filter(id__gt=last_id)
    assert (summary.profiles_reused, summary.profiles_created) == (PROFILES, 0)
    assert generated_profiles().count() == PROFILES
    assert new.count() == 1_000
    assert new.aggregate(first=Min("started_at"))["first"] >= before - timedelta(days=1)
    assert new.exclude(profile__source=ProfileSource.GENERATED).count() == 0


def test_zero_profiles_with_none_generated_yet_is_refused(catalog: None) -> None:
    with pytest.raises(CommandError, match="no generated profiles to reuse"):
        call_command("generate_viewing", events=10, profiles=0, verbosity=0)
    assert ViewingEvent.objects.count() == 0


def test_a_large_batch_rebuilds_every_index_and_constraint_as_it_was(
    catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an events table as the migrations made it
    before = table_definition()
    monkeypatch.setattr(viewing, "BULK_LOAD_MIN_EVENTS", 1)

    # When a batch large enough for a rebuild is generated
    summary = _generate()

    # Then the indexes and constraints are back, the same, and hold for the new rows
    assert summary.rebuilt_indexes
    assert table_definition() == before
    assert len(before) == 11  # 5 indexes; primary, unique, 2 foreign and 2 check constraints
    assert ViewingEvent.objects.count() == EVENTS


def test_a_failed_bulk_load_leaves_the_table_and_the_profiles_as_they_were(
    catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a load that fails once the indexes are dropped
    before = table_definition()
    monkeypatch.setattr(viewing, "BULK_LOAD_MIN_EVENTS", 1)

    def failing_copy(*args: object) -> None:
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(viewing, "_copy_events", failing_copy)

    # When the generation runs
    with pytest.raises(RuntimeError, match="the connection dropped"):
        _generate()

    # Then nothing of it is left, and the indexes are all there
    assert table_definition() == before
    assert (generated_profiles().count(), ViewingEvent.objects.count()) == (0, 0)


def test_the_command_reports_what_it_added(catalog: None) -> None:
    out = StringIO()

    call_command("generate_viewing", events=1_000, profiles=20, stdout=out, stderr=StringIO())

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Profiles: 0 reused, 20 created in ")
    assert lines[-1].startswith("Added 1,000 viewing events in ")
    assert ViewingEvent.objects.count() == 1_000


@pytest.mark.django_db
def test_the_command_refuses_a_catalog_with_nothing_to_watch() -> None:
    TitleFactory(status=TitleStatus.ANNOUNCED)
    TitleFactory(kind=TitleKind.SERIES)

    with pytest.raises(CommandError, match="no released movie or aired episode"):
        call_command("generate_viewing", events=10, profiles=1, verbosity=0)
    assert Profile.objects.count() == 0


# The plan (no database) -------------------------------------------------------------------


def series_shelf(episodes: int) -> Shelf:
    """One series of `episodes` episodes of 30 minutes, title ids 1, 2, ... in order."""
    return Shelf.from_rows(
        title_id=np.arange(1, episodes + 1),
        unit_id=np.zeros(episodes, np.int64),
        is_episode=np.ones(episodes, bool),
        runtime_minutes=np.full(episodes, 30),
        release_day=np.zeros(episodes, np.int64),
    )


def plan(shelf: Shelf, *, events: int, profiles: int = 1, seed: int = 1) -> EventPlan:
    return plan_viewing(
        shelf,
        np.zeros(profiles, np.int64),
        events=events,
        window=Window(now_us=NOW_US, days=30),
        rng=np.random.default_rng(seed),
    )


@pytest.mark.parametrize("events", [1, 2, 17, 1_000])
def test_the_plan_holds_exactly_the_requested_events_in_time_order(events: int) -> None:
    planned = plan(series_shelf(12), events=events, profiles=3)

    assert len(planned) == events
    assert len(planned.title_id) == len(planned.started_us) == events
    assert np.all(np.diff(planned.started_us) >= 0)
    assert planned.started_us.min() >= NOW_US - 30 * DAY_US
    assert np.all(planned.started_us + planned.seconds_watched * 1_000_000 <= NOW_US)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    shelf = series_shelf(20)

    first, again = plan(shelf, events=500, seed=5), plan(shelf, events=500, seed=5)
    other = plan(shelf, events=500, seed=6)

    for name in ("profile", "title_id", "started_us", "seconds_watched", "completed", "device"):
        assert np.array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.started_us, other.started_us)


def test_a_binge_plays_the_next_episode_when_the_last_one_ends() -> None:
    # Given one series of 40 episodes and many viewers, so that a viewer's sessions are apart
    planned = plan(series_shelf(40), events=2_000, profiles=10_000)
    order = np.lexsort((planned.started_us, planned.profile))
    profile, title = planned.profile[order], planned.title_id[order]
    started, seconds = planned.started_us[order], planned.seconds_watched[order]

    # When a viewer's play starts within two minutes of the end of their play before
    follows = started[1:] - (started[:-1] + seconds[:-1] * 1_000_000)
    binge = (profile[1:] == profile[:-1]) & (follows >= 0) & (follows < 120 * 1_000_000)

    # Then it is the next episode, and the one before it was completed
    assert binge.sum() > 500
    assert np.all(title[1:][binge] == title[:-1][binge] + 1)
    assert np.all(planned.completed[order][:-1][binge])
