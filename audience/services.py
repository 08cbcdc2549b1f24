"""Writes of the audience app: profiles, viewing events, ratings, My List and taste picks."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from audience.access import may_act_for, profile_for, require_signed_in, signed_in_account
from audience.models import AgeBand, MyListEntry, Profile, Rating, RatingValue, TastePick
from audience.personalization.refresh import recommendations_due
from catalog.models import Title, TitleKind
from catalog.regions import COUNTRY_CODE_EXPECTED, is_country_code
from catalog.visibility import (
    ADULTS_ONLY_LEVEL,
    allowed_at_maturity_level,
    available_in,
    public_titles,
    titles_visible_to,
)
from config.access import Caller
from config.celery.after_commit import send_after_commit
from config.errors import (
    BAD_USER_INPUT,
    FORBIDDEN,
    NOT_FOUND,
    BadUserInput,
    NotFound,
)

# Devices' clocks drift; an event a little ahead of ours is still believable.
CLOCK_SKEW = datetime.timedelta(minutes=5)
LONGEST_SESSION_SECONDS = 24 * 60 * 60
WATCHABLE_KINDS = (TitleKind.MOVIE, TitleKind.EPISODE)
LISTABLE_KINDS = (TitleKind.MOVIE, TitleKind.SERIES)
PROFILES_PER_ACCOUNT = 5
LONGEST_PROFILE_NAME = 100
# A BCP 47 tag as short as the column holds: "en", "pt-BR", "es-419".
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,4})?")
MOST_TASTE_PICKS = 20


def profile_create(
    *,
    user: Caller,
    name: str,
    region: str,
    age_band: str,
    maturity_level: int = ADULTS_ONLY_LEVEL,
    language: str = "en",
) -> Profile:
    """A new viewer profile of the caller's own account; at most PROFILES_PER_ACCOUNT each.

    The account's row is locked while its profiles are counted, so two creates at once
    cannot make one too many. Bad input changes nothing.
    """
    account = signed_in_account(user)
    profile = Profile(
        account=account,
        name=_profile_name(name),
        region=_country_code(region),
        age_band=_age_band(age_band),
        maturity_level=_maturity_level(maturity_level),
        language=_language(language),
    )
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=account.pk).values("pk").get()
        if Profile.objects.filter(account=account).count() >= PROFILES_PER_ACCOUNT:
            raise BadUserInput(
                f"An account holds at most {PROFILES_PER_ACCOUNT} profiles.", field="account"
            )
        profile.save()
    return profile


def _profile_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= LONGEST_PROFILE_NAME:
        raise BadUserInput(
            f"A profile's name holds 1 to {LONGEST_PROFILE_NAME} characters.", field="name"
        )
    return name


def _country_code(region: str) -> str:
    if not is_country_code(region.strip()):
        raise BadUserInput(COUNTRY_CODE_EXPECTED, field="region")
    return region.strip().upper()


def _age_band(age_band: str) -> str:
    if age_band not in AgeBand.values:
        raise BadUserInput(f"age_band is one of {', '.join(AgeBand.values)}.", field="age_band")
    return age_band


def _maturity_level(level: int) -> int:
    if not 0 <= level <= ADULTS_ONLY_LEVEL:
        raise BadUserInput(
            f"maturity_level lies between 0 and {ADULTS_ONLY_LEVEL}.", field="maturity_level"
        )
    return level


def _language(language: str) -> str:
    if LANGUAGE_TAG.fullmatch(language) is None:
        raise BadUserInput("Expected a language tag such as en or pt-BR.", field="language")
    return language


@dataclass(frozen=True)
class ViewingEventData:
    """One event as a client reports it; `index` is its position in the request."""

    index: int
    profile_id: int
    title_id: int
    started_at: datetime.datetime
    seconds_watched: int
    completed: bool
    device: int
    client_event_id: uuid.UUID


@dataclass(frozen=True)
class ItemError:
    index: int
    code: str
    message: str
    field: str | None = None


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    errors: list[ItemError] = field(default_factory=list)


def viewing_events_record(
    *, user: Caller, events: Sequence[ViewingEventData], rejected: Sequence[ItemError] = ()
) -> IngestReport:
    """Store the valid events of a batch; report each invalid one by its index.

    An event is stored once per (profile, client event id): a batch sent twice, even by
    two requests at the same time, stores each event once and counts the second copy as a
    duplicate. `rejected` are items the caller already found invalid; they are reported
    with the rest, in index order.
    """
    require_signed_in(user)
    batch_size = len(events) + len(rejected)
    if batch_size > settings.VIEWING_EVENTS_MAX_BATCH:
        raise BadUserInput(
            f"A batch holds at most {settings.VIEWING_EVENTS_MAX_BATCH} events, not {batch_size}.",
            field="events",
        )
    valid, errors = _checked_events(user, events)
    report = IngestReport(errors=sorted([*rejected, *errors], key=lambda error: error.index))
    if valid:
        report.accepted = _insert_new_events(valid)
        report.duplicates = len(valid) - report.accepted
    if report.accepted:
        recommendations_due({event.profile_id for event in valid})
    return report


def _checked_events(
    user: Caller, events: Sequence[ViewingEventData]
) -> tuple[list[ViewingEventData], list[ItemError]]:
    profiles = Profile.objects.in_bulk({event.profile_id for event in events})
    # A title the caller may not see is one that does not exist.
    titles = Title.objects.filter(titles_visible_to(user))
    title_kinds = dict(
        titles.filter(pk__in={event.title_id for event in events}).values_list("pk", "kind")
    )
    now = timezone.now()
    window = (now - timedelta(days=settings.VIEWING_EVENT_MAX_AGE_DAYS), now + CLOCK_SKEW)
    valid: list[ViewingEventData] = []
    errors: list[ItemError] = []
    for event in events:
        problem = _event_problem(event, profiles, title_kinds, user, window)
        if problem is None:
            valid.append(event)
        else:
            errors.append(problem)
    return valid, errors


def _event_problem(
    event: ViewingEventData,
    profiles: dict[int, Profile],
    title_kinds: dict[int, str],
    user: Caller,
    window: tuple[datetime.datetime, datetime.datetime],
) -> ItemError | None:
    def error(code: str, message: str, field: str) -> ItemError:
        return ItemError(event.index, code, message, field)

    profile = profiles.get(event.profile_id)
    if profile is None:
        return error(NOT_FOUND, "No viewer profile has this id.", "profile_id")
    if not may_act_for(user, profile):
        return error(FORBIDDEN, "This profile belongs to another account.", "profile_id")
    kind = title_kinds.get(event.title_id)
    if kind is None:
        return error(NOT_FOUND, "No title has this id.", "title_id")
    if kind not in WATCHABLE_KINDS:
        return error(
            BAD_USER_INPUT, f"A {kind} is not watched itself: send its episodes.", "title_id"
        )
    if not 0 <= event.seconds_watched <= LONGEST_SESSION_SECONDS:
        return error(
            BAD_USER_INPUT,
            f"secondsWatched must lie between 0 and {LONGEST_SESSION_SECONDS}.",
            "seconds_watched",
        )
    if event.started_at.tzinfo is None:
        return error(BAD_USER_INPUT, "startedAt needs a UTC offset.", "started_at")
    if event.started_at > window[1]:
        return error(BAD_USER_INPUT, "startedAt lies in the future.", "started_at")
    if event.started_at < window[0]:
        message = f"startedAt is more than {settings.VIEWING_EVENT_MAX_AGE_DAYS} days ago."
        return error(BAD_USER_INPUT, message, "started_at")
    return None


def _insert_new_events(events: list[ViewingEventData]) -> int:
    """Insert the events not stored yet, with the viewer's segment; how many were new.

    Rows go in key order, so two requests inserting overlapping batches wait for each
    other instead of deadlocking.
    """
    columns = list(zip(*(_event_row(event) for event in events), strict=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audience_viewingevent
                (profile_id, title_id, started_at, seconds_watched, completed, device,
                 client_event_id, region, age_band, gender)
            SELECT v.profile_id, v.title_id, v.started_at, v.seconds_watched, v.completed,
                   v.device, v.client_event_id, p.region, p.age_band, p.gender
            FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], %s::integer[],
                        %s::boolean[], %s::smallint[], %s::uuid[])
                 AS v(profile_id, title_id, started_at, seconds_watched, completed, device,
                      client_event_id)
            JOIN audience_profile p ON p.id = v.profile_id
            ORDER BY v.profile_id, v.client_event_id
            ON CONFLICT (profile_id, client_event_id) DO NOTHING
            """,
            [list(column) for column in columns],
        )
        return int(cursor.rowcount)


