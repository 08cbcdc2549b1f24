"""How titles are named and sorted: leading articles move to the end for sorting.

IMDb-style sources write "Godfather, The"; viewers read "The Godfather" and
shelves sort it under G.
"""

import re
import unicodedata

LEADING_ARTICLES = ("The", "A", "An", "Le", "La", "Les", "L'", "El", "Il", "Der", "Die", "Das")

_TRAILING_ARTICLE = re.compile(
    r"^(?P<rest>.+), (?P<article>" + "|".join(re.escape(a) for a in LEADING_ARTICLES) + r")$"
)
_LEADING_ARTICLE = re.compile(
    r"^(?P<article>" + "|".join(re.escape(a) for a in LEADING_ARTICLES if not a.endswith("'")) + r") (?P<rest>.+)$"
)


def display_name_from_sort_name(name: str) -> str:
    """'Godfather, The' -> 'The Godfather'; other names unchanged."""
    name = name.strip()
    match = _TRAILING_ARTICLE.match(name)
    if not match:
        return name
    article = match["article"]
    separator = "" if article.endswith("'") else " "
    return f"{article}{separator}{match['rest']}"


def sort_name_for(name: str) -> str:
    """'The Godfather' -> 'Godfather, The'; other names unchanged."""
    name = name.strip()
    match = _LEADING_ARTICLE.match(name)
    if not match:
        return name
    return f"{match['rest']}, {match['article']}"


def normalised_title_key(name: str) -> str:
    """A key under which two sources' spellings of one title meet.

    Case, accents, punctuation, a leading or trailing article and "&"/"and" are ignored.
    """
    display = display_name_from_sort_name(name)
    text = unicodedata.normalize("NFKD", display)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    words = text.split()
    if words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words)
