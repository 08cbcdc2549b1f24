"""Workers of the production app: the greenlight scorecards.

A scorecard is computed here, never on a request: the inputs come from the catalog
(`production.selectors`) and from the audience aggregates (`audience` selectors, which
only this task module and the GraphQL layer of the production app may read), the
scoring from `production.greenlight`.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import asdict, dataclass

from celery import group, shared_task
from django.db import connection, transaction
from django.utils import timezone

from audience.affinity import Segment, genre_affinities
from audience.track_records import (
    ViewingWindow,
    latest_viewing_day,
    title_views,
    typical_views_by_kind,
)
from catalog.models import Genre, Title
from config.task_retries import retried_on_transient_errors
from production import greenlight, selectors
from production.greenlight_figures import (
    ALL_VIEWERS,
    GenreShare,
    GreenlightInputs,
    ProductionFacts,
    SegmentGenreShares,
    ViewedTitle,
    with_views,
)
from production.models import ENDED_STAGES, GreenlightScorecard, Production, TargetSegment
from production.talent_scores import attached_person

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock keys of the scorecard refresh: "gree" in ASCII in the high 32
# bits, the production id in the low 32.
LOCK_NAMESPACE = 0x67726565


@dataclass(frozen=True)
class ScorecardRefresh:
    """What a refresh did: `written` is False when the inputs had not changed."""

    production_id: int
    written: bool
    recommendation: str | None = None
    fingerprint: str | None = None
    missing: bool = False  # the production no longer exists

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@shared_task(name="production.tasks.refresh_greenlight_scorecard")
@retried_on_transient_errors
def refresh_greenlight_scorecard(production_id: int) -> dict[str, object]:
    """Recompute one production's greenlight scorecard from its current inputs.

    Idempotent: the row is rewritten only when the inputs' fingerprint changed, so a
    second run with the same inputs writes nothing. Safe to run concurrently: a
    transaction-scoped advisory lock per production is held from reading the inputs to
    writing the row, so runs for one production follow each other and the last reads the
    newest inputs. Retried on database and broker errors.
    """
    return scorecard_refresh(production_id).as_dict()


@shared_task(name="production.tasks.refresh_greenlight_scorecards")
@retried_on_transient_errors
def refresh_greenlight_scorecards() -> dict[str, object]:
    """Send a scorecard refresh for every production that is neither released nor
    cancelled (their scorecards stay as last computed)."""
    production_ids = list(
        Production.objects.exclude(stage__in=ENDED_STAGES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if production_ids:
        group(refresh_greenlight_scorecard.s(pk) for pk in production_ids)()
    return {"productions": len(production_ids)}


def greenlight_refresh_on_commit(production_id: int) -> None:
    """Refresh the production's scorecard once the current transaction commits.

    For the code that changes a scorecard's inputs (target segments, cast, script
    authors, crew, budget, the title's genres, year or runtime). Outside a transaction it
    sends at once. A broker failure is logged and never fails the change that called it
    (`robust`): the nightly refresh catches up.
    """

    # A named function, not a partial: Django names the callback when it logs a failure.
    def send_greenlight_refresh() -> None:
        refresh_greenlight_scorecard.delay(production_id)

    transaction.on_commit(send_greenlight_refresh, robust=True)


def refresh_scorecard_when_committed(production_id: int, **kwargs: object) -> None:
    """The receiver of `production.signals.scorecard_inputs_changed`."""
    greenlight_refresh_on_commit(production_id)


def scorecard_lock_key(production_id: int) -> int:
    return (LOCK_NAMESPACE << 32) | (production_id & 0xFFFFFFFF)


def scorecard_refresh(production_id: int) -> ScorecardRefresh:
    """What `refresh_greenlight_scorecard` does, in-process."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [scorecard_lock_key(production_id)])
        production = Production.objects.select_related("title").filter(pk=production_id).first()
        if production is None:
            return ScorecardRefresh(production_id, written=False, missing=True)
        inputs = greenlight_inputs(production, today=timezone.now().date())
        fingerprint = greenlight.inputs_fingerprint(inputs)
        stored = (
            GreenlightScorecard.objects.filter(production=production)
            .values_list("inputs_fingerprint", "recommendation")
            .first()
        )
        if stored is not None and stored[0] == fingerprint:
            return ScorecardRefresh(production_id, False, stored[1], fingerprint)
        card = greenlight.scorecard(inputs)
        GreenlightScorecard.objects.update_or_create(
            production=production,
            defaults={
                "recommendation": card.recommendation,
                "score": card.score.value,
                "reasons": card.reasons,
                "figures": card.figures(),
                "inputs_fingerprint": fingerprint,
                "computed_at": timezone.now(),
            },
        )
    logger.info("Greenlight scorecard of production %d: %s", production_id, card.recommendation)
    return ScorecardRefresh(production_id, True, card.recommendation, fingerprint)