def _event_row(event: ViewingEventData) -> tuple[object, ...]:
    return (
        event.profile_id,
        event.title_id,
        event.started_at,
        event.seconds_watched,
        event.completed,
        event.device,
        event.client_event_id,
    )


def title_rate(*, user: Caller, profile_id: int, title_id: int, value: RatingValue) -> Rating:
    """Set the profile's rating of a title, replacing any earlier one (the latest wins)."""
    profile = profile_for(user, profile_id)
    title = _listable_title(user, title_id)
    Rating.objects.bulk_create(
        [Rating(profile=profile, title=title, value=value, rated_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["profile", "title"],
        update_fields=["value", "rated_at"],
    )
    return Rating.objects.select_related("title").get(profile=profile, title=title)


def my_list_add(*, user: Caller, profile_id: int, title_id: int) -> MyListEntry:
    """Put a title on the profile's list; adding it again keeps the first entry."""
    profile = profile_for(user, profile_id)
    title = _listable_title(user, title_id)
    MyListEntry.objects.bulk_create(
        [MyListEntry(profile=profile, title=title, added_at=timezone.now())],
        ignore_conflicts=True,
    )
    return MyListEntry.objects.select_related("title").get(profile=profile, title=title)


def my_list_remove(*, user: Caller, profile_id: int, title_id: int) -> bool:
    """Take a title off the profile's list; False if it was not on it."""
    profile = profile_for(user, profile_id)
    deleted, _ = MyListEntry.objects.filter(profile=profile, title_id=title_id).delete()
    return deleted > 0


def _listable_title(user: Caller, title_id: int) -> Title:
    """The movie or series to rate or list; NOT_FOUND for one `user` may not see."""
    title = Title.objects.filter(titles_visible_to(user), pk=title_id).first()
    if title is None:
        raise NotFound("No title has this id.", field="title_id")
    if title.kind not in LISTABLE_KINDS:
        raise BadUserInput(
            f"Only movies and series can be rated or listed, not a {title.kind}.", field="title_id"
        )
    return title


def taste_titles_choose(
    *, user: Caller, profile_id: int, title_ids: Sequence[int]
) -> list[TastePick]:
    """Record the movies and series a profile picked as to its taste, and recompute its
    recommendations at once (a worker, after the commit).

    All or nothing: one title the profile may not see refuses the whole call. Choosing a
    title again keeps its first pick.
    """
    profile = profile_for(user, profile_id)
    _check_taste_titles(profile, title_ids)
    picked_at = timezone.now()
    with transaction.atomic():
        # In key order, so two overlapping choices wait for each other, never deadlock.
        TastePick.objects.bulk_create(
            [
                TastePick(profile=profile, title_id=title_id, picked_at=picked_at)
                for title_id in sorted(title_ids)
            ],
            ignore_conflicts=True,
        )
        send_after_commit("audience.tasks.refresh_profile_recommendations", profile.pk)
    return list(
        TastePick.objects.filter(profile=profile, title_id__in=title_ids).select_related("title")
    )


def _check_taste_titles(profile: Profile, title_ids: Sequence[int]) -> None:
    if not 1 <= len(title_ids) <= MOST_TASTE_PICKS:
        raise BadUserInput(
            f"Choose 1 to {MOST_TASTE_PICKS} titles at a time, not {len(title_ids)}.",
            field="title_ids",
        )
    if len(set(title_ids)) != len(title_ids):
        raise BadUserInput("title_ids names a title more than once.", field="title_ids")
    viewable = available_in(profile.region) & allowed_at_maturity_level(profile.maturity_level)
    found = {
        title_id: (kind, may_watch)
        for title_id, kind, may_watch in Title.objects.filter(public_titles(), pk__in=title_ids)
        .annotate(may_watch=ExpressionWrapper(viewable, output_field=BooleanField()))
        .values_list("pk", "kind", "may_watch")
    }
    for position, title_id in enumerate(title_ids):
        if title_id not in found:
            raise NotFound(f"title_ids[{position}] names no title.", field="title_ids")
        kind, may_watch = found[title_id]
        if kind not in LISTABLE_KINDS:
            raise BadUserInput(
                f"title_ids[{position}] is a {kind}: only movies and series can be picked.",
                field="title_ids",
            )
        if not may_watch:
            raise BadUserInput(
                f"title_ids[{position}] is not available to this profile: not in its region "
                "now, or above its maturity level.",
                field="title_ids",
            )
