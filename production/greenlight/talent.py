"""A person's audience track record, their award bonus and their score: the talent
section of the greenlight scorecard and the ranking of casting insights share them.

A person's track record is the median, over their TRACK_RECORD_TITLES most recent
earlier titles watched in the window, of each title's views / the typical views of its
kind (1.0 = par). Their score adds the award bonus. Someone with no earlier title
watched has no track record and no score: that is not a number to rank by, so they rank
after everyone who has one.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import fields

from production.greenlight.figures import (
    AttachedPerson,
    CastingInsight,
    EarlierTitle,
    Figure,
    FigureInput,
    TalentRecord,
    ViewedTitle,
    Viewing,
    with_views,
)

TRACK_RECORD_TITLES = 10
# Added to a person's track record: per award won, per nomination not won, at most.
AWARD_WIN_BONUS = 0.2
AWARD_NOMINATION_BONUS = 0.05
AWARD_BONUS_CAP = 0.6

TRACK_RECORD_FORMULA = (
    "median over the most recent earlier titles watched of views / typical views of their kind"
)
SCORE_FORMULA = "track record + award bonus"


def talent_record(person: AttachedPerson, typical_views: dict[str, float]) -> TalentRecord:
    """A person's earlier titles, track record, award bonus and score."""
    titles = [
        EarlierTitle(
            title_id=title.title_id,
            name=title.name,
            kind=title.kind,
            year=title.year,
            hours_viewed=title.hours_viewed or 0.0,
            views=title.views,
            typical_views=typical_views[title.kind],
            index=title.views / typical_views[title.kind],
        )
        for title in person.earlier_titles
        if title.views is not None and typical_views.get(title.kind)
    ][:TRACK_RECORD_TITLES]
    median_views = Figure(
        statistics.median(title.views for title in titles) if titles else None,
        "median of the earlier titles' views",
        [FigureInput(title.name, title.views) for title in titles],
    )
    track_record = Figure(
        statistics.median(title.index for title in titles) if titles else None,
        TRACK_RECORD_FORMULA,
        [FigureInput(title.name, title.index) for title in titles],
    )
    award_bonus = award_bonus_for(person.award_wins, person.award_nominations)
    score = Figure(
        None if track_record.value is None else track_record.value + (award_bonus.value or 0.0),
        SCORE_FORMULA,
        [
            FigureInput("track record", track_record.value),
            FigureInput("award bonus", award_bonus.value),
        ],
    )
    return TalentRecord(
        person_id=person.person_id,
        name=person.name,
        parts=person.parts,
        titles=titles,
        median_views=median_views,
        track_record=track_record,
        award_wins=person.award_wins,
        award_nominations=person.award_nominations,
        award_bonus=award_bonus,
        score=score,
    )


def award_bonus_for(wins: int, nominations: int) -> Figure:
    not_won = max(nominations - wins, 0)
    return Figure(
        min(AWARD_WIN_BONUS * wins + AWARD_NOMINATION_BONUS * not_won, AWARD_BONUS_CAP),
        f"min({AWARD_WIN_BONUS} x wins + {AWARD_NOMINATION_BONUS} x nominations not won, "
        f"{AWARD_BONUS_CAP})",
        [FigureInput("wins", wins), FigureInput("nominations not won", not_won)],
    )


def rank_auditioned(records: Sequence[TalentRecord]) -> list[CastingInsight]:
    """Best score first; people without a track record after them, by award bonus; then
    by name."""
    ordered = sorted(
        records,
        key=lambda record: (
            record.score.value is None,
            -(record.score.value or 0.0),
            -(record.award_bonus.value or 0.0),
            record.name,
            record.person_id,
        ),
    )
    return [
        CastingInsight(**{f.name: getattr(record, f.name) for f in fields(record)}, rank=rank)
        for rank, record in enumerate(ordered, start=1)
    ]


def attached_person(
    *,
    person_id: int,
    name: str,
    parts: list[str],
    earlier_titles: list[ViewedTitle],
    viewing: Mapping[int, Viewing],
    awards: tuple[int, int] = (0, 0),
) -> AttachedPerson:
    """A person's inputs: their earlier titles (most recent first) with views, and their
    (wins, nominations)."""
    wins, nominations = awards
    return AttachedPerson(
        person_id=person_id,
        name=name,
        parts=parts,
        earlier_titles=with_views(earlier_titles, viewing),
        award_wins=wins,
        award_nominations=nominations,
    )
