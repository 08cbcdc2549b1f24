"""The catalog as the API shows it: titles, people, credits, artwork, availability."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import strawberry_django
import strawberry_django.federation
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from strawberry import Info, relay
from strawberry.utils.await_maybe import AwaitableOrValue
from strawberry_django.optimizer import optimize
from strawberry_django.relay import DjangoListConnection

from catalog import models
from catalog.filters import region_argument
from catalog.graphql.entities import entity_reference
from catalog.graphql.enums import (
    ArtworkKind,
    Department,
    ExternalIdSource,
    RoleType,
    TitleKind,
    TitleStatus,
)
from catalog.graphql.fields import CreditConnectionField
from catalog.graphql.loaders import title_node, title_nodes
from catalog.visibility import titles_visible_to
from config.graphql.arguments import ConnectionArguments, validated_page_size

if TYPE_CHECKING:
    from audience.graphql.types import SimilarTitleType, TitlePopularityType

DEFAULT_CAST_SIZE = 10


def _prefetch_ordered(
    lookup: str,
    queryset: Callable[[Info], QuerySet[Any]],
    to_attr: str,
    *,
    resolver_reads: Iterable[str] = (),
) -> Callable[[Info], Prefetch]:
    """A prefetch hint that lets the optimizer shape the related rows for the selection.

    `resolver_reads` are the columns the field's resolver reads whatever the client
    selected: the optimizer loads only what is selected (and under an alias, not even
    that), and a column left out would be loaded row by row.
    """

    def hint(info: Info) -> Prefetch:
        rows = _loading_also(optimize(queryset(info), info), resolver_reads)
        return Prefetch(lookup, queryset=rows, to_attr=to_attr)

    return hint


def _loading_also(queryset: QuerySet[Any], columns: Iterable[str]) -> QuerySet[Any]:
    """The queryset, loading these columns too if it loads only some (`only()` would replace
    the optimizer's list rather than add to it)."""
    loaded, deferring = queryset.query.deferred_loading
    if deferring:
        return queryset.defer(None).defer(*(set(loaded) - set(columns))) if loaded else queryset
    return queryset.only(*loaded, *columns) if loaded else queryset


def _children_rows(info: Info) -> QuerySet[models.Title]:
    return models.Title.objects.filter(titles_visible_to(info.context.request.user)).order_by(
        "number", "id"
    )


def _cast_rows(info: Info) -> QuerySet[models.Credit]:
    return models.Credit.objects.filter(role_type=models.RoleType.CAST).order_by(
        "billing_order", "id"
    )


def _crew_rows(info: Info) -> QuerySet[models.Credit]:
    return models.Credit.objects.filter(role_type=models.RoleType.CREW).order_by(
        "department", "job", "id"
    )


def _prefetched(root: Any, to_attr: str, own_rows: Callable[[], QuerySet[Any]]) -> list[Any]:
    """The rows the optimizer prefetched into `to_attr`, or else this object's own.

    The optimizer prefetches nothing for a field asked twice under aliases with different
    arguments (`directors: crew(department: DIRECTING)` beside `writers: crew(...)`): each
    then reads its own rows, one query per object, rather than failing.
    """
    rows = getattr(root, to_attr, None)
    return list(own_rows()) if rows is None else rows


def _of_visible_titles(queryset: QuerySet[Any], info: Info) -> QuerySet[Any]:
    """Rows of the titles the caller may see: a credit or award of a title in production
    would reveal it. A title's own rows need no such filter: the title is hidden with them.
    """
    return queryset.filter(titles_visible_to(info.context.request.user, title="title"))


@strawberry_django.type(
    models.Genre, name="Genre", description="A genre of the one vocabulary every source maps onto"
)
class GenreType(relay.Node):
    name: strawberry.auto
    slug: strawberry.auto


@strawberry_django.type(
    models.MaturityRating,
    name="MaturityRating",
    description="A certificate of a rating system, such as MPAA PG-13",
)
class MaturityRatingType:
    system: strawberry.auto
    code: strawberry.auto
    level: int = strawberry_django.field(
        description="Youngest age the certificate admits (0 = all ages)"
    )


@strawberry_django.type(
    models.ExternalId, name="ExternalId", description="The title's identifier in another database"
)
class ExternalIdType:
    source: ExternalIdSource
    value: strawberry.auto


@strawberry_django.type(
    models.Artwork, name="Artwork", description="A poster, backdrop or logo image of a title"
)
class ArtworkType:
    kind: ArtworkKind
    url: strawberry.auto
    width: strawberry.auto
    height: strawberry.auto
    language: strawberry.auto


@strawberry_django.type(
    models.Availability,
    name="Availability",
    description=(
        "A window in which a title may be watched in one region; "
        "seasons and episodes follow their series"
    ),
)
class AvailabilityType:
    region: str = strawberry_django.field(description="ISO 3166-1 alpha-2 country code")
    window_start: strawberry.auto
    window_end: datetime.datetime | None = strawberry_django.field(
        description="End of the window; null while open-ended"
    )

    @strawberry_django.field(
        only=["window_start", "window_end"], description="Whether the window is open now"
    )
    def is_active(self, root: models.Availability) -> bool:
        return root.is_open_at(timezone.now())


@strawberry_django.type(
    models.Award, name="Award", description="An award for a title and, for a performance, a person"
)
class AwardType:
    ceremony_year: strawberry.auto
    category: strawberry.auto
    is_winner: strawberry.auto
    title: TitleType
    person: PersonType | None

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Award], info: Info, **kwargs: Any
    ) -> QuerySet[models.Award]:
        return _of_visible_titles(queryset, info)


