"""The audience's write API: new profiles, and viewing events, ratings, My List and taste
picks, for the profile's account."""

from __future__ import annotations

import datetime
import uuid

import strawberry
import strawberry_django
from strawberry import Info, relay

from audience import access, services
from audience.graphql.enums import AgeBand, Device, RatingValue
from audience.graphql.types import (
    MyListEntryType,
    ProfileType,
    RatingType,
    RecordViewingEventsPayload,
    ViewingEventErrorType,
)
from config.errors import ServiceError
from config.graphql.arguments import node_pk
from config.graphql.errors import api_field_name


@strawberry.input(description="One play of a movie or an episode, as the client saw it")
class ViewingEventInput:
    profile_id: relay.GlobalID
    title_id: relay.GlobalID = strawberry.field(description="A movie or an episode")
    started_at: datetime.datetime = strawberry.field(description="With a UTC offset")
    seconds_watched: int
    completed: bool = False
    device: Device
    client_event_id: uuid.UUID = strawberry.field(
        description="Chosen by the client; sending the same event again stores it once"
    )


def _event_data(index: int, event: ViewingEventInput) -> services.ViewingEventData:
    return services.ViewingEventData(
        index=index,
        profile_id=node_pk(event.profile_id, type_name="Profile", field="profileId"),
        title_id=node_pk(event.title_id, type_name="Title", field="titleId"),
        started_at=event.started_at,
        seconds_watched=event.seconds_watched,
        completed=event.completed,
        device=event.device.value,
        client_event_id=event.client_event_id,
    )


def _parsed_events(
    events: list[ViewingEventInput],
) -> tuple[list[services.ViewingEventData], list[services.ItemError]]:
    parsed: list[services.ViewingEventData] = []
    rejected: list[services.ItemError] = []
    for index, event in enumerate(events):
        try:
            parsed.append(_event_data(index, event))
        except ServiceError as error:
            rejected.append(services.ItemError(index, error.code, error.message, error.field))
    return parsed, rejected


@strawberry.type
class Mutation:
    @strawberry_django.mutation(
        handle_django_errors=False,
        description=(
            "Create a viewer profile on the signed-in account (at most 5 per account): a name "
            "of 1-100 characters, an ISO 3166-1 alpha-2 region, a maturity level of 0-18"
        ),
    )
    def create_profile(
        self,
        info: Info,
        name: str,
        region: str,
        age_band: AgeBand,
        maturity_level: int = 18,
        language: str = "en",
    ) -> ProfileType:
        return services.profile_create(  # type: ignore[return-value]
            user=info.context.request.user,
            name=name,
            region=region,
            age_band=age_band.value,
            maturity_level=maturity_level,
            language=language,
        )

    @strawberry_django.mutation(
        handle_django_errors=False,
        description=(
            "Pick 1-20 movies or series as to a profile's taste (see onboardingTitles); its "
            "recommendations are recomputed from them at once. All or none: one title the "
            "profile may not watch refuses the lot; picking a title again changes nothing"
        ),
    )
    def choose_titles(
        self, info: Info, profile_id: relay.GlobalID, title_ids: list[relay.GlobalID]
    ) -> ProfileType:
        user = info.context.request.user
        profile_pk = node_pk(profile_id, type_name="Profile", field="profileId")
        services.taste_titles_choose(
            user=user,
            profile_id=profile_pk,
            title_ids=[
                node_pk(title_id, type_name="Title", field="titleIds") for title_id in title_ids
            ],
        )
        return access.profile_for(user, profile_pk)  # type: ignore[return-value]

    @strawberry_django.mutation(
        handle_django_errors=False,
        description=(
            "Store a batch of viewing events (at most 1,000). Invalid events are reported by "
            "index and the rest are stored; an event already stored counts as a duplicate."
        ),
    )
    def record_viewing_events(
        self, info: Info, events: list[ViewingEventInput]
    ) -> RecordViewingEventsPayload:
        parsed, rejected = _parsed_events(events)
        report = services.viewing_events_record(
            user=info.context.request.user, events=parsed, rejected=rejected
        )
        return RecordViewingEventsPayload(
            accepted=report.accepted,
            duplicates=report.duplicates,
            errors=[
                ViewingEventErrorType(
                    index=error.index,
                    code=error.code,
                    message=error.message,
                    field=error.field and api_field_name(error.field),
                )
                for error in report.errors
            ],
        )

    @strawberry_django.mutation(
        handle_django_errors=False,
        description="Rate a movie or series for a profile; rating again replaces the rating",
    )
    def rate_title(
        self, info: Info, profile_id: relay.GlobalID, title_id: relay.GlobalID, rating: RatingValue
    ) -> RatingType:
        return services.title_rate(  # type: ignore[return-value]
            user=info.context.request.user,
            profile_id=node_pk(profile_id, type_name="Profile", field="profileId"),
            title_id=node_pk(title_id, type_name="Title", field="titleId"),
            value=rating,
        )

    @strawberry_django.mutation(
        handle_django_errors=False, description="Save a movie or series to a profile's My List"
    )
    def add_to_my_list(
        self, info: Info, profile_id: relay.GlobalID, title_id: relay.GlobalID
    ) -> MyListEntryType:
        return services.my_list_add(  # type: ignore[return-value]
            user=info.context.request.user,
            profile_id=node_pk(profile_id, type_name="Profile", field="profileId"),
            title_id=node_pk(title_id, type_name="Title", field="titleId"),
        )

    @strawberry_django.mutation(
        handle_django_errors=False,
        description="Take a title off a profile's My List; false if it was not on it",
    )
    def remove_from_my_list(
        self, info: Info, profile_id: relay.GlobalID, title_id: relay.GlobalID
    ) -> bool:
        return services.my_list_remove(
            user=info.context.request.user,
            profile_id=node_pk(profile_id, type_name="Profile", field="profileId"),
            title_id=node_pk(title_id, type_name="Title", field="titleId"),
        )
