"""FilterSets behind the catalog's list queries (the GraphQL `titles` and `people`)."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from catalog.models import Availability, Credit, Person, Title, TitleKind, TitleStatus
from catalog.search import SearchTextField, has_words, titles_matching
from config.access import is_staff
from config.errors import BadUserInput


class SearchFilter(django_filters.CharFilter):
    """A search filter whose text is checked and normalised as a search query."""

    field_class = SearchTextField


# The maturity level of a certificate for adults only; an unrated title counts as one.
ADULTS_ONLY_LEVEL = 18

REGION_CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z]{2}$", "Expected a two-letter ISO 3166-1 region code such as US."
)


def available_in(region: str, *, title: str = "") -> Q:
    """Titles open to viewers in `region` now: by their own window or their series'.

    `title` names the relation to the title when the rows filtered are another model's
    (`title="similar"` for similar titles); by default they are titles.
    """
    own = title or "pk"
    parent = f"{title}__parent" if title else "parent"
    open_windows = Availability.objects.filter(region=region.upper()).open_at(timezone.now())
    return (
        Q(Exists(open_windows.filter(title=OuterRef(own))))
        | Q(Exists(open_windows.filter(title=OuterRef(parent))))
        | Q(Exists(open_windows.filter(title=OuterRef(f"{parent}__parent"))))
    )


def public_titles(*, title: str = "") -> Q:
    """Titles anyone may see: not in production, nor a season or episode of one that is.

    A title in production is confidential until staff announce it. `title` as in
    `available_in`.
    """
    # The parents to hide under are few: PostgreSQL hashes them once, where joining each
    # title's parent and grandparent would cost a lookup per row of a whole-catalog count.
    own = f"{title}__" if title else ""
    in_production = Title.objects.filter(status=TitleStatus.IN_PRODUCTION)
    series_in_production = in_production.filter(kind=TitleKind.SERIES)
    seasons_of_series_in_production = Title.objects.filter(parent__in=series_in_production)
    return (
        ~Q(**{f"{own}status": TitleStatus.IN_PRODUCTION})
        & ~Q(**{f"{own}parent__in": in_production.values("pk")})
        & ~Q(**{f"{own}parent__in": seasons_of_series_in_production.values("pk")})
    )


def public_titles_of_few(*, title: str) -> Q:
    """`public_titles` for a handful of rows (a profile's own events): each row's title, its
    parent and grandparent looked up by key. With the parents in production hashed instead,
    PostgreSQL scans the whole catalog to keep three titles (23 ms on 100,000 titles)."""
    in_production = TitleStatus.IN_PRODUCTION
    return (
        ~Q(**{f"{title}__status": in_production})
        & ~Q(**{f"{title}__parent__status": in_production})
        & ~Q(**{f"{title}__parent__parent__status": in_production})
    )


def public_shows(*, title: str = "") -> Q:
    """`public_titles` for rows that only ever name a movie or a series (similar titles,
    charts, the home screen's picks): with no parent to hide under, the title's own status
    decides, and the join stays an index lookup rather than a hash of the whole catalog.
    """
    own = f"{title}__" if title else ""
    return ~Q(**{f"{own}status": TitleStatus.IN_PRODUCTION})


def titles_visible_to(user: Any, *, title: str = "") -> Q:
    """Titles `user` may see: every title for studio staff, public ones for anyone else.

    `title` as in `available_in`.
    """
    return Q() if is_staff(user) else public_titles(title=title)


def allowed_at_maturity_level(level: int, *, title: str = "") -> Q:
    """Titles whose certificate admits a viewer of maturity `level`.

    An unrated title counts as adults only, so only a level-18 viewer sees it. `title` as
    in `available_in`.
    """
    if level >= ADULTS_ONLY_LEVEL:
        return Q()
    prefix = f"{title}__" if title else ""
    return Q(**{f"{prefix}maturity_rating__level__lte": level})


def maturity_allows(viewer_level: int, title_level: int | None) -> bool:
    """`allowed_at_maturity_level` for a title whose certificate level is already read."""
    if viewer_level >= ADULTS_ONLY_LEVEL:
        return True
    return title_level is not None and title_level <= viewer_level


def region_argument(value: str | None, *, argument: str) -> str | None:
    """An `availableIn`-like argument, checked as the filter checks it: upper-cased, or None.

    A blank value means no region, as the filter skips it.
    """
    if value is None or not value.strip():
        return None
    try:
        REGION_CODE_VALIDATOR(value.strip())
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
        method="filter_available_in", validators=[REGION_CODE_VALIDATOR]
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

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
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
