"""The sample catalog import: matching rules on small records, then the real data sets.

The real-data tests share one import per module (`imported_catalog`): it runs in a
transaction that is rolled back when the module ends, and each test runs in a
savepoint inside it, so the tests see the imported catalog and leave nothing behind.
"""

from collections.abc import Iterator
from datetime import date
from io import StringIO
from typing import Any, TextIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.db import connection, transaction
from django.db.models import Count

from audience.models import ProfileSource
from catalog.importers.oscar_awards import MovieFinder
from catalog.importers.sample_catalog import SampleCatalogImportReport, sample_catalog_import
from catalog.importers.sample_sources import ImdbSampleMovie, MovielensMovie
from catalog.importers.title_drafts import title_draft
from catalog.importers.title_matching import MoviePair, movielens_name_variants, pair_movies
from catalog.importers.vocabulary import movielens_genre_names
from catalog.management.commands import import_sample_catalog as command_module
from catalog.models import (
    Award,
    Credit,
    ExternalId,
    ExternalIdSource,
    Genre,
    MaturityRating,
    Person,
    RoleType,
    Title,
    TitleKind,
    TitleStatus,
)
from catalog.services import ExistingLinks, pairs_on_existing_titles
from catalog.vocabulary import GENRE_NAMES
from production.models import Production
from tests.factories import GenreFactory, ProfileFactory, TitleFactory

GG = ExternalIdSource.GGPLOT2MOVIES
ML = ExternalIdSource.MOVIELENS


def imdb_movie(
    external_id: str, name: str, year: int, *, votes: int = 100, genres: tuple[str, ...] = ()
) -> ImdbSampleMovie:
    return ImdbSampleMovie(
        external_id=external_id,
        source_name=name,
        year=year,
        runtime_minutes=90,
        budget_usd=None,
        mpaa_code=None,
        votes=votes,
        genre_names=frozenset(genres),
    )


def movielens_movie(
    external_id: str, name: str, year: int, *, genres: tuple[str, ...] = ()
) -> MovielensMovie:
    return MovielensMovie(
        external_id=external_id, source_name=name, year=year, genre_names=frozenset(genres)
    )


def ids_of(pairs: list[MoviePair]) -> list[tuple[str | None, str | None]]:
    return [
        (
            pair.imdb.external_id if pair.imdb else None,
            pair.movielens.external_id if pair.movielens else None,
        )
        for pair in pairs
    ]


# Reading and matching the sources (no database) -------------------------------------------


def test_movielens_genres_map_onto_the_one_vocabulary() -> None:
    names = movielens_genre_names("Children|Sci-Fi|Film-Noir|IMAX|Drama")

    assert names == {"Family", "Science Fiction", "Film Noir", "Drama"}
    assert names <= set(GENRE_NAMES)
    assert movielens_genre_names("(no genres listed)") == frozenset()


def test_movielens_name_variants_split_the_main_name_from_the_alternatives() -> None:
    assert movielens_name_variants(
        "Umbrellas of Cherbourg, The (Parapluies de Cherbourg, Les)"
    ) == ("Umbrellas of Cherbourg, The", ["Parapluies de Cherbourg, Les"])
    assert movielens_name_variants("Phenomena (a.k.a. Creepers)") == ("Phenomena", ["Creepers"])
    assert movielens_name_variants("Legend, The (Legend of Fong Sai-Yuk, The) (Fong Sai Yuk)") == (
        "Legend, The",
        ["Legend of Fong Sai-Yuk, The", "Fong Sai Yuk"],
    )
    assert movielens_name_variants("Birdman: Or (The Unexpected Virtue of Ignorance)") == (
        "Birdman: Or (The Unexpected Virtue of Ignorance)",
        [],
    )
    assert movielens_name_variants("(Haru)") == ("(Haru)", [])
    assert movielens_name_variants("Heat") == ("Heat", [])


def test_a_movielens_movie_merges_with_the_imdb_movie_of_the_same_name_and_year() -> None:
    imdb = [imdb_movie("1", "Godfather, The", 1972), imdb_movie("2", "Godfather, The", 1990)]
    movielens = [movielens_movie("858", "Godfather, The", 1972)]

    pairs = pair_movies(imdb, movielens)

    assert ids_of(pairs) == [("1", "858"), ("2", None)]


