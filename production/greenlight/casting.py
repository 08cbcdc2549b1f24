"""Casting insights: for each casting role, the people who auditioned for it, ranked by
their audience track record (`production.greenlight.talent`), for the staff who cast it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from audience.figures import (
    Segment,
    TitleViews,
    TypicalViews,
    ViewingWindow,
    title_views,
    typical_views_by_kind,
)
from production import models, selectors
from production.greenlight import scoring as greenlight
from production.greenlight.figures import CastingInsight, TalentRecord
from production.greenlight.inputs import audience_segment
from production.greenlight.talent import attached_person, rank_auditioned, talent_record


def casting_insights(role_ids: Sequence[int]) -> list[list[CastingInsight]]:
    """For each role, the people who auditioned for it, ranked (`rank_auditioned`).

    Eight queries for roles of one production (two more per other set of target segments:
    the views and the typical views), whatever the number of roles, auditions and titles.
    """
    roles = {
        pk: (production_id, title_id, character)
        for pk, production_id, title_id, character in models.CastingRole.objects.filter(
            pk__in=role_ids
        ).values_list("pk", "production_id", "production__title_id", "character")
    }
    targets = selectors.target_segments_of({production for production, _, _ in roles.values()})
    auditioned = selectors.auditioned_people(role_ids)
    person_ids = {audition.person_id for audition in auditioned}
    earlier = selectors.earlier_titles(person_ids)
    awards = selectors.award_tallies(person_ids)
    title_ids = {title.title_id for titles in earlier.values() for title in titles}
    window = ViewingWindow.trailing(greenlight.WINDOW_DAYS)
    figures: dict[tuple[Segment, ...], tuple[dict[int, TitleViews], dict[str, TypicalViews]]] = {}
    records: dict[int, list[TalentRecord]] = defaultdict(list)
    for audition in auditioned:
        production_id, own_title_id, character = roles[audition.role_id]
        segments = tuple(map(audience_segment, targets.get(production_id, [])))
        if segments not in figures:
            figures[segments] = (
                title_views(title_ids, window=window, segments=segments),
                typical_views_by_kind(window=window, segments=segments),
            )
        viewing, typical = figures[segments]
        person = attached_person(
            person_id=audition.person_id,
            name=audition.name,
            parts=[f"auditioned: {character}"],
            earlier_titles=[
                title
                for title in earlier.get(audition.person_id, [])
                if title.title_id != own_title_id
            ],
            viewing=viewing,
            awards=awards.get(audition.person_id, (0, 0)),
        )
        typical_views = {kind: typical.median_views for kind, typical in typical.items()}
        records[audition.role_id].append(talent_record(person, typical_views))
    return [rank_auditioned(records[role_id]) for role_id in role_ids]
