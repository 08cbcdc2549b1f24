"""`manage.py generate_catalog`: a synthetic catalog that the database's own rules accept."""

from typing import cast

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max

from catalog.generators import vocabulary
from catalog.generators.titles import MOVIE, plan_structure, random_stream
from catalog.models import (
    STANDARD_JOBS,
    Availability,
    Credit,
    Genre,
    Person,
    RoleType,
    Title,
    TitleKind,
)
from tests.factories import CastCreditFactory, GenreFactory, PersonFactory, TitleFactory

TITLES = 300


def _generate(*, seed: int = 7, titles: int = TITLES) -> None:
    call_command("generate_catalog", titles=titles, seed=seed, verbosity=0)


def _snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Everything a viewer could see of the catalog, in the order it was written."""
    return {
        "titles": list(
            Title.objects.order_by("id").values_list(
                "kind", "number", "name", "synopsis", "release_date", "runtime_minutes"
            )
        ),
        "people": list(Person.objects.order_by("id").values_list("name", "birth_date")),
        "credits": list(
            Credit.objects.order_by("id").values_list(
                "title__name", "person__name", "character", "billing_order", "job"
            )
        ),
        "availability": list(
            Availability.objects.order_by("id").values_list(
                "title__name", "region", "window_start", "window_end"
            )
        ),
    }


@pytest.mark.parametrize(
    ("titles", "movies"),
    [(1, 1), (2, 2), (4, 4), (6, 6), (7, 4), (10, 6), (99, 59), (1000, 600), (4321, 2593)],
)
def test_the_plan_holds_exactly_the_requested_number_of_titles(titles: int, movies: int) -> None:
    # Given a title count, small or large
    # When the structure of the batch is planned
    kind, _, _, _ = plan_structure(titles, random_stream(1, "titles"))

    # Then it holds exactly that many titles: 60 % movies, unless no series would fit
    assert len(kind) == titles
    assert int((kind == MOVIE).sum()) == movies


@pytest.mark.django_db
def test_generating_adds_exactly_the_requested_number_of_titles() -> None:
    # Given an empty catalog
    # When 300 titles are generated
    _generate()

    # Then there are 300 titles: 180 movies and 120 series, seasons and episodes
    assert Title.objects.count() == TITLES
    assert Title.objects.filter(kind=TitleKind.MOVIE).count() == 180
    assert Title.objects.exclude(kind=TitleKind.MOVIE).count() == 120
    assert Title.objects.filter(kind=TitleKind.SERIES).count() > 0


@pytest.mark.django_db
def test_seasons_hang_under_series_and_episodes_under_seasons() -> None:
    # Given a generated catalog
    _generate()

    # When the parents are looked at
    seasons = Title.objects.filter(kind=TitleKind.SEASON)
    episodes = Title.objects.filter(kind=TitleKind.EPISODE)

    # Then every season's parent is a series, every episode's a season, and the rest have none
    assert seasons.count() > 0
    assert episodes.count() > 0
    assert seasons.exclude(parent__kind=TitleKind.SERIES).count() == 0
    assert episodes.exclude(parent__kind=TitleKind.SEASON).count() == 0
    assert (
        Title.objects.filter(
            kind__in=[TitleKind.MOVIE, TitleKind.SERIES], parent__isnull=False
        ).count()
        == 0
    )


@pytest.mark.django_db
def test_episodes_are_numbered_one_to_n_within_their_season() -> None:
    # Given a generated catalog
    _generate()

    # When episodes are counted per season
    per_season = (
        Title.objects.filter(kind=TitleKind.EPISODE)
        .values("parent")
        .annotate(episodes=Count("id"), distinct_numbers=Count("number", distinct=True))
        .annotate(last=Max("number"))
    )

    # Then numbers within a season are unique and run from 1 to the number of episodes
    assert per_season.count() == Title.objects.filter(kind=TitleKind.SEASON).count()
    assert all(s["episodes"] == s["distinct_numbers"] == s["last"] for s in per_season)


@pytest.mark.django_db
def test_credits_include_cast_and_every_standard_crew_job() -> None:
    # Given a generated catalog
    _generate()

    # When the credits are read
    crew_jobs = set(
        Credit.objects.filter(role_type=RoleType.CREW).values_list("department", "job").distinct()
    )
    cast = Credit.objects.filter(role_type=RoleType.CAST)

    # Then every standard job is credited, and cast credits carry a character and billing
    assert crew_jobs == {
        (department.value, job) for department, jobs in STANDARD_JOBS.items() for job in jobs
    }
    assert cast.count() > 0
    assert cast.filter(character="").count() == 0
    assert cast.filter(billing_order__isnull=True).count() == 0
    assert cast.filter(billing_order=1).count() == cast.values("title").distinct().count()
    directors = Credit.objects.filter(job="Director", title__kind=TitleKind.MOVIE)
    assert directors.count() == Title.objects.filter(kind=TitleKind.MOVIE).count()


@pytest.mark.django_db
def test_every_title_has_a_genre_and_episodes_share_their_series_genres() -> None:
    # Given a generated catalog
    _generate()

    # When a series and one of its episodes are compared
    episode = Title.objects.filter(kind=TitleKind.EPISODE).order_by("id").first()
    assert episode is not None
    series = Title.objects.get(children__children=episode)

    # Then no title lacks a genre, and the episode has exactly its series' genres
    assert Title.objects.filter(genres__isnull=True).count() == 0
    assert set(episode.genres.all()) == set(series.genres.all())


@pytest.mark.django_db
def test_availability_windows_are_valid_and_never_overlap() -> None:
    # Given a generated catalog
    _generate()

    # When the windows are read
    windows = Availability.objects.all()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM catalog_availability a JOIN catalog_availability b "
            "ON a.title_id = b.title_id AND a.region = b.region AND a.id < b.id "
            "AND tstzrange(a.window_start, a.window_end) && tstzrange(b.window_start, b.window_end)"
        )
        [(overlapping,)] = cursor.fetchall()

    # Then released movies and series each have windows in known regions, ending after they start
    released = Title.objects.filter(kind__in=[TitleKind.MOVIE, TitleKind.SERIES], status="released")
    assert windows.count() > released.count()
    assert set(windows.values_list("region", flat=True)) <= set(vocabulary.REGIONS)
    assert released.filter(availabilities__isnull=True).count() == 0
    assert windows.exclude(title__kind__in=[TitleKind.MOVIE, TitleKind.SERIES]).count() == 0
    assert windows.filter(window_end__lte=F("window_start")).count() == 0
    assert overlapping == 0


@pytest.mark.django_db
def test_the_same_seed_on_an_empty_catalog_gives_the_same_catalog() -> None:
    # Given a catalog generated with seed 7, then emptied
    _generate(seed=7)
    first = _snapshot()
    Title.objects.all().delete()
    Person.objects.all().delete()

    # When it is generated again with the same seed, and then with another seed
    _generate(seed=7)
    second = _snapshot()
    Title.objects.all().delete()
    Person.objects.all().delete()
    _generate(seed=8)
    other = _snapshot()

    # Then the same seed gives the same names, texts, dates and credits; another does not
    assert second == first
    assert other["titles"] != first["titles"]


@pytest.mark.django_db
def test_orm_inserts_after_generation_take_fresh_ids() -> None:
    # Given a generated catalog
    _generate()
    last_title = Title.objects.aggregate(last=Max("id"))["last"]
    last_person = Person.objects.aggregate(last=Max("id"))["last"]
    last_credit = Credit.objects.aggregate(last=Max("id"))["last"]

    # When titles, people and credits are created through the ORM
    title = cast(Title, TitleFactory())
    credit = cast(Credit, CastCreditFactory(title=title, person=PersonFactory()))

    # Then they take the next ids of each sequence
    assert title.pk == last_title + 1
    assert credit.person.pk == last_person + 1
    assert credit.pk == last_credit + 1


@pytest.mark.django_db
def test_generating_into_a_non_empty_catalog_adds_a_batch_and_reuses_genres_and_people() -> None:
    # Given a catalog with a hand-made Drama genre and a generated first batch
    drama = cast(Genre, GenreFactory(name="Drama", slug="drama"))
    _generate(seed=7)
    first_people = set(Person.objects.values_list("id", flat=True))
    first_titles = set(Title.objects.values_list("id", flat=True))

    # When a second batch is generated with the same seed
    _generate(seed=7)

    # Then it adds 300 titles, keeps one genre per name and credits people of the first batch
    new_credits = Credit.objects.exclude(title_id__in=first_titles)
    assert Title.objects.count() == 2 * TITLES
    assert Genre.objects.count() == len(vocabulary.GENRES)
    assert Genre.objects.get(name="Drama") == drama
    assert drama.titles.count() > 0
    assert new_credits.filter(person_id__in=first_people).count() > 0


@pytest.mark.django_db
def test_the_command_refuses_a_title_count_below_one() -> None:
    # Given an empty catalog
    # When zero titles are asked for
    # Then the command refuses and writes nothing
    with pytest.raises(CommandError, match="must be a positive integer"):
        _generate(titles=0)
    assert Title.objects.count() == 0
