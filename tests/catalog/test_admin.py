"""The catalog admin as staff use it: change lists, search, and forms that refuse bad data."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.forms import BaseFormSet
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import (
    Availability,
    Credit,
    ExternalIdSource,
    Title,
    TitleKind,
    TitleStatus,
)
from tests.factories import (
    AvailabilityFactory,
    CastCreditFactory,
    CrewCreditFactory,
    ExternalIdFactory,
    GenreFactory,
    MaturityRatingFactory,
    PersonFactory,
    SeasonFactory,
    SeriesFactory,
    TitleFactory,
)

TITLE_CHANGELIST = reverse("admin:catalog_title_changelist")
TITLE_ADD = reverse("admin:catalog_title_add")
INLINE_PREFIXES = ["credits", "artwork", "availabilities", "external_ids"]


def result_names(client: Client, query: dict[str, str]) -> list[str]:
    response = client.get(TITLE_CHANGELIST, query)
    assert response.status_code == 200
    return [title.name for title in response.context["cl"].result_list]


def inline_formsets(response: HttpResponse) -> dict[str, BaseFormSet]:
    """The inline formsets of an admin change page, by prefix."""
    return {
        inline.formset.prefix: inline.formset
        for inline in response.context["inline_admin_formsets"]
    }


def title_form_data(
    inlines: dict[str, list[dict[str, str]]] | None = None, **fields: str
) -> dict[str, str]:
    """The POST body of the title form: every field, and the management form of each inline."""
    data = {
        "kind": TitleKind.MOVIE,
        "parent": "",
        "number": "",
        "name": "",
        "sort_name": "",
        "original_name": "",
        "status": TitleStatus.RELEASED,
        "release_date": "",
        "year": "",
        "runtime_minutes": "",
        "original_language": "en",
        "maturity_rating": "",
        "synopsis": "",
        "budget_usd": "",
        **fields,
    }
    for prefix in INLINE_PREFIXES:
        rows = (inlines or {}).get(prefix, [])
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            # Rows of saved objects carry their id, and come first.
            f"{prefix}-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{name}": value for name, value in row.items()}
    return data


@pytest.fixture
def catalog(db: None) -> None:
    """Five titles that differ in every filtered field."""
    crime, drama, comedy = (GenreFactory(name=name) for name in ["Crime", "Drama", "Comedy"])
    godfather = TitleFactory(name="The Godfather", year=1972, genres=[crime, drama])
    ExternalIdFactory(title=godfather, source=ExternalIdSource.IMDB, value="tt0068646")
    ExternalIdFactory(title=godfather, source=ExternalIdSource.MOVIELENS, value="858")
    casablanca = TitleFactory(name="Casablanca", year=1942, genres=[drama])
    ExternalIdFactory(title=casablanca, source=ExternalIdSource.IMDB, value="tt0034583")
    night_shift = SeriesFactory(name="Night Shift", year=2016, is_original=True, genres=[drama])
    SeasonFactory(name="Night Shift: Season 1", parent=night_shift, number=1, year=2016)
    TitleFactory(
        name="Moon Harbour",
        year=2026,
        status=TitleStatus.ANNOUNCED,
        is_original=True,
        genres=[comedy],
    )


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {},
            ["Casablanca", "The Godfather", "Moon Harbour", "Night Shift", "Night Shift: Season 1"],
        ),
        ({"kind__exact": "series"}, ["Night Shift"]),
        ({"kind__exact": "movie"}, ["Casablanca", "The Godfather", "Moon Harbour"]),
        ({"genre": "drama"}, ["Casablanca", "The Godfather", "Night Shift"]),
        ({"genre": "crime"}, ["The Godfather"]),
        ({"decade": "1970"}, ["The Godfather"]),
        ({"decade": "2010"}, ["Night Shift", "Night Shift: Season 1"]),
        ({"decade": "2020"}, ["Moon Harbour"]),
        ({"decade": "earlier"}, []),
        ({"status__exact": "announced"}, ["Moon Harbour"]),
        ({"is_original__exact": "1"}, ["Moon Harbour", "Night Shift"]),
        ({"genre": "drama", "decade": "1940"}, ["Casablanca"]),
    ],
)
def test_title_changelist_filters(
    staff_client: Client, query: dict[str, str], expected: list[str]
) -> None:
    # given five titles (fixture), when the change list is filtered, then exactly these show
    assert result_names(staff_client, query) == expected


@pytest.mark.usefixtures("catalog")
def test_title_changelist_rejects_an_unknown_decade(staff_client: Client) -> None:
    response = staff_client.get(TITLE_CHANGELIST, {"decade": "nineties"})

    assert response.status_code == 302
    assert response["Location"] == f"{TITLE_CHANGELIST}?e=1"


@pytest.mark.usefixtures("catalog")
def test_genre_filter_lists_a_title_of_two_matching_genres_once(staff_client: Client) -> None:
    # The Godfather is both crime and drama; filtering by genre and searching must not repeat it.
    response = staff_client.get(TITLE_CHANGELIST, {"genre": "drama", "q": "godfather"})

    assert [title.name for title in response.context["cl"].result_list] == ["The Godfather"]
    assert response.context["cl"].result_count == 1


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("godfather", ["The Godfather"]),
        ("Godfather, The", ["The Godfather"]),
        ("night", ["Night Shift", "Night Shift: Season 1"]),
        ("tt0068646", ["The Godfather"]),
        ("tt0034583", ["Casablanca"]),
        ("858", ["The Godfather"]),
        ("movielens:858", ["The Godfather"]),
        ("imdb:858", []),
        ("tt00686", []),
    ],
)
def test_title_search_by_name_and_external_id(
    staff_client: Client, term: str, expected: list[str]
) -> None:
    assert result_names(staff_client, {"q": term}) == expected


@pytest.mark.usefixtures("catalog")
def test_title_search_matching_name_and_external_id_lists_each_title_once(
    staff_client: Client,
) -> None:
    # given a title whose name contains the Godfather's MovieLens id
    TitleFactory(name="858 Days", year=2010)

    # when searching for that id, then both titles show once each
    response = staff_client.get(TITLE_CHANGELIST, {"q": "858"})

    assert [title.name for title in response.context["cl"].result_list] == [
        "858 Days",
        "The Godfather",
    ]
    assert response.context["cl"].result_count == 2


def make_seasons_with_everything(count: int) -> None:
    """Seasons, each under a series of its own, with genres and a maturity rating."""
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    ratings = [
        MaturityRatingFactory(system="US TV", code=code, level=level)
        for code, level in [("TV-PG", 10), ("TV-14", 14), ("TV-MA", 17)]
    ]
    for index in range(count):
        rating = ratings[index % len(ratings)]
        series = SeriesFactory(genres=[drama, comedy], maturity_rating=rating)
        SeasonFactory(parent=series, number=1, genres=[drama], maturity_rating=rating)


def changelist_queries(client: Client, query: dict[str, str]) -> tuple[int, int]:
    """The number of queries of one change list page, and the number of titles it shows."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(TITLE_CHANGELIST, query)
    assert response.status_code == 200
    return len(captured), len(response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("query", "few_rows", "many_rows"),
    [
        ({}, 10, 100),
        ({"genre": "drama", "decade": "2000", "q": "title"}, 10, 100),
        ({"kind__exact": "season", "is_original__exact": "0", "status__exact": "released"}, 5, 60),
        ({"q": "tt0000001"}, 0, 0),
    ],
)
def test_title_changelist_queries_do_not_grow_with_titles(
    staff_client: Client, query: dict[str, str], few_rows: int, many_rows: int
) -> None:
    # given 5 seasons under 5 series
    make_seasons_with_everything(5)
    few = changelist_queries(staff_client, query)

    # when there are 60 of each
    make_seasons_with_everything(55)
    many = changelist_queries(staff_client, query)

    # then the change list runs the same 5 queries: session, user, the genre filter's choices,
    # the count, and one page of titles joined to their parents and maturity ratings
    assert few == (5, few_rows)
    assert many == (5, many_rows)


