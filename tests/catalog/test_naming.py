"""Display names, sort names and the matching key of titles."""

import pytest

from catalog.naming import (
    display_and_sort_names,
    display_name_from_sort_name,
    normalised_title_key,
    sort_name_for,
)


@pytest.mark.parametrize(
    ("sort_form", "display"),
    [
        ("Godfather, The", "The Godfather"),
        ("Beautiful Mind, A", "A Beautiful Mind"),
        ("Dolce vita, La", "La Dolce vita"),
        ("Sjunde inseglet, Det", "Det Sjunde inseglet"),
        ("Avventura, L'", "L'Avventura"),
        ("Ard, al-", "al-Ard"),
        ("Killer, The (Die xue shuang xiong)", "The Killer (Die xue shuang xiong)"),
        (
            "Amants de Montparnasse (Montparnasse 19), Les",
            "Les Amants de Montparnasse (Montparnasse 19)",
        ),
        ("Good, the Bad and the Ugly, The", "The Good, the Bad and the Ugly"),
        ("Sex, Lies, and Videotape", "Sex, Lies, and Videotape"),
        ("Battle Creek Brawl (Big Brawl, The)", "Battle Creek Brawl (Big Brawl, The)"),
        ("  Heat ", "Heat"),
    ],
)
def test_display_name_puts_a_trailing_article_in_front(sort_form: str, display: str) -> None:
    assert display_name_from_sort_name(sort_form) == display


@pytest.mark.parametrize(
    ("name", "sort_name"),
    [
        ("The Godfather", "Godfather, The"),
        ("An American Werewolf in London", "American Werewolf in London, An"),
        ("A.I. Artificial Intelligence", "A.I. Artificial Intelligence"),
        ("Die Hard", "Die Hard"),
        ("La Bamba", "La Bamba"),
        ("The", "The"),
    ],
)
def test_only_an_english_leading_article_moves_to_the_end_of_a_sort_name(
    name: str, sort_name: str
) -> None:
    assert sort_name_for(name) == sort_name


def test_a_source_sort_form_is_kept_as_the_sort_name() -> None:
    assert display_and_sort_names("Godfather, The") == ("The Godfather", "Godfather, The")
    assert display_and_sort_names("Dolce vita, La") == ("La Dolce vita", "Dolce vita, La")
    assert display_and_sort_names("The  Birds") == ("The Birds", "Birds, The")
    assert display_and_sort_names("Heat") == ("Heat", "Heat")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Godfather, The", "The Godfather"),
        ("Sophies Choice", "Sophie's Choice"),
        ("M. Hulot\u2019s Holiday", "M. Hulot's Holiday"),
        ("Malèna", "Malena"),
        ("Ørnen", "Ornen"),
        ("8 ½ Women", "8 1/2 Women"),
        ("Lock, Stock & Two Smoking Barrels", "Lock, Stock and Two Smoking Barrels"),
        ("Avventura, L'", "L'avventura"),
    ],
)
def test_two_spellings_of_one_title_share_a_key(one: str, other: str) -> None:
    assert normalised_title_key(one) == normalised_title_key(other)


def test_a_name_of_only_an_article_or_punctuation_keeps_a_key_of_its_own() -> None:
    assert normalised_title_key("A") == "a"
    assert normalised_title_key("'A'") == "a"
    assert normalised_title_key("$") == "$"
    assert normalised_title_key("The Thing") == "thing"
    assert normalised_title_key("Die Hard") != normalised_title_key("Hard")