def test_a_movielens_movie_under_its_english_name_meets_imdb_under_the_original_name() -> None:
    imdb = [imdb_movie("45697", "Sen to Chihiro no kamikakushi", 2001, genres=("Drama",))]
    movielens = [
        movielens_movie(
            "5618", "Spirited Away (Sen to Chihiro no kamikakushi)", 2001, genres=("Fantasy",)
        )
    ]

    (pair,) = pair_movies(imdb, movielens)
    draft = title_draft(pair)

    assert ids_of([pair]) == [("45697", "5618")]
    assert pair.on_alternative_name is True
    assert (draft.name, draft.sort_name, draft.original_name) == (
        "Spirited Away",
        "Spirited Away",
        "Sen to Chihiro no kamikakushi",
    )
    assert draft.genre_names == {"Drama", "Fantasy"}
    assert draft.external_ids == ((GG, "45697"), (ML, "5618"))


def test_a_full_name_match_is_never_taken_by_another_movies_alternative_name() -> None:
    imdb = [imdb_movie("1", "Big Brawl, The", 1980)]
    movielens = [
        movielens_movie("10", "Battle Creek Brawl (Big Brawl, The)", 1980),
        movielens_movie("20", "Big Brawl, The", 1980),
    ]

    pairs = pair_movies(imdb, movielens)

    assert ids_of(pairs) == [("1", "20"), (None, "10")]


def test_imdb_twins_stay_two_titles_and_movielens_merges_with_the_one_spelled_alike() -> None:
    imdb = [
        imdb_movie("20774", "Good Boy", 2003, votes=5),
        imdb_movie("20775", "Good Boy!", 2003, votes=683),
        imdb_movie("3172", "Arrangement", 1999, votes=14),
        imdb_movie("3175", "Arrangement, The", 1999, votes=52),
    ]
    movielens = [movielens_movie("1", "Good Boy", 2003), movielens_movie("2", "Arrangement", 1999)]

    pairs = pair_movies(imdb, movielens)

    assert ids_of(pairs) == [("20774", "1"), ("20775", None), ("3172", "2"), ("3175", None)]


def test_imdb_twins_merge_with_the_most_voted_when_neither_is_spelled_alike() -> None:
    imdb = [imdb_movie("1", "Whacked", 2002, votes=8), imdb_movie("2", "Whacked!", 2002, votes=72)]
    movielens = [movielens_movie("9", "Whacked!!", 2002)]

    pairs = pair_movies(imdb, movielens)

    assert ids_of(pairs) == [("1", None), ("2", "9")]


def test_two_movielens_movies_of_one_name_and_year_merge_with_at_most_one_title() -> None:
    imdb = [imdb_movie("1", "Hamlet", 2000)]
    movielens = [movielens_movie("65665", "Hamlet", 2000), movielens_movie("3598", "Hamlet", 2000)]

    pairs = pair_movies(imdb, movielens)

    assert ids_of(pairs) == [("1", "3598"), (None, "65665")]


def test_records_already_on_two_titles_are_not_merged_into_one() -> None:
    pair = MoviePair(imdb_movie("1", "Heat", 1995), movielens_movie("6", "Heat", 1995))
    links = ExistingLinks(
        title_by_external_id={(GG, "1"): 10, (ML, "6"): 20},
        sources_by_title={10: {GG}, 20: {ML}},
    )

    placed = pairs_on_existing_titles([pair], links)

    assert [(ids_of([p])[0], title_id) for p, title_id in placed] == [
        (("1", None), 10),
        ((None, "6"), 20),
    ]


def test_a_title_that_has_a_movielens_id_takes_no_second_one() -> None:
    pair = MoviePair(imdb_movie("1", "Heat", 1995), movielens_movie("6", "Heat", 1995))
    links = ExistingLinks(
        title_by_external_id={(GG, "1"): 10, (ML, "999"): 10}, sources_by_title={10: {GG, ML}}
    )

    placed = pairs_on_existing_titles([pair], links)

    assert [(ids_of([p])[0], title_id) for p, title_id in placed] == [
        (("1", None), 10),
        ((None, "6"), None),
    ]


