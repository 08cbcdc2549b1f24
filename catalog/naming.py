"""How titles are named and sorted: leading articles move to the end for sorting.

IMDb-style sources write "Godfather, The"; viewers read "The Godfather" and
shelves sort it under G.
"""

import re
import unicodedata

# Articles moved to the front of a name for display and to the end for sorting.
# Only English ones are moved when we derive a sort name ourselves: without the
# language of a name, "Die Hard" must not become "Hard, Die".
ENGLISH_ARTICLES = ("The", "A", "An")

# Articles that IMDb-style sources write at the end of a name ("Dolce vita, La",
# "Sjunde inseglet, Det", "Ard, al-"). Those ending in an apostrophe or a hyphen
# join the next word without a space ("L'Avventura", "Ha-Buah").
TRAILING_ARTICLES = (
    *ENGLISH_ARTICLES,
    *("La", "Le", "Les", "L'", "Il", "Lo", "Gli", "I", "Un", "Un'", "Una", "Uno", "Une"),
    *("El", "Los", "Las", "O", "Os", "As"),
    *("Der", "Die", "Das", "Ein", "Eine", "De", "Het", "Een"),
    *("Den", "Det", "En", "Ett"),
    *("Ta", "To", "Oi", "Az", "Ang", "Al", "al-", "Ha-"),
)

_ARTICLE_ALTERNATION = "|".join(
    re.escape(article) for article in sorted(TRAILING_ARTICLES, key=len, reverse=True)
)
_TRAILING_ARTICLE = re.compile(r"^(?P<rest>.+), (?P<article>" + _ARTICLE_ALTERNATION + r")$")
# MovieLens writes the article before an alternative title in parentheses:
# "Killer, The (Die xue shuang xiong)".
_TRAILING_ARTICLE_BEFORE_ALTERNATIVES = re.compile(
    r"^(?P<rest>[^()]+), (?P<article>"
    + _ARTICLE_ALTERNATION
    + r")(?P<alternatives>(?: \([^()]*\))+)$"
)
_LEADING_ENGLISH_ARTICLE = re.compile(
    r"^(?P<article>" + "|".join(ENGLISH_ARTICLES) + r") (?P<rest>.+)$"
)
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
# Letters that Unicode does not decompose into a base letter and an accent.
_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",
    }
)


def display_name_from_sort_name(name: str) -> str:
    """'Godfather, The' -> 'The Godfather'; other names unchanged.

    Also 'Dolce vita, La' -> 'La Dolce vita', 'Avventura, L'' -> 'L'Avventura' and
    'Killer, The (Die xue shuang xiong)' -> 'The Killer (Die xue shuang xiong)'.
    """
    name = name.strip()
    match = _TRAILING_ARTICLE.match(name) or _TRAILING_ARTICLE_BEFORE_ALTERNATIVES.match(name)
    if not match:
        return name
    article = match["article"]
    separator = "" if article.endswith(("'", "-")) else " "
    alternatives = match.groupdict().get("alternatives") or ""
    return f"{article}{separator}{match['rest']}{alternatives}"


def sort_name_for(name: str) -> str:
    """'The Godfather' -> 'Godfather, The'; other names (and non-English articles) unchanged."""
    name = name.strip()
    match = _LEADING_ENGLISH_ARTICLE.match(name)
    if not match:
        return name
    return f"{match['rest']}, {match['article']}"


def display_and_sort_names(source_name: str) -> tuple[str, str]:
    """The name to show and the name to sort by, from a source's spelling of a title.

    A source that already writes the sort form ('Godfather, The') keeps it as the
    sort name; otherwise the sort name is derived ('The Birds' -> 'Birds, The').
    """
    source_name = " ".join(source_name.split())
    display = display_name_from_sort_name(source_name)
    if display != source_name:
        return display, source_name
    return display, sort_name_for(display)


def normalised_title_key(name: str) -> str:
    """A key under which two sources' spellings of one title meet.

    Case, accents, apostrophes, punctuation, a leading or trailing article and
    "&"/"and" are ignored. A name made only of punctuation ("$") keys as itself.
    """
    display = display_name_from_sort_name(name)
    text = unicodedata.normalize("NFKD", display.lower().translate(_TRANSLITERATIONS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if len(words) > 1 and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words) or name.strip().lower()


def person_sort_name_for(name: str) -> str:
    """'Marlon Brando' -> 'Brando, Marlon'; a single name stays as it is."""
    given, _, family = name.strip().rpartition(" ")
    return f"{family}, {given}" if given else family
