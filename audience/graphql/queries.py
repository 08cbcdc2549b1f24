"""The audience's read API: profiles for their account, their home screen, the popularity lists."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from strawberry import Info, relay
from strawberry_django.optimizer import optimize

from audience import access, selectors
from audience.figures import affinity
from audience.graphql.enums import AgeBand, Gender, Top10Category
from audience.graphql.home import HomeType
from audience.graphql.regions import region_code
from audience.graphql.types import (
    SECONDS_PER_HOUR,
    GenreAffinityType,
    ProfileType,
    Top10ListType,
    TrendingEntryType,
)
from audience.models import Profile
from audience.personalization import home
from catalog.graphql.loaders import visible_titles
from config.access import require_staff
from config.graphql.arguments import NodeIdArguments, node_pk, validated_page_size

if TYPE_CHECKING:
    from catalog.graphql.types import TitleType

Title = Annotated["TitleType", strawberry.lazy("catalog.graphql.types")]

DEFAULT_TRENDING_SIZE = 10
DEFAULT_ONBOARDING_SIZE = 12


@strawberry.type
class Query:
    @strawberry_django.field(
        description="A viewer profile; its account's or, for staff, anyone's",
        extensions=[NodeIdArguments("Profile")],
    )
    def profile(self, info: Info, id: relay.GlobalID) -> ProfileType:
        profile_id = node_pk(id, type_name="Profile", field="id")
        return access.profile_for(info.context.request.user, profile_id)  # type: ignore[return-value]

    @strawberry_django.field(
        description=(
            "A profile's home screen: its rows in order; its account's or, for staff, anyone's"
        )
    )
    def home(self, info: Info, profile_id: relay.GlobalID) -> HomeType:
        profile = access.profile_for(
            info.context.request.user, node_pk(profile_id, type_name="Profile", field="profileId")
        )
        return HomeType.of(home.home_screen(profile))

    @strawberry_django.field(
        description=(
            "Popular movies and series for a new profile to pick its taste from (chooseTitles): "
            "what its segment and region watch most, one per genre before any genre repeats, "
            "none it may not watch, has watched or has picked; first: 1-30. Its account's or, "
            "for staff, anyone's"
        )
    )
    def onboarding_titles(
        self, info: Info, profile_id: relay.GlobalID, first: int = DEFAULT_ONBOARDING_SIZE
    ) -> list[Title]:
        profile = access.profile_for(
            info.context.request.user, node_pk(profile_id, type_name="Profile", field="profileId")
        )
        titles = optimize(visible_titles(info), info)
        return selectors.onboarding_titles(profile, first=first, titles=titles)  # type: ignore[return-value]

    @strawberry_django.field(description="The signed-in account's viewer profiles")
    def my_profiles(self, info: Info) -> list[ProfileType]:
        user = info.context.request.user
        access.require_signed_in(user)
        profiles = Profile.objects.filter(account_id=user.pk).order_by("id")
        return list(optimize(profiles, info))  # type: ignore[arg-type]

    @strawberry_django.field(
        description=(
            "The Top 10 of a week (the week holding `week`; by default the latest), "
            "films or TV, in a country or GLOBAL"
        )
    )
    def top10(
        self,
        kind: Top10Category,
        region: str | None = "GLOBAL",
        week: datetime.date | None = None,
    ) -> Top10ListType | None:
        top10 = selectors.top10_list(region=region_code(region), category=kind, week=week)
        return None if top10 is None else Top10ListType.of(top10)

    @strawberry_django.field(
        description="Titles trending now in a country or GLOBAL: recent viewing weighs most"
    )
    def trending(
        self, info: Info, region: str | None = "GLOBAL", first: int = DEFAULT_TRENDING_SIZE
    ) -> list[TrendingEntryType]:
        limit = validated_page_size(first, argument="first")
        entries = optimize(selectors.trending(region=region_code(region)), info)
        return list(entries[:limit])  # type: ignore[arg-type]

    @strawberry_django.field(
        description=(
            "Staff only. Per genre, a segment's share of hours and its lift over everyone's; "
            "leave a dimension out to span all of it"
        )
    )
    def genre_affinity(
        self,
        info: Info,
        age_band: AgeBand | None = None,
        gender: Gender | None = None,
        region: str | None = None,
    ) -> list[GenreAffinityType]:
        require_staff(info.context.request.user, action="see audience insights")
        segment = affinity.Segment(
            age_band=age_band.value if age_band else None,
            gender=gender.value if gender else None,
            region=None if region is None else region_code(region) or None,
        )
        return [
            GenreAffinityType(
                genre=row.genre,  # type: ignore[arg-type]
                hours_viewed=row.seconds_viewed / SECONDS_PER_HOUR,
                share=row.share,
                everyone_share=row.everyone_share,
                lift=row.lift,
            )
            for row in affinity.genre_affinity(segment)
        ]