def test_a_new_movielens_movie_joins_the_title_of_its_imdb_partner() -> None:
    pair = MoviePair(imdb_movie("1", "Heat", 1995), movielens_movie("6", "Heat", 1995))
    links = ExistingLinks(title_by_external_id={(GG, "1"): 10}, sources_by_title={10: {GG}})

    placed = pairs_on_existing_titles([pair], links)

    assert [(ids_of([p])[0], title_id) for p, title_id in placed] == [(("1", "6"), 10)]


MOVIES = [
    (1, "The Champ", "", 1979),
    (2, "The Godfather", "", 1972),
    (3, "The Godfather", "", 1971),
    (4, "Forrest Gump", "", 1994),
    (5, "Kitty Foyle: The Natural History of a Woman", "", 1940),
    (6, "Two Women (La ciociara)", "", 1960),
    (7, "Spirited Away", "Sen to Chihiro no kamikakushi", 2001),
]


def test_an_award_goes_to_the_movie_of_the_year_before_the_ceremony() -> None:
    finder = MovieFinder(MOVIES)

    match = finder.find("The Godfather", 1973)

    assert match is not None
    assert (match.title_id, match.year, match.by_close_spelling) == (2, 1972, False)


def test_an_award_ignores_a_movie_of_that_name_from_another_time() -> None:
    finder = MovieFinder(MOVIES)

    assert finder.find("The Champ", 1933) is None


def test_an_award_matches_a_misspelt_or_cut_name_and_alternative_names() -> None:
    finder = MovieFinder(MOVIES)

    found = {
        name: (match.title_id, match.by_close_spelling) if match else None
        for name, match in [
            ("Forest Gump", finder.find("Forest Gump", 1995)),
            ("Kitty Foyle", finder.find("Kitty Foyle", 1941)),
            ("Two Women", finder.find("Two Women", 1962)),
            ("Sen to Chihiro", finder.find("Sen to Chihiro no kamikakushi", 2003)),
            ("Ghandi", finder.find("Ghandi", 1983)),
        ]
    }

    assert found == {
        "Forest Gump": (4, True),
        "Kitty Foyle": (5, True),
        "Two Women": (6, False),
        "Sen to Chihiro": (7, False),
        "Ghandi": None,
    }


def test_the_command_prints_the_report_and_draws_progress_on_the_raw_stderr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake_import(*, progress_file: TextIO | None = None) -> SampleCatalogImportReport:
        assert progress_file is not None
        progress_file.write("\rtitles:  50%")
        report = SampleCatalogImportReport(
            titles_created=3, titles_updated=1, titles_unchanged=2, titles_merged=1
        )
        report.skipped.update({"movielens: no title": 5, "oscars: no movie": 1})
        report.skipped_awards.append("1933 Best actor: Wallace Beery in 'The Champ'")
        report.elapsed_seconds = 12.34
        return report

    monkeypatch.setattr(command_module, "sample_catalog_import", fake_import)
    stdout, stderr = StringIO(), StringIO()

    # load_demo_data passes its own (wrapped) streams on, as here.
    call_command("import_sample_catalog", stdout=stdout, stderr=OutputWrapper(stderr))

    assert stderr.getvalue() == "\rtitles:  50%"
    assert stdout.getvalue().splitlines() == [
        "Titles: 3 created, 1 updated, 2 unchanged; "
        "1 merged (present in both ggplot2movies and MovieLens)",
        "Genres created: 0; MPAA ratings created: 0",
        "People created: 0; credits created: 0; awards created: 0",
        "Skipped: 6",
        "  movielens: no title (5)",
        "  oscars: no movie (1)",
        "Done in 12.3 s",
    ]


