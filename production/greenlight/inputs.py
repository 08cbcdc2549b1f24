"""What the greenlight scorecard weighs, gathered now: the production's facts from the
catalog (`production.selectors`) and the audience's figures (`audience.figures`), the only
place the production app reads the audience from outside its GraphQL layer."""

from __future__ import annotations

import datetime

from audience.figures import (
    GenreViewing,
    Segment,
    ViewingWindow,
    genre_affinities,
    genre_viewing,
    latest_viewing_day,
    title_views,
    typical_views_by_kind,
    viewers_like_these,
)
from catalog.models import Genre, Title
from production import selectors
from production.greenlight import scoring as greenlight
from production.greenlight.figures import (
    ALL_VIEWERS,
    GenreShare,
    GreenlightInputs,
    LikelySegment,
    ProductionFacts,
    SegmentGenreShares,
    ViewedTitle,
    with_views,
)
from production.greenlight.talent import attached_person
from production.models import Production, TargetSegment


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
        demand=genre_shares(targets, segments, genres, window),
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
        viewers_like_these=likely_segments(title.pk),
    )


def likely_segments(title_id: int) -> list[LikelySegment]:
    """The segments the title is likely to reach, by the known titles most like it."""
    return [
        LikelySegment(
            age_band=reach.age_band,
            gender=reach.gender,
            region=reach.region,
            share=reach.share,
            everyone_share=reach.everyone_share,
            lift=reach.lift,
            viewers=reach.viewers,
            title_ids=list(reach.title_ids),
        )
        for reach in viewers_like_these(title_id)
    ]


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
    targets: list[TargetSegment],
    segments: list[Segment],
    genres: list[Genre],
    window: ViewingWindow,
) -> list[SegmentGenreShares]:
    """Each target segment's shares of the title's genres against everyone's; with no target
    segments, the genres' shares of the hours viewed in the window against their shares of
    the titles watched (`hours_per_title_shares`)."""
    if not targets:
        return [hours_per_title_shares(genre_viewing(window), [genre.name for genre in genres])]
    wanted = {genre.pk for genre in genres}
    return [
        SegmentGenreShares(
            segment=str(target),
            genres=[
                GenreShare(row.genre.name, row.share, row.everyone_share)
                for row in affinities
                if row.genre.pk in wanted
            ],
        )
        for target, affinities in zip(targets, genre_affinities(segments), strict=True)
    ]


def hours_per_title_shares(
    viewing: dict[str, GenreViewing], genres: list[str]
) -> SegmentGenreShares:
    """All viewers' demand for `genres`: each genre's share of the hours viewed against its
    share of the titles watched (a title of several genres counts towards each)."""
    hours = genre_shares_of({name: genre.seconds_viewed for name, genre in viewing.items()})
    titles = genre_shares_of({name: genre.titles_watched for name, genre in viewing.items()})
    return SegmentGenreShares(
        segment=ALL_VIEWERS,
        genres=[
            GenreShare(genre, hours.get(genre, 0.0), titles.get(genre, 0.0))
            for genre in genres
            if genre in hours or genre in titles
        ],
    )


def genre_shares_of(amounts: dict[str, int]) -> dict[str, float]:
    """Each genre's share of the total of `amounts` (empty when it is 0)."""
    total = sum(amounts.values())
    return {name: amount / total for name, amount in amounts.items()} if total else {}
