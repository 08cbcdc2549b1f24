"""Title search: PostgreSQL full-text search with ranking, trigram similarity for typos.

Full-text search (the `search_vector` GIN index) finds titles whose words match,
stemmed. When it finds nothing, as with a misspelling ("godfahter"), the
trigram index on the lower-cased name finds the titles whose names look alike.
Both return the same `relevance` annotation, so callers order by it.
"""

import unicodedata
from typing import Any

from django import forms
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.core.exceptions import ValidationError
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Greatest, Lower

from catalog.models import Title

# A search is a few words: a name, a phrase. Longer text only makes the trigram and
# full-text matching slower (5,000 characters took PostgreSQL 30 s).
SEARCH_MAX_LENGTH = 200


class SearchTextField(forms.CharField):
    """What a search query must be before it reaches SQL: NFKC-normalised with its
    whitespace collapsed and each word once, of at most SEARCH_MAX_LENGTH characters. Text
    far over the limit is refused before any work. (That it is text at all, without a NUL
    or a lone surrogate, the API checks of every string input:
    config.graphql.limits.TextInputs.)

    A word said again adds nothing to a search and cost a lot: "the man" 25 times over
    matched every title with "man" in it, each ranked against 200 characters (2.6 s)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        if isinstance(value, str) and len(value) > 4 * SEARCH_MAX_LENGTH:
            raise ValidationError(
                f"A search holds at most {SEARCH_MAX_LENGTH} characters.", code="max_length"
            )
        text = super().to_python(value) or ""
        return " ".join(_each_word_once(unicodedata.normalize("NFKC", text).split()))


def _each_word_once(words: list[str]) -> list[str]:
    """The words in order, without those said before (in any case)."""
    seen: set[str] = set()
    kept = []
    for word in words:
        if word.casefold() not in seen:
            seen.add(word.casefold())
            kept.append(word)
    return kept


def search_text(value: str) -> str:
    """`value` as SearchTextField cleans it; a ValidationError says what is wrong."""
    return str(SearchTextField(required=False).clean(value))


# ts_rank normalisation 1: divide by 1 + log(document length), so that a short
# exact name outranks a long synopsis that mentions the words once.
_RANK_NORMALISATION = 1


def has_words(text: str) -> bool:
    """Whether `text` holds a letter or a digit. Punctuation alone matches no name, and has
    no trigrams for an index to use: 200 characters of `%_` read every title's and every
    person's name (0.6-0.7 s each on 100,000 titles) to find nothing."""
    return any(character.isalnum() for character in text)


def titles_matching(queryset: QuerySet[Title], text: str) -> QuerySet[Title]:
    """The titles of `queryset` that match `text` (clean: see SearchTextField; not blank),
    annotated with `relevance`; none for a text without a word."""
    if not has_words(text):
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField())).none()
    full_text = _full_text_matches(queryset, text)
    if full_text.exists():
        return full_text
    return _similar_names(queryset, text)


def _full_text_matches(queryset: QuerySet[Title], text: str) -> QuerySet[Title]:
    query = SearchQuery(text, config="english", search_type="websearch")
    return queryset.filter(search_vector=query).annotate(
        relevance=SearchRank(F("search_vector"), query, normalization=Value(_RANK_NORMALISATION))
        + _name_likeness(Lower("name"), text.lower())
    )


def _name_likeness(name: Lower | str, text: str) -> CombinedExpression:
    """How close the name is to the text: whole words of it, then the whole of it.

    Strict word similarity puts "The Godfather: Part II" (the word itself) ahead of
    "Tokyo Godfathers"; plain similarity puts "The Godfather" ahead of both.
    """
    return TrigramStrictWordSimilarity(text, name) + TrigramSimilarity(name, text)


def _similar_names(queryset: QuerySet[Title], text: str) -> QuerySet[Title]:
    lowered = text.lower()
    return (
        queryset.annotate(lower_name=Lower("name"))
        .filter(
            Q(lower_name__trigram_similar=lowered) | Q(lower_name__trigram_word_similar=lowered)
        )
        .annotate(
            relevance=Greatest(
                _name_likeness("lower_name", lowered),
                TrigramWordSimilarity(lowered, "lower_name"),
            )
        )
    )