# The real data sets ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported_catalog(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[SampleCatalogImportReport]:
    """One full import of the real data for the whole module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = sample_catalog_import()
        # Fire the deferred foreign-key checks once here, not again in every test's savepoint.
        connection.check_constraints()
        yield report
        transaction.set_rollback(True)


def catalog_snapshot() -> dict[str, object]:
    """Every row the import writes, so that two snapshots are equal only if nothing changed."""
    through = Title.genres.through
    return {
        "titles": list(Title.objects.order_by("id").values_list()),
        "external_ids": list(ExternalId.objects.order_by("id").values_list()),
        "genre_links": list(through.objects.order_by("id").values_list()),
        "genres": list(Genre.objects.order_by("id").values_list()),
        "ratings": list(MaturityRating.objects.order_by("id").values_list()),
        "people": list(Person.objects.order_by("id").values_list()),
        "credits": list(Credit.objects.order_by("id").values_list()),
        "awards": list(Award.objects.order_by("id").values_list()),
    }


def genre_names_of(title: Title) -> list[str]:
    return list(title.genres.order_by("name").values_list("name", flat=True))


def external_ids_of(title: Title) -> dict[str, str]:
    return dict(title.external_ids.values_list("source", "value"))


@pytest.mark.slow
@pytest.mark.django_db
def test_the_import_makes_one_title_per_movie_and_merges_those_in_both_sources(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    report = imported_catalog
    titles_with_both_ids = (
        Title.objects.annotate(sources=Count("external_ids", distinct=True))
        .filter(sources=2)
        .count()
    )

    # 58,788 ggplot2movies rows and 9,066 MovieLens movies, 5 of which have no title.
    assert 5_000 <= report.titles_merged <= 6_500
    assert report.titles_merged == titles_with_both_ids
    assert report.titles_created == 58_788 + 9_061 - report.titles_merged
    assert Title.objects.count() == report.titles_created
    assert (report.titles_updated, report.titles_unchanged) == (0, 0)
    assert ExternalId.objects.filter(source=GG).count() == 58_788
    assert ExternalId.objects.filter(source=ML).count() == 9_061
    assert dict(report.skipped) == {
        "movielens: no title": 5,
        "oscars: no movie of that name 0-2 years before the ceremony": 12,
    }
    assert (report.genres_created, report.maturity_ratings_created) == (19, 5)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_godfather_is_one_title_shown_with_its_article_in_front(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    godfather = Title.objects.get(name="The Godfather")

    assert (godfather.sort_name, godfather.year, godfather.runtime_minutes) == (
        "Godfather, The",
        1972,
        175,
    )
    assert (godfather.kind, godfather.status, godfather.original_language) == (
        TitleKind.MOVIE,
        TitleStatus.RELEASED,
        "",
    )
    assert godfather.budget_usd == 6_000_000
    assert external_ids_of(godfather) == {GG: "20545", ML: "858"}
    assert genre_names_of(godfather) == ["Crime", "Drama"]


@pytest.mark.slow
@pytest.mark.django_db
def test_merged_titles_carry_both_sources_facts_and_genres_in_one_vocabulary(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    toy_story = Title.objects.get(name="Toy Story", year=1995)
    matrix = Title.objects.select_related("maturity_rating").get(name="The Matrix")
    spirited_away = Title.objects.get(name="Spirited Away")

    # ggplot2movies flags Animation and Comedy; MovieLens adds Adventure, Children, Fantasy.
    assert genre_names_of(toy_story) == ["Adventure", "Animation", "Comedy", "Family", "Fantasy"]
    assert genre_names_of(matrix) == ["Action", "Science Fiction", "Thriller"]
    assert matrix.maturity_rating is not None
    assert (matrix.maturity_rating.system, matrix.maturity_rating.code) == ("MPAA", "R")
    assert (matrix.budget_usd, matrix.runtime_minutes) == (63_000_000, 136)
    assert spirited_away.original_name == "Sen to Chihiro no kamikakushi"
    assert external_ids_of(spirited_away) == {GG: "45697", ML: "5618"}
    assert sorted(Genre.objects.values_list("name", flat=True)) == sorted(GENRE_NAMES)
    assert list(MaturityRating.objects.filter(system="MPAA").values_list("code", "level")) == [
        ("G", 0),
        ("PG", 8),
        ("PG-13", 13),
        ("R", 17),
        ("NC-17", 18),
    ]


@pytest.mark.slow
@pytest.mark.django_db
def test_a_movielens_only_title_gets_a_sort_name_without_its_leading_article(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    grimsby = Title.objects.get(name="The Brothers Grimsby")

    assert (grimsby.sort_name, grimsby.year, grimsby.runtime_minutes) == (
        "Brothers Grimsby, The",
        2016,
        None,
    )
    assert external_ids_of(grimsby) == {ML: "152091"}


@pytest.mark.slow
@pytest.mark.django_db
def test_a_movielens_only_title_shows_its_english_name_and_keeps_the_other_as_original(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    amelie = Title.objects.get(external_ids__source=ML, external_ids__value="4973")

    assert (amelie.name, amelie.sort_name, amelie.original_name, amelie.year) == (
        "Amelie",
        "Amelie",
        "Le Fabuleux destin d'Amélie Poulain",
        2001,
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_an_oscar_winner_has_a_person_a_cast_credit_and_an_award(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    brando = Person.objects.get(name="Marlon Brando")
    godfather = Title.objects.get(name="The Godfather")

    assert (brando.birth_date, brando.birth_place) == (date(1924, 4, 3), "Nebraska")
    assert list(
        brando.credits.order_by("title__year").values_list(
            "title__name", "role_type", "character", "billing_order"
        )
    ) == [
        ("On the Waterfront", RoleType.CAST, "", None),
        ("The Godfather", RoleType.CAST, "", None),
    ]
    assert list(
        Award.objects.filter(title=godfather).values_list(
            "ceremony_year", "category", "is_winner", "person__name"
        )
    ) == [(1973, "Best actor", True, "Marlon Brando")]
    report = imported_catalog
    assert (report.people_created, report.credits_created, report.awards_created) == (
        148,
        172,
        172,
    )
    assert Award.objects.count() == 184 - len(report.skipped_awards)


@pytest.mark.slow
@pytest.mark.django_db
def test_awards_for_movies_missing_from_the_catalog_are_reported_as_skipped(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    report = imported_catalog

    assert len(report.skipped_awards) == 12
    assert "2019 Best actor: Rami Malek in 'Bohemian Rhapsody'" in report.skipped_awards
    assert "1933 Best actor: Wallace Beery in 'The Champ'" in report.skipped_awards
    assert (
        "1995 Best actor: Tom Hanks in 'Forest Gump' -> 'Forrest Gump' (1994)"
        in report.awards_by_close_spelling
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_a_second_import_creates_nothing_and_changes_nothing(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    first = imported_catalog
    before = catalog_snapshot()

    second = sample_catalog_import()

    assert catalog_snapshot() == before
    assert second.created_or_changed_anything is False
    assert (second.titles_created, second.titles_updated, second.titles_unchanged) == (
        0,
        0,
        first.titles_created,
    )
    assert second.titles_merged == first.titles_merged
    assert second.skipped == first.skipped


@pytest.mark.slow
@pytest.mark.django_db
def test_a_reimport_restores_source_fields_and_keeps_genres_added_by_staff(
    imported_catalog: SampleCatalogImportReport,
) -> None:
    godfather = Title.objects.get(name="The Godfather")
    godfather.name, godfather.runtime_minutes = "Godfather", 1
    godfather.save()
    godfather.genres.remove(Genre.objects.get(name="Crime"))
    godfather.genres.add(GenreFactory(name="Gangster", slug="gangster"))

    report = sample_catalog_import()

    godfather.refresh_from_db()
    assert (report.titles_created, report.titles_updated) == (0, 1)
    assert (godfather.name, godfather.runtime_minutes) == ("The Godfather", 175)
    assert genre_names_of(godfather) == ["Crime", "Drama", "Gangster"]


@pytest.mark.django_db
def test_load_demo_data_creates_no_demo_staff_login_under_production_settings(
    settings: Any,
) -> None:
    # Given a deployment whose catalog and audience are loaded
    settings.IS_PRODUCTION = True
    TitleFactory()
    ProfileFactory(source=ProfileSource.MOVIELENS, source_id="1")
    out = StringIO()

    # When the demo data command runs there
    call_command("load_demo_data", stdout=out, stderr=StringIO())

    # Then it makes neither the README's superuser nor the productions it would move
    assert not get_user_model().objects.filter(username="staff").exists()
    assert not Production.objects.exists()
    assert out.getvalue().splitlines()[-1] == (
        "Production settings: no demo staff login, no demo productions."
    )