def _crew_department(root: models.Credit) -> Department | None:
    # A cast credit stores a blank department, which no enum value stands for.
    return Department(root.department) if root.department else None


@strawberry_django.type(
    models.Credit,
    name="Credit",
    description="A person's part in a title: a cast role or a crew job",
)
class CreditType(relay.Node):
    role_type: RoleType
    character: strawberry.auto
    billing_order: strawberry.auto
    department: Department | None = strawberry_django.field(  # type: ignore[assignment]
        _crew_department, only=["department"], description="Crew department; null for cast"
    )
    job: strawberry.auto
    person: PersonType
    title: TitleType

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Credit], info: Info, **kwargs: Any
    ) -> QuerySet[models.Credit]:
        return _of_visible_titles(queryset, info)


@strawberry_django.federation.type(
    models.Title,
    name="Title",
    description="A movie, a series, one of its seasons or one of their episodes",
    keys=["id"],
)
class TitleType(relay.Node):
    kind: TitleKind
    number: strawberry.auto
    name: strawberry.auto
    sort_name: strawberry.auto
    original_name: strawberry.auto
    synopsis: strawberry.auto
    release_date: strawberry.auto
    year: strawberry.auto
    runtime_minutes: strawberry.auto
    original_language: strawberry.auto
    maturity_rating: MaturityRatingType | None
    genres: list[GenreType]
    is_original: strawberry.auto
    status: TitleStatus
    external_ids: list[ExternalIdType]
    availability: list[AvailabilityType] = strawberry_django.field(
        field_name="availabilities",
        description="Windows in which the title may be watched, per region",
    )
    awards: list[AwardType]
    parent: TitleType | None = strawberry_django.field(
        description="The series of a season, the season of an episode"
    )
    credits: DjangoListConnection[CreditType] = strawberry_django.connection(
        field_cls=CreditConnectionField,
        description="Cast in billing order, then crew; filter by role type or department",
        extensions=[ConnectionArguments()],
    )

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> AwaitableOrValue[Iterable[Any]]:
        # Titles hide through their node lookups, not a `get_queryset`: with one, the
        # optimizer would fetch every foreign key to a title with a query of its own.
        return title_nodes(cls, info, node_ids, required=required)

    @classmethod
    def resolve_node(
        cls, node_id: str, *, info: Info, required: bool = False
    ) -> AwaitableOrValue[Any]:
        return title_node(cls, info, node_id, required=required)

    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> Awaitable[TitleType | None]:
        """The Federation entity a router asks for by id; null where `title(id:)` gives null."""
        return entity_reference(cls, info, representation)

    @strawberry_django.field(
        description=(
            "Views and hours over the trailing popularity window, in a country or GLOBAL; "
            "null when nobody watched it then"
        )
    )
    async def popularity(
        self, root: models.Title, info: Info, region: str | None = "GLOBAL"
    ) -> Annotated[TitlePopularityType, strawberry.lazy("audience.graphql.types")] | None:
        # The audience app computes popularity; importing it here would form a cycle.
        from audience.graphql.loaders import popularity_loader
        from audience.graphql.regions import region_code

        return await popularity_loader(info).load((root.pk, region_code(region)))  # type: ignore[return-value]

    @strawberry_django.field(
        description=(
            "Movies and series whose viewers also watch this one, most similar first, each "
            "with its score (0-1); with `availableIn` (a region code), only those available "
            "there now. Empty for seasons and episodes: ask their series"
        )
    )
    async def similar(
        self, root: models.Title, info: Info, first: int = 10, available_in: str | None = None
    ) -> list[Annotated[SimilarTitleType, strawberry.lazy("audience.graphql.types")]]:
        # The audience app computes similar titles; importing it here would form a cycle.
        from audience.graphql.loaders import similar_titles_loader

        limit = validated_page_size(first, argument="first")
        region = region_argument(available_in, argument="availableIn")
        return await similar_titles_loader(info).load((root.pk, limit, region))  # type: ignore[return-value]

    @strawberry_django.field(prefetch_related=["keywords"])
    def keywords(self, root: models.Title) -> list[str]:
        return [keyword.name for keyword in root.keywords.all()]

    @strawberry_django.field(
        prefetch_related=["artwork"], description="Artwork, optionally of one kind, largest first"
    )
    def artwork(self, root: models.Title, kind: ArtworkKind | None = None) -> list[ArtworkType]:
        return [art for art in root.artwork.all() if kind is None or art.kind == kind]  # type: ignore[misc]

    @strawberry_django.field(
        prefetch_related=[_prefetch_ordered("children", _children_rows, "ordered_children")],
        description="Seasons of a series or episodes of a season, in order",
    )
    def children(self, root: models.Title, info: Info) -> list[TitleType]:
        return _prefetched(
            root, "ordered_children", lambda: _children_rows(info).filter(parent=root)
        )

    @strawberry_django.field(
        prefetch_related=[_prefetch_ordered("credits", _cast_rows, "cast_credits")],
        description="The cast in billing order",
    )
    def cast(
        self, root: models.Title, info: Info, first: int = DEFAULT_CAST_SIZE
    ) -> list[CreditType]:
        limit = validated_page_size(first, argument="first")
        rows = _prefetched(
            root,
            "cast_credits",
            lambda: _cast_rows(info).filter(title=root).select_related("person"),
        )
        return rows[:limit]

    @strawberry_django.field(
        prefetch_related=[
            _prefetch_ordered("credits", _crew_rows, "crew_credits", resolver_reads=["department"])
        ],
        description="The crew, optionally of one department",
    )
    def crew(
        self, root: models.Title, info: Info, department: Department | None = None
    ) -> list[CreditType]:
        crew = _prefetched(
            root,
            "crew_credits",
            lambda: _crew_rows(info).filter(title=root).select_related("person"),
        )
        return [c for c in crew if department is None or c.department == department]


@strawberry_django.federation.type(
    models.Person,
    name="Person",
    description="Someone credited in front of or behind the camera",
    keys=["id"],
)
class PersonType(relay.Node):
    name: strawberry.auto
    birth_date: strawberry.auto
    birth_place: strawberry.auto
    biography: strawberry.auto
    awards: list[AwardType]
    credits: DjangoListConnection[CreditType] = strawberry_django.connection(
        field_cls=CreditConnectionField,
        description="The person's credits, each with its title",
        extensions=[ConnectionArguments()],
    )

    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> Awaitable[PersonType | None]:
        """The Federation entity a router asks for by id; null where `person(id:)` gives null."""
        return entity_reference(cls, info, representation)
