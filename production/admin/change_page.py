"""The overview on a production's page: its greenlight scorecard with the scoring's track
record, its timeline, its history and its budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from production.charts import (
    MoveMark,
    ShootDayMark,
    StagePeriod,
    Timeline,
    budget_chart_svg,
    format_usd,
    timeline_svg,
)
from production.greenlight.figures import (
    likely_segments_in_words,
    stored_likely_segments,
    stored_scoring_version,
)
from production.greenlight.scoring import SCORING_VERSION
from production.greenlight.track_record import track_record_of
from production.models import (
    STAGE_ORDER,
    BudgetLine,
    GreenlightScorecard,
    Production,
    Release,
    ShootDayStatus,
    Stage,
    StageTransition,
)
from production.selectors import budget_summary

TIMELINE_ID = "production-timeline"
BUDGET_ID = "production-budget"


def production_overview(production: Production) -> dict[str, object]:
    """The charts and the history table of the page; four queries whatever their sizes."""
    today = timezone.localdate()
    transitions = list(
        StageTransition.objects.filter(production=production)
        .select_related("moved_by")
        .order_by("moved_at", "id")
    )
    summary = budget_summary(list(BudgetLine.objects.filter(production=production)))
    return {
        "greenlight": greenlight_panel(production),
        "timeline": timeline_svg(production_timeline(production, transitions, today)),
        "transitions": transitions,
        "budget": summary,
        "budget_planned": format_usd(summary.planned_usd),
        "budget_actual": format_usd(summary.actual_usd),
        "budget_chart": (
            budget_chart_svg(
                summary,
                chart_id=BUDGET_ID,
                title=f"Budget of {production.title}: planned and actual",
            )
            if summary.categories
            else None
        ),
    }


@dataclass(frozen=True)
class GreenlightPanel:
    scorecard: GreenlightScorecard | None  # None until the worker has computed it
    method: str  # the scoring and its backtest, in words
    score_in_words: str | None  # where the score falls in the backtest's calibration
    viewers_like_these: str | None  # the segments the title is likely to reach, in words


def greenlight_panel(production: Production) -> GreenlightPanel:
    """The scorecard as the worker stored it, and how far its scoring can be trusted."""
    scorecard = GreenlightScorecard.objects.filter(production=production).first()
    version = SCORING_VERSION if scorecard is None else stored_scoring_version(scorecard.figures)
    record = track_record_of(version)
    method = (
        record.summary
        if record is not None
        else f"Scoring version {version} has no backtest of its weights: they are unproven."
    )
    score = None if scorecard is None else scorecard.score
    in_words = None if record is None or score is None else record.in_words(score)
    likely = [] if scorecard is None else stored_likely_segments(scorecard.figures)
    return GreenlightPanel(
        scorecard=scorecard,
        method=method,
        score_in_words=in_words,
        viewers_like_these=likely_segments_in_words(likely),
    )


def production_timeline(
    production: Production, transitions: list[StageTransition], today: date
) -> Timeline:
    release = Release.objects.filter(production=production).first()
    return Timeline(
        chart_id=TIMELINE_ID,
        title=f"Timeline of {production.title}: stages and shoot days",
        periods=_periods(production, transitions),
        moves=[_move(transition) for transition in transitions],
        shoot_days=[
            ShootDayMark(
                day=day.date,
                status=day.status,
                status_label=day.get_status_display(),
                location=day.location.name,
                is_overdue=day.status == ShootDayStatus.SCHEDULED and day.date < today,
            )
            for day in production.shoot_days.select_related("location").order_by("date")
        ],
        today=today,
        release_on=release.release_on if release else None,
        release_regions=tuple(release.regions) if release else (),
    )


def _periods(production: Production, transitions: list[StageTransition]) -> list[StagePeriod]:
    """One period per stage the production was in: from its creation to the first move, and
    from each move to the next (the last one still going on)."""
    starts = [production.created_at, *(move.moved_at for move in transitions)]
    stages = [
        transitions[0].from_stage if transitions else production.stage,
        *(move.to_stage for move in transitions),
    ]
    ends = [*starts[1:], None]
    return [
        StagePeriod(
            stage=stage,
            label=Stage(stage).label,
            starts=start,
            ends=end,
            is_cancelled=stage == Stage.CANCELLED,
        )
        for stage, start, end in zip(stages, starts, ends, strict=True)
    ]


def _move(transition: StageTransition) -> MoveMark:
    to_stage = Stage(transition.to_stage)
    is_forward = to_stage != Stage.CANCELLED and (
        Stage(transition.from_stage) == Stage.CANCELLED
        or STAGE_ORDER.index(to_stage) > STAGE_ORDER.index(Stage(transition.from_stage))
    )
    return MoveMark(
        at=transition.moved_at,
        from_label=transition.get_from_stage_display(),
        to_label=transition.get_to_stage_display(),
        moved_by=transition.moved_by.get_username(),
        reason=transition.reason,
        is_forward=is_forward,
    )