def greenlight_inputs(production: Production, *, today: datetime.date) -> GreenlightInputs:
    """Everything the scorecard weighs, read now: catalog facts and audience figures."""
    title = production.title
    # Measured back from the latest day with viewing, as popularity is: imported viewing
    # may end before today.
    window = ViewingWindow.trailing(greenlight.WINDOW_DAYS, until=latest_viewing_day() or today)
    targets = selectors.target_segments_of([production.pk]).get(production.pk, [])
    segments = [audience_segment(target) for target in targets]
    genres = list(title.genres.order_by("name"))
    facts = production_facts(production, genres, today, latest_year=window.end.year)
    comparables, era_band_years = watched_comparables(title, facts, genres, window, segments)
    talent = selectors.attached_talent(production)
    person_ids = [person.person_id for person in talent]
    earlier = selectors.earlier_titles(person_ids, excluding_title_ids=[title.pk])
    awards = selectors.award_tallies(person_ids)
    viewing = title_views(
        [t.title_id for ts in earlier.values() for t in ts], window=window, segments=segments
    )
    typical = typical_views_by_kind(window=window, segments=segments)
    return GreenlightInputs(
        production=facts,
        window_start=window.start.isoformat(),
        window_end=window.end.isoformat(),
        target_segments=[str(target) for target in targets],
        demand=genre_shares(targets, segments, genres),
        comparables=comparables,
        typical_views={kind: typical.median_views for kind, typical in typical.items()},
        typical_titles={kind: typical.titles for kind, typical in typical.items()},
        people=[
            attached_person(
                person_id=person.person_id,
                name=person.name,
                parts=person.parts,
                earlier_titles=earlier.get(person.person_id, []),
                viewing=viewing,
                awards=awards.get(person.person_id, (0, 0)),
            )
            for person in talent
        ],
        era_band_years=era_band_years,
    )


def watched_comparables(
    title: Title,
    facts: ProductionFacts,
    genres: list[Genre],
    window: ViewingWindow,
    segments: list[Segment],
) -> tuple[list[ViewedTitle], int]:
    """The comparable candidates with their views, from the narrowest era band in which
    enough of them were watched (else the widest), and that band."""
    for era_band_years in greenlight.ERA_BANDS_YEARS:
        candidates = selectors.comparable_candidates(
            title,
            genre_ids=[genre.pk for genre in genres],
            year=facts.comparison_year,
            era_band_years=era_band_years,
            runtime_band_minutes=greenlight.RUNTIME_BAND_MINUTES,
            limit=greenlight.COMPARABLE_CANDIDATES,
        )
        viewing = title_views([c.title_id for c in candidates], window=window, segments=segments)
        comparables = with_views(candidates, viewing)
        if sum(c.views is not None for c in comparables) >= greenlight.MIN_COMPARABLES:
            break
    return comparables, era_band_years


def audience_segment(target: TargetSegment) -> Segment:
    """The viewers a target segment means; a blank region or age band spans all."""
    return Segment(region=target.region or None, age_band=target.age_band or None)


def production_facts(
    production: Production, genres: list[Genre], today: datetime.date, *, latest_year: int
) -> ProductionFacts:
    title: Title = production.title
    year = title.year or (title.release_date.year if title.release_date else None)
    return ProductionFacts(
        production_id=production.pk,
        title_name=title.name,
        kind=title.kind,
        genres=[genre.name for genre in genres],
        year=year or today.year,
        year_assumed=year is None,
        runtime_minutes=title.runtime_minutes,
        budget_usd=production.budget_usd or title.budget_usd,
        era_year=latest_year if (year or today.year) > latest_year else None,
    )


def genre_shares(
    targets: list[TargetSegment], segments: list[Segment], genres: list[Genre]
) -> list[SegmentGenreShares]:
    """Each target segment's (or all viewers') shares of the title's genres."""
    labels = [str(target) for target in targets] or [ALL_VIEWERS]
    wanted = {genre.pk for genre in genres}
    return [
        SegmentGenreShares(
            segment=label,
            genres=[
                GenreShare(row.genre.name, row.share, row.everyone_share)
                for row in affinities
                if row.genre.pk in wanted
            ],
        )
        for label, affinities in zip(labels, genre_affinities(segments or [Segment()]), strict=True)
    ]
