"""Views of titles over a trailing window, for everyone or for viewer segments."""

from datetime import UTC, datetime, timedelta

import pytest

from audience.figures.affinity import Segment
from audience.figures.track_records import ViewingWindow, title_views, typical_views_by_kind
from audience.models import Profile
from catalog.models import Title
from tests.audience.aggregates import refresh_aggregates
from tests.factories import (
    EpisodeFactory,
    ProfileFactory,
    SeasonFactory,
    SeriesFactory,
    TitleFactory,
    ViewingEventFactory,
)


def watch(profile: Profile, title: Title, hours: float, *, days_ago: int = 1) -> None:
    ViewingEventFactory(
        profile=profile,
        title=title,
        seconds_watched=int(hours * 3600),
        started_at=datetime.now(UTC) - timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_views_count_a_series_through_its_episodes_and_overlapping_segments_once() -> None:
    film = TitleFactory(name="Film", runtime_minutes=120)
    unwatched = TitleFactory(name="Unwatched", runtime_minutes=90)
    series = SeriesFactory(name="Saga")
    season = SeasonFactory(parent=series)
    first, second = (EpisodeFactory(parent=season, runtime_minutes=30) for _ in range(2))
    us_adult = ProfileFactory(region="US", age_band="25-34")
    gb_teen = ProfileFactory(region="GB", age_band="13-17")
    watch(us_adult, film, 4)
    watch(us_adult, film, 6, days_ago=400)  # before the window
    watch(us_adult, first, 1)
    watch(gb_teen, second, 1)
    refresh_aggregates()
    window = ViewingWindow.trailing(365)
    # The adult is in both segments: their viewing counts once.
    us = [Segment(region="US"), Segment(region="US", age_band="25-34")]

    views = title_views([film.pk, unwatched.pk, series.pk, first.pk], window=window, segments=us)
    everyone = title_views([series.pk], window=window)
    typical = typical_views_by_kind(window=window, segments=us)

    assert set(views) == {film.pk, unwatched.pk, series.pk}  # episodes count for their series
    assert (views[film.pk].hours_viewed, views[film.pk].views) == (4.0, 2.0)
    assert (views[unwatched.pk].seconds_viewed, views[unwatched.pk].views) == (0, 0.0)
    assert (views[series.pk].runtime_minutes, views[series.pk].views) == (60, 1.0)
    assert everyone[series.pk].views == 2.0
    assert {kind: (t.median_views, t.titles) for kind, t in typical.items()} == {
        "movie": (2.0, 1),
        "series": (1.0, 1),
    }
