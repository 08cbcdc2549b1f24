"""The audience as the API shows it: profiles, their lists, picks and the popularity tables."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry import Info, relay
from strawberry_django.optimizer import optimize
from strawberry_django.relay import DjangoListConnection

from audience import access, models, selectors
from audience.graphql.enums import AgeBand, Gender, RatingValue, ReasonKind, Top10Category
from audience.graphql.regions import region_name
from audience.personalization import serving_rules
from catalog.graphql.loaders import title_loader
from catalog.visibility import titles_visible_to
from config.graphql.arguments import ConnectionArguments, validated_page_size

if TYPE_CHECKING:
    from catalog.graphql.types import GenreType, TitleType

Title = Annotated["TitleType", strawberry.lazy("catalog.graphql.types")]
Genre = Annotated["GenreType", strawberry.lazy("catalog.graphql.types")]

SECONDS_PER_HOUR = 3600


def _of_visible_profiles(queryset: QuerySet[Any], info: Info) -> QuerySet[Any]:
    """Rows of the profiles the caller may see, on titles they may see: `node(id:)` must
    not show anyone else's, nor a title in production to anyone but staff."""
    user = info.context.request.user
    return queryset.filter(profile__in=access.visible_profiles(user)).filter(
        titles_visible_to(user, title="title")
    )


@strawberry_django.type(models.Rating, name="Rating", description="A profile's verdict on a title")
class RatingType(relay.Node):
    title: Title
    rating: RatingValue = strawberry_django.field(field_name="value")
    rated_at: strawberry.auto

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Rating], info: Info, **kwargs: Any
    ) -> QuerySet[models.Rating]:
        return _of_visible_profiles(queryset, info)


@strawberry_django.type(
    models.MyListEntry, name="MyListEntry", description="A title the profile saved for later"
)
class MyListEntryType(relay.Node):
    title: Title
    added_at: strawberry.auto

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.MyListEntry], info: Info, **kwargs: Any
    ) -> QuerySet[models.MyListEntry]:
        return _of_visible_profiles(queryset, info)


@strawberry_django.type(
    models.ViewingEvent,
    name="ContinueWatching",
    description="A title the profile started and has not finished: its latest session",
)
class ContinueWatchingType:
    title: Title
    started_at: strawberry.auto
    seconds_watched: strawberry.auto

    @strawberry_django.field(
        only=["seconds_watched", "title__runtime_minutes"],
        select_related=["title"],
        description="Share of the runtime watched in the latest session (0-1); null if unknown",
    )
    def progress(self, root: models.ViewingEvent) -> float | None:
        return selectors.watched_share(root.seconds_watched, root.title.runtime_minutes)


@strawberry.type(name="RecommendationReason", description="Why a title is recommended")
class RecommendationReasonType:
    kind: ReasonKind
    text: str = strawberry.field(
        description="The line to show: 'Because you watched Heat', 'Popular in your country'"
    )
    because_you_watched_id: strawberry.Private[int | None]

    @strawberry.field(description="The watched title behind a BECAUSE_YOU_WATCHED reason")
    async def because_you_watched(self, info: Info) -> Title | None:
        if self.because_you_watched_id is None:
            return None
        return await title_loader(info).load(self.because_you_watched_id)  # type: ignore[return-value]


@strawberry_django.type(
    models.Recommendation,
    name="Recommendation",
    description="A movie or series picked for a profile, with the reason for it",
)
class RecommendationType:
    title: Title
    rank: int = strawberry_django.field(description="1 = the best, as computed")
    score: float = strawberry_django.field(
        description="The model's score, or the title's share of the segment's viewing"
    )
    computed_at: strawberry.auto

    # Async, though it reads nothing: a sync resolver would run in a worker thread per row,
    # and the rows' `becauseYouWatched` loads would then trickle into several batches.
    @strawberry_django.field(
        only=["reason", "because_you_watched_id", "because_you_watched__name", "link"],
        select_related=["because_you_watched"],
    )
    async def reason(self, root: models.Recommendation) -> RecommendationReasonType:
        watched = root.because_you_watched
        return RecommendationReasonType(
            kind=ReasonKind(root.reason),
            text=serving_rules.reason_text(
                root.reason, watched.name if watched else None, root.link
            ),
            because_you_watched_id=root.because_you_watched_id,
        )

    @strawberry_django.field(
        only=["model_id"],
        description="Version of the recommender model that scored it; null if by popularity",
    )
    def model_version(self, root: models.Recommendation) -> int | None:
        return root.model_id


@strawberry_django.type(
    models.SimilarTitle,
    name="SimilarTitle",
    description="A movie or series whose viewers also watch the title",
)
class SimilarTitleType:
    title: Title = strawberry_django.field(
        field_name="similar", description="The similar movie or series"
    )
    rank: int = strawberry_django.field(description="1 = the most similar")
    score: float = strawberry_django.field(
        description=(
            "Cosine similarity of the two titles' viewers (0-1), or its prediction from their "
            "metadata where one of them is new and has too little viewing"
        )
    )

    @strawberry_django.field(
        only=["link"],
        description=(
            'Why it is similar: "Viewers also watched", or for a new title what the two '
            'share ("Same director", "Shares 3 cast members")'
        ),
    )
    async def reason(self, root: models.SimilarTitle) -> str:
        return serving_rules.similarity_reason(root.link)


