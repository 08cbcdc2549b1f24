"""Reads of the catalog: the querysets the API and the admin build on."""

from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, FilteredRelation, OrderBy, Q, QuerySet
from django_filters import FilterSet

from catalog.filters import PersonFilterSet, TitleFilterSet, filter_errors
from catalog.models import Genre, Person, Title
from catalog.search import search_text
from catalog.visibility import titles_visible_to
from config.access import Caller
from config.errors import BadUserInput


class TitleSortField(Enum):
    NAME = "sort_name"
    YEAR = "year"
    RELEASE_DATE = "release_date"
    RUNTIME = "runtime_minutes"
    POPULARITY = "worldwide_popularity__views"
    RELEVANCE = "relevance"


@dataclass(frozen=True)
class TitleSort:
    field: TitleSortField
    descending: bool = False


# Columns that break ties within a sort field, as the field's own ranking does: popularity
# ranks equal views by hours viewed.
_TIE_BREAKS = {TitleSortField.POPULARITY: ["worldwide_popularity__seconds_viewed"]}


def _order_by(sorts: list[TitleSort]) -> list[OrderBy]:
    """ORDER BY for `sorts`, nulls last, with the id as the deterministic tie-break."""
    clauses = [
        F(column).desc(nulls_last=True) if sort.descending else F(column).asc(nulls_last=True)
        for sort in sorts
        for column in [sort.field.value, *_TIE_BREAKS.get(sort.field, [])]
    ]
    return [*clauses, F("id").asc()]


def title_list(
    *,
    user: Caller,
    filters: dict[str, Any] | None = None,
    sorts: list[TitleSort] | None = None,
) -> QuerySet[Title]:
    """The titles `user` may see matching `filters` (see TitleFilterSet), in the order of
    `sorts`.

    With a `search` filter and no explicit order, the most relevant titles come first;
    otherwise titles sort by name.
    """
    visible = Title.objects.filter(titles_visible_to(user))
    filterset = TitleFilterSet(data=filters or {}, queryset=visible)
    if not filterset.is_valid():
        raise _invalid_filter(filterset)
    searching = bool(filterset.form.cleaned_data.get("search"))
    sorts = sorts or [
        TitleSort(TitleSortField.RELEVANCE, descending=True)
        if searching
        else TitleSort(TitleSortField.NAME)
    ]
    if not searching and any(sort.field is TitleSortField.RELEVANCE for sort in sorts):
        raise BadUserInput("Ordering by relevance needs a search filter.", field="order")
    ordering = _order_by(sorts)
    if searching:
        ordering.insert(len(ordering) - 1, F("sort_name").asc())
    titles = filterset.qs
    if any(sort.field is TitleSortField.POPULARITY for sort in sorts):
        titles = _with_worldwide_popularity(titles)
    return titles.order_by(*ordering)


def _with_worldwide_popularity(titles: QuerySet[Title]) -> QuerySet[Title]:
    """Join the worldwide row of the popularity that the audience workers keep per title.

    Through the reverse relation's name, so the catalog does not import the audience app.
    """
    return titles.annotate(
        worldwide_popularity=FilteredRelation("popularity", condition=Q(popularity__region=""))
    )


def title_search(*, user: Caller, query: str, kinds: list[str] | None = None) -> QuerySet[Title]:
    """The titles `user` may see matching `query`, most relevant first (full text, then
    trigram fallback)."""
    try:
        text = search_text(query)
    except ValidationError as error:
        raise BadUserInput(" ".join(error.messages), field="query") from error
    if not text:
        raise BadUserInput("The search query must not be empty.", field="query")
    return title_list(user=user, filters={"search": text, "kind": kinds or []})


def person_list(*, user: Caller, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    filterset = PersonFilterSet(data=filters or {}, queryset=Person.objects.all(), user=user)
    if not filterset.is_valid():
        raise _invalid_filter(filterset)
    return filterset.qs.order_by("name", "id")


def _invalid_filter(filterset: FilterSet) -> BadUserInput:
    """The first of a filter set's errors, naming the filter."""
    field, messages = next(iter(filter_errors(filterset).items()))
    return BadUserInput(f"Invalid filter {field}: {' '.join(messages)}", field=field)


def genre_list() -> QuerySet[Genre]:
    return Genre.objects.order_by("name")