def test_title_change_page_shows_its_inlines(staff_client: Client) -> None:
    title = TitleFactory(name="The Godfather", year=1972)
    CastCreditFactory(title=title, person=PersonFactory(name="Marlon Brando"), character="Vito")
    CrewCreditFactory(title=title, person=PersonFactory(name="Francis Ford Coppola"))
    ExternalIdFactory(title=title, source=ExternalIdSource.IMDB, value="tt0068646")
    AvailabilityFactory(title=title, region="GB")

    response = staff_client.get(reverse("admin:catalog_title_change", args=[title.pk]))

    assert response.status_code == 200
    formsets = inline_formsets(response)
    assert list(formsets) == INLINE_PREFIXES
    assert [credit.person.name for credit in formsets["credits"].queryset] == [
        "Marlon Brando",
        "Francis Ford Coppola",
    ]
    assert [str(ext) for ext in formsets["external_ids"].queryset] == ["imdb:tt0068646"]
    assert [row.region for row in formsets["availabilities"].queryset] == ["GB"]
    assert formsets["artwork"].queryset.count() == 0
    content = response.content.decode()
    assert "Marlon Brando" in content
    assert 'value="Vito"' in content
    assert 'value="tt0068646"' in content


def test_adding_a_movie_with_a_cast_credit(staff_client: Client) -> None:
    # given a person and a genre
    brando = PersonFactory(name="Marlon Brando")
    crime = GenreFactory(name="Crime")

    # when staff add a movie with one credit
    data = title_form_data(
        name="The Godfather",
        year="1972",
        runtime_minutes="175",
        genres=str(crime.pk),
        inlines={
            "credits": [
                {
                    "person": str(brando.pk),
                    "role_type": "cast",
                    "character": "Vito Corleone",
                    "billing_order": "1",
                    "department": "",
                    "job": "",
                }
            ]
        },
    )
    response = staff_client.post(TITLE_ADD, data)

    # then the title, its derived sort name, its genre and its credit are saved
    assert response.status_code == 302
    title = Title.objects.get()
    assert response["Location"] == TITLE_CHANGELIST
    assert (title.name, title.sort_name, title.kind, title.year) == (
        "The Godfather",
        "Godfather, The",
        TitleKind.MOVIE,
        1972,
    )
    assert list(title.genres.values_list("name", flat=True)) == ["Crime"]
    assert list(title.credits.values_list("person__name", "role_type", "character")) == [
        ("Marlon Brando", "cast", "Vito Corleone")
    ]


