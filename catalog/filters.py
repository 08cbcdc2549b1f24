"""FilterSets behind the catalog's list queries (the GraphQL `titles` and `people`)."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from catalog.models import Credit, Person, Title, TitleKind
from catalog.regions import validate_country_code
from catalog.search import SearchTextField, has_words, titles_matching
from catalog.visibility import available_in, titles_visible_to
from config.access import Caller
from config.errors import BadUserInput


class SearchFilter(django_filters.CharFilter):
    """A search filter whose text is checked and normalised as a search query."""

    field_class = SearchTextField


def region_argument(value: str | None, *, argument: str) -> str | None:
    """An `availableIn`-like argument, checked as the filter checks it: upper-cased, or None.

    A blank value means no region, as the filter skips it.
    """
    if value is None or not value.strip():
        return None
    try:
        validate_country_code(value)
    except ValidationError as error:
        raise BadUserInput(f"Invalid {argument}: {error.message}", field=argument) from error
    return value.strip().upper()


class TitleFilterSet(django_filters.FilterSet):
    """The filters of `titles`.

    django-filter skips empty values (after stripping them), so a `filter_*` method
    only ever sees a value to filter by.
    """

    # A plain column: no joins, so no duplicate rows for DISTINCT to remove.
    kind = django_filters.MultipleChoiceFilter(choices=TitleKind.choices, distinct=False)
    genres = django_filters.BaseInFilter(method="filter_genres")
    year_min = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_max = django_filters.NumberFilter(field_name="year", lookup_expr="lte")
    runtime_min = django_filters.NumberFilter(field_name="runtime_minutes", lookup_expr="gte")
    runtime_max = django_filters.NumberFilter(field_name="runtime_minutes", lookup_expr="lte")
    maturity_rating = django_filters.BaseInFilter(field_name="maturity_rating__code")
    original_language = django_filters.CharFilter(
        field_name="original_language", lookup_expr="iexact"
    )
    is_original = django_filters.BooleanFilter()
    available_in = django_filters.CharFilter(
        method="filter_available_in", validators=[validate_country_code]
    )
    person_id = django_filters.NumberFilter(method="filter_person")
    search = SearchFilter(method="filter_search")

    class Meta:
        model = Title
        fields: list[str] = []

    def filter_genres(
        self, queryset: QuerySet[Title], name: str, value: list[str]
    ) -> QuerySet[Title]:
        through = Title.genres.through.objects.filter(title=OuterRef("pk"), genre__slug__in=value)
        return queryset.filter(Exists(through))

    def filter_available_in(
        self, queryset: QuerySet[Title], name: str, value: str
    ) -> QuerySet[Title]:
        return queryset.filter(available_in(value))

    def filter_person(self, queryset: QuerySet[Title], name: str, value: int) -> QuerySet[Title]:
        return queryset.filter(Exists(Credit.objects.filter(title=OuterRef("pk"), person_id=value)))

    def filter_search(self, queryset: QuerySet[Title], name: str, value: str) -> QuerySet[Title]:
        return titles_matching(queryset, value)


class PersonFilterSet(django_filters.FilterSet):
    """The filters of `people`, for `user`: `title_id` names only titles they may see."""

    search = SearchFilter(method="filter_search")
    title_id = django_filters.NumberFilter(method="filter_title")

    class Meta:
        model = Person
        fields: list[str] = []

    def __init__(self, *args: Any, user: Caller | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        if not has_words(value):
            return queryset.none()
        text = value.lower()
        # Both lookups on lower(name) use the trigram index.
        return queryset.annotate(lower_name=Lower("name")).filter(
            Q(lower_name__contains=text) | Q(lower_name__trigram_similar=text)
        )

    def filter_title(self, queryset: QuerySet[Person], name: str, value: int) -> QuerySet[Person]:
        credits = Credit.objects.filter(person=OuterRef("pk"), title_id=value)
        return queryset.filter(Exists(credits.filter(titles_visible_to(self.user, title="title"))))


def filter_errors(filterset: django_filters.FilterSet) -> dict[str, Any]:
    return {
        field: [str(message) for message in messages]
        for field, messages in filterset.errors.items()
    }
