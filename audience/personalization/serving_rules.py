"""What a profile is shown, and why: the rules every personalised list obeys when served.

The workers compute recommendations and similar titles ahead of time; since then a title
may have left the profile's region, or the profile may have watched it. So these rules
run again on every read, whatever the workers checked.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

from audience.models import Profile, ReasonKind, Recommendation, SimilarTitle, ViewingEvent
from audience.personalization.content import Link, link_text
from catalog.visibility import (
    allowed_at_maturity_level,
    available_in,
    public_shows,
    public_titles_of_few,
)


def viewable_by(profile: Profile, *, title: str) -> Q:
    """Public titles open in the profile's region now that its maturity level allows, for
    the profile's own few rows.

    `title` names the relation to the title from those rows.
    """
    return (
        public_titles_of_few(title=title)
        & available_in(profile.region, title=title)
        & allowed_at_maturity_level(profile.maturity_level, title=title)
    )


def watched_titles(profile: Profile) -> QuerySet[Any, Any]:
    """Ids of the movies and series the profile watched any of: an episode counts as its series.

    A subquery of `watched` values, one per event: for `__in` lookups.
    """
    return (
        ViewingEvent.objects.filter(profile=profile)
        .order_by()
        .annotate(watched=Coalesce("title__parent__parent_id", "title_id"))
        .values("watched")
    )


def recommendations_for(profile: Profile) -> QuerySet[Recommendation]:
    """The profile's recommendations it may watch here now and has not watched, best first.

    A pick for a title the profile watched that is confidential now is left out: its
    reason would name that title.
    """
    return (
        Recommendation.objects.filter(profile=profile)
        .filter(viewable_by(profile, title="title"))
        .filter(public_titles_of_few(title="because_you_watched"))
        .exclude(title_id__in=watched_titles(profile))
        .order_by("rank")
    )


def reason_text(kind: str, because_you_watched: str | None = None, link: str = "") -> str:
    """The line a front end shows with a recommendation: "Because you watched Heat", or for
    a new title "New: same director as Heat"."""
    if kind == ReasonKind.NEW_LIKE_WATCHED:
        return _new_title_reason(because_you_watched, Link.parse(link))
    if kind == ReasonKind.BECAUSE_YOU_CHOSE and because_you_watched:
        return f"Because you chose {because_you_watched}"
    if kind == ReasonKind.BECAUSE_YOU_WATCHED and because_you_watched:
        return f"Because you watched {because_you_watched}"
    if kind == ReasonKind.BECAUSE_YOU_WATCHED:
        return "Recommended for you"
    return str(ReasonKind(kind).label)


def _new_title_reason(watched: str | None, link: Link | None) -> str:
    if watched is None:
        return "New on the service"
    if link is None:
        return f"New, for viewers of {watched}"
    joiner = "as" if link.kind in ("director", "writer") else "with"
    if link.kind in ("genres", "synopsis"):
        joiner = "to"
    text = link_text(link)
    if link.kind in ("genres", "synopsis"):
        return f"New: {text}, like {watched}"
    return f"New: {text} {joiner} {watched}"


def similarity_reason(link: str) -> str:
    """Why a title is in another's similar titles: its viewers', or what they share."""
    parsed = Link.parse(link)
    if parsed is None:
        return "Viewers also watched"
    return link_text(parsed).capitalize()


def similar_titles(
    title_ids: Collection[int], *, first: int, region: str | None = None
) -> QuerySet[SimilarTitle]:
    """The `first` titles most similar to each of `title_ids`, by rank, in one query.

    Public titles only; with `region`, only those available there now, still `first` of
    each where there are.
    """
    candidates = SimilarTitle.objects.filter(title_id__in=title_ids).filter(
        public_shows(title="similar")
    )
    if region is not None:
        candidates = candidates.filter(available_in(region, title="similar"))
    ranked = candidates.annotate(
        position=Window(RowNumber(), partition_by=[F("title_id")], order_by=F("rank").asc())
    ).filter(position__lte=first)
    return SimilarTitle.objects.filter(pk__in=ranked.values("pk")).order_by("title_id", "rank")