def test_adding_a_season_under_a_series(staff_client: Client) -> None:
    series = SeriesFactory(name="Night Shift", year=2016)

    response = staff_client.post(
        TITLE_ADD,
        title_form_data(kind="season", name="Season 1", parent=str(series.pk), number="1"),
    )

    assert response.status_code == 302
    season = Title.objects.get(kind=TitleKind.SEASON)
    assert (season.parent_id, season.parent_kind, season.number) == (series.pk, "series", 1)


def test_a_season_under_a_movie_is_rejected(staff_client: Client) -> None:
    # given a movie
    movie = TitleFactory(name="The Godfather", year=1972)

    # when staff add a season with the movie as its parent
    response = staff_client.post(
        TITLE_ADD,
        title_form_data(kind="season", name="Season 1", parent=str(movie.pk), number="1"),
    )

    # then the form says why and nothing is saved
    message = "The parent of a season must be a series, but “The Godfather (1972)” is a movie."
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"parent": [message]}
    assert message in response.content.decode()
    assert list(Title.objects.values_list("name", flat=True)) == ["The Godfather"]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"kind": "season", "name": "Season 1", "number": "1"},
            {"parent": ["A season belongs to a series: choose one."]},
        ),
        (
            {"kind": "movie", "name": "Spin-off", "parent": "SERIES"},
            {"parent": ["A movie has no parent; clear the parent."]},
        ),
        (
            {"kind": "season", "name": "Season 1", "parent": "SERIES"},
            {"number": ["A season needs its number within its series."]},
        ),
        (
            {"kind": "season", "name": "Season 1 again", "parent": "SERIES", "number": "1"},
            {"number": ["“Night Shift (2016)” already has a season number 1."]},
        ),
        (
            {"kind": "movie", "name": "Too early", "year": "1800"},
            {"year": ["Ensure this value is greater than or equal to 1870."]},
        ),
    ],
)
def test_title_form_rejects_what_the_database_would(
    staff_client: Client, fields: dict[str, str], errors: dict[str, list[str]]
) -> None:
    series = SeriesFactory(name="Night Shift", year=2016)
    SeasonFactory(parent=series, number=1, name="Season 1")
    data = title_form_data() | fields
    if data["parent"] == "SERIES":
        data["parent"] = str(series.pk)

    response = staff_client.post(TITLE_ADD, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors
    assert Title.objects.count() == 2


def test_changing_the_kind_of_a_series_with_seasons_is_rejected(staff_client: Client) -> None:
    series = SeriesFactory(name="Night Shift", year=2016)
    SeasonFactory(parent=series, number=1)

    response = staff_client.post(
        reverse("admin:catalog_title_change", args=[series.pk]),
        title_form_data(kind="movie", name="Night Shift", year="2016"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "kind": ["This series has seasons; move or delete them before changing its kind."]
    }
    series.refresh_from_db()
    assert series.kind == TitleKind.SERIES


def availability_row(region: str, start: str, end: str, **extra: str) -> dict[str, str]:
    """One row of the availability inline; the admin splits each moment into date and time."""
    start_day, _, start_time = start.partition(" ")
    end_day, _, end_time = end.partition(" ")
    return {
        "region": region,
        "window_start_0": start_day,
        "window_start_1": start_time,
        "window_end_0": end_day,
        "window_end_1": end_time,
        **extra,
    }


def availability_rows(*windows: tuple[str, str, str]) -> dict[str, list[dict[str, str]]]:
    return {"availabilities": [availability_row(*window) for window in windows]}


def test_an_availability_window_ending_before_it_starts_is_rejected(staff_client: Client) -> None:
    # given a title
    title = TitleFactory(name="The Godfather", year=1972)

    # when staff give it a window that ends before it starts
    response = staff_client.post(
        reverse("admin:catalog_title_change", args=[title.pk]),
        title_form_data(
            name="The Godfather",
            year="1972",
            inlines=availability_rows(("US", "2025-06-01 00:00:00", "2025-01-01 00:00:00")),
        ),
    )

    # then the inline shows the model's message and nothing is saved
    message = "An availability window must end after it starts."
    assert response.status_code == 200
    availability_formset = inline_formsets(response)["availabilities"]
    assert availability_formset.errors == [{"__all__": [message]}]
    assert message in response.content.decode()
    assert Availability.objects.count() == 0


def test_overlapping_availability_windows_are_rejected(staff_client: Client) -> None:
    # given a title available in the US from 2025 on
    title = TitleFactory(name="The Godfather", year=1972)

    # when staff add two windows in one region that overlap, and one in another region
    response = staff_client.post(
        reverse("admin:catalog_title_change", args=[title.pk]),
        title_form_data(
            name="The Godfather",
            year="1972",
            inlines=availability_rows(
                ("us", "2025-01-01 00:00:00", ""),
                ("GB", "2025-01-01 00:00:00", ""),
                ("US", "2024-01-01 00:00:00", "2025-01-02 00:00:00"),
            ),
        ),
    )

    # then the overlapping one is refused with the constraint's message, not a 500
    message = "This window overlaps another window of the title in the region."
    assert response.status_code == 200
    availability_formset = inline_formsets(response)["availabilities"]
    assert availability_formset.errors == [{}, {}, {"__all__": [message]}]
    assert Availability.objects.count() == 0


def test_adjacent_availability_windows_are_saved(staff_client: Client) -> None:
    title = TitleFactory(name="The Godfather", year=1972)

    response = staff_client.post(
        reverse("admin:catalog_title_change", args=[title.pk]),
        title_form_data(
            name="The Godfather",
            year="1972",
            inlines=availability_rows(
                ("US", "2024-01-01 00:00:00", "2025-01-01 00:00:00"),
                ("us", "2025-01-01 00:00:00", ""),
            ),
        ),
    )

    assert response.status_code == 302
    assert list(Availability.objects.values_list("region", "window_start", "window_end")) == [
        ("US", datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)),
        ("US", datetime(2025, 1, 1, tzinfo=UTC), None),
    ]


def test_a_window_may_replace_one_deleted_in_the_same_save(staff_client: Client) -> None:
    # given a title with an old closed window and an open one in the US
    title = TitleFactory(name="The Godfather", year=1972)
    old = AvailabilityFactory(
        title=title,
        window_start=datetime(2020, 1, 1, tzinfo=UTC),
        window_end=datetime(2021, 1, 1, tzinfo=UTC),
    )
    current = AvailabilityFactory(title=title, window_start=datetime(2024, 1, 1, tzinfo=UTC))

    # when staff move the old window into the time of the open one and delete the open one
    rows = [
        availability_row("US", "2025-01-01 00:00:00", "", id=str(old.pk), title=str(title.pk)),
        availability_row(
            "US",
            "2024-01-01 00:00:00",
            "",
            id=str(current.pk),
            title=str(title.pk),
            DELETE="on",
        ),
    ]
    response = staff_client.post(
        reverse("admin:catalog_title_change", args=[title.pk]),
        title_form_data(name="The Godfather", year="1972", inlines={"availabilities": rows}),
    )

    # then the save succeeds: the deletion runs before the update
    assert response.status_code == 302
    assert list(Availability.objects.values_list("pk", "window_start", "window_end")) == [
        (old.pk, datetime(2025, 1, 1, tzinfo=UTC), None)
    ]


def test_person_change_page_shows_their_credits(staff_client: Client) -> None:
    # given an actor with two credits and a credit of someone else
    pacino = PersonFactory(name="Al Pacino")
    godfather = TitleFactory(name="The Godfather", year=1972)
    heat = TitleFactory(name="Heat", year=1995)
    CastCreditFactory(person=pacino, title=godfather, character="Michael Corleone")
    CastCreditFactory(person=pacino, title=heat, character="Vincent Hanna")
    CastCreditFactory(title=godfather, character="Vito Corleone")

    # when staff open the person
    response = staff_client.get(reverse("admin:catalog_person_change", args=[pacino.pk]))

    # then the page lists their credits, newest title first
    assert response.status_code == 200
    (credits,) = (inline.formset for inline in response.context["inline_admin_formsets"])
    assert [(credit.title.name, credit.character) for credit in credits.queryset] == [
        ("Heat", "Vincent Hanna"),
        ("The Godfather", "Michael Corleone"),
    ]
    content = response.content.decode()
    assert "Heat (1995)" in content
    assert "The Godfather (1972)" in content
    assert 'value="Michael Corleone"' in content
    assert "Vito Corleone" not in content
    assert Credit.objects.count() == 3


@pytest.mark.usefixtures("catalog")
def test_parent_autocomplete_offers_only_series_and_seasons(staff_client: Client) -> None:
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalog", "model_name": "title", "field_name": "parent", "term": ""},
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == [
        "Night Shift (2016)",
        "Night Shift: Season 1",
    ]