@strawberry_django.type(
    models.Profile,
    name="Profile",
    description="A viewer profile; only its account and staff can see it",
)
class ProfileType(relay.Node):
    name: strawberry.auto
    region: str = strawberry_django.field(description="ISO 3166-1 alpha-2 country code")
    language: strawberry.auto
    age_band: AgeBand
    maturity_level: int = strawberry_django.field(
        description="Oldest certificate level the profile may watch (0 = all ages, 18 = adults)"
    )
    my_list: DjangoListConnection[MyListEntryType] = strawberry_django.connection(
        description="Saved titles, latest first", extensions=[ConnectionArguments()]
    )
    ratings: DjangoListConnection[RatingType] = strawberry_django.connection(
        description="Ratings, latest first", extensions=[ConnectionArguments()]
    )

    @strawberry_django.field(only=["gender"])
    def gender(self, root: models.Profile) -> Gender | None:
        return Gender(root.gender) if root.gender else None

    @strawberry_django.field(
        description="Titles started and not finished, latest first, with progress"
    )
    def continue_watching(
        self, root: models.Profile, info: Info, first: int = 20
    ) -> list[ContinueWatchingType]:
        limit = validated_page_size(first, argument="first")
        events = optimize(selectors.continue_watching(root), info)
        return list(events[:limit])  # type: ignore[arg-type]

    @strawberry_django.field(
        description=(
            "Movies and series picked for the profile, best first, each with its reason; "
            "titles no longer available in its region, above its maturity level or "
            "watched since are left out"
        )
    )
    def recommendations(
        self, root: models.Profile, info: Info, first: int = 10
    ) -> list[RecommendationType]:
        limit = validated_page_size(first, argument="first")
        picks = optimize(serving_rules.recommendations_for(root), info)
        return list(picks[:limit])  # type: ignore[arg-type]

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Profile], info: Info, **kwargs: Any
    ) -> QuerySet[models.Profile]:
        # node(id:) and nodes(ids:) never show a profile its caller may not see.
        return queryset & access.visible_profiles(info.context.request.user)


@strawberry.type(name="Top10Method", description="How a Top 10 list was computed")
class Top10MethodType:
    formula: str
    window: str
    computed_at: datetime.datetime | None


@strawberry_django.type(models.Top10Entry, name="Top10Entry")
class Top10EntryType:
    rank: strawberry.auto
    title: Title
    views: float = strawberry_django.field(description="Hours viewed / runtime in hours")
    runtime_minutes: strawberry.auto
    weeks_in_top10: int = strawberry_django.field(
        description="Weeks this title has been on this list, this one included"
    )

    @strawberry_django.field(only=["seconds_viewed"])
    def hours_viewed(self, root: models.Top10Entry) -> float:
        return root.seconds_viewed / SECONDS_PER_HOUR


@strawberry.type(
    name="Top10List",
    description="A week's ten most viewed films, or TV seasons, in a region or worldwide",
)
class Top10ListType:
    week_start: datetime.date
    week_end: datetime.date
    region: str = strawberry.field(description="A country code, or GLOBAL")
    category: Top10Category
    method: Top10MethodType
    source: strawberry.Private[selectors.Top10List]

    @strawberry_django.field
    def entries(self, info: Info) -> list[Top10EntryType]:
        return list(optimize(self.source.entries(), info))  # type: ignore[arg-type]

    @classmethod
    def of(cls, top10: selectors.Top10List) -> Top10ListType:
        return cls(
            week_start=top10.week_start,
            week_end=top10.week_end,
            region=region_name(top10.region),
            category=top10.category,
            method=Top10MethodType(
                formula=selectors.TOP10_FORMULA,
                window=selectors.TOP10_WINDOW,
                computed_at=top10.computed_at,
            ),
            source=top10,
        )


@strawberry_django.type(models.TrendingEntry, name="TrendingEntry")
class TrendingEntryType:
    rank: strawberry.auto
    title: Title
    score: float = strawberry_django.field(
        description="Hours viewed per day, each day weighted by 2^(-age / half-life)"
    )
    as_of: datetime.date = strawberry_django.field(description="The day the decay counts from")


@strawberry_django.type(
    models.TitlePopularity,
    name="TitlePopularity",
    description="Views over the trailing window; episodes count towards their season and series",
)
class TitlePopularityType:
    views: float = strawberry_django.field(description="Hours viewed / runtime in hours")
    rank: int = strawberry_django.field(description="Among titles of the same kind in the region")
    window_start: datetime.date
    window_end: datetime.date

    @strawberry_django.field(only=["seconds_viewed"])
    def hours_viewed(self, root: models.TitlePopularity) -> float:
        return root.seconds_viewed / SECONDS_PER_HOUR


@strawberry.type(
    name="GenreAffinity",
    description="How much of a segment's viewing a genre takes, against everyone's",
)
class GenreAffinityType:
    genre: Genre
    hours_viewed: float
    share: float = strawberry.field(description="Of the segment's hours (0-1)")
    everyone_share: float = strawberry.field(description="Of everyone's hours (0-1)")
    lift: float | None = strawberry.field(
        description="share / everyoneShare: above 1 the segment over-indexes; null if unwatched"
    )


@strawberry.type(name="ViewingEventError", description="Why one event of a batch was not stored")
class ViewingEventErrorType:
    index: int = strawberry.field(description="Position of the event in the batch, from 0")
    code: str
    message: str
    field: str | None


@strawberry.type(name="RecordViewingEventsPayload")
class RecordViewingEventsPayload:
    accepted: int = strawberry.field(description="Events stored by this request")
    duplicates: int = strawberry.field(description="Valid events that were already stored")
    errors: list[ViewingEventErrorType]
