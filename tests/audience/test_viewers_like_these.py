"""Viewers like these: the segments a title nobody has watched is likely to reach, by the
viewing of the known titles the recommender's content map makes it most like."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audience.figures import SegmentReach, viewers_like_these
from audience.personalization.model import ItemModel, Parameters
from audience.personalization.training import train_model
from tests.audience.aggregates import refresh_aggregates
from tests.audience.westerns import (
    FANS_PER_GROUP,
    TITLES_PER_GROUP,
    new_western,
    westerns_world,
)
from tests.factories import (
    CrewCreditFactory,
    EpisodeFactory,
    GenreFactory,
    ProfileFactory,
    RecommenderModelFactory,
    SeasonFactory,
    SeriesFactory,
    TitleFactory,
    ViewingEventFactory,
)


def key(reach: SegmentReach) -> tuple[str | None, str | None, str | None]:
    return (reach.age_band, reach.gender, reach.region)


@pytest.mark.django_db
def test_a_new_western_reaches_the_segment_that_watches_its_directors_westerns() -> None:
    world = westerns_world()
    train_model()

    reaches = viewers_like_these(new_western(world).pk)

    first = reaches[0]
    # Men and women alike: the segment spans gender.
    assert key(first) == ("18-24", None, "FR")
    # The four groups watch as many hours each: a quarter of all viewing.
    assert first.everyone_share == pytest.approx(0.25)
    assert first.share > 0.9
    assert first.lift == pytest.approx(first.share / first.everyone_share)
    assert first.viewers >= 2 * TITLES_PER_GROUP
    assert len(first.title_ids) == 3
    assert set(first.title_ids) <= {title.pk for title in world.westerns}
    # Every segment listed watches the titles alike more than its share, is a different
    # audience, and comes after those with a higher lift.
    assert all(reach.lift > 1 for reach in reaches)
    assert [reach.lift for reach in reaches] == sorted((r.lift for r in reaches), reverse=True)
    for n, reach in enumerate(reaches):
        assert not any(overlap(reach, other) for other in reaches[n + 1 :])


def overlap(a: SegmentReach, b: SegmentReach) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(key(a), key(b), strict=True))


@pytest.mark.django_db
def test_a_lone_viewer_is_too_few_to_make_a_segment() -> None:
    world = westerns_world()
    # As western-minded as the French fans, but alone in the segment.
    loner = ProfileFactory(region="GB", age_band="55+")
    for title in world.westerns:
        ViewingEventFactory(profile=loner, title=title, seconds_watched=3600)
    refresh_aggregates()
    train_model()

    reaches = viewers_like_these(new_western(world).pk)

    assert key(reaches[0]) == ("18-24", None, "FR")
    assert all(reach.region != "GB" and reach.age_band != "55+" for reach in reaches)


@pytest.mark.django_db
def test_a_series_alike_counts_the_viewing_of_its_episodes() -> None:
    world = westerns_world()
    saga = SeriesFactory(name="Western Saga", genres=[world.western])
    CrewCreditFactory(title=saga, person=world.director)
    episodes = [EpisodeFactory(parent=SeasonFactory(parent=saga)) for _ in range(2)]
    for n in range(FANS_PER_GROUP):
        fan = ProfileFactory(region="US", age_band="55+", gender="female" if n % 2 else "male")
        for episode in episodes:
            ViewingEventFactory(profile=fan, title=episode, seconds_watched=1800)
    refresh_aggregates()
    train_model()

    reaches = viewers_like_these(new_western(world).pk)

    # The comedies and dramas are alike too, a little, but their viewers are listed only
    # if they watch the titles alike more than their share of all viewing.
    assert [key(reach) for reach in reaches] == [("18-24", None, "FR"), ("55+", None, None)]
    # The only viewers aged 55+: their segment spans region and gender.
    (seniors,) = [reach for reach in reaches if reach.age_band == "55+"]
    assert (seniors.gender, seniors.region) == (None, None)
    assert seniors.title_ids == (saga.pk,)
    assert seniors.viewers == FANS_PER_GROUP * len(episodes)


@pytest.mark.django_db
def test_the_second_call_takes_a_fixed_number_of_statements() -> None:
    world = westerns_world()
    train_model()
    title = new_western(world)
    viewers_like_these(title.pk)

    with CaptureQueriesContext(connection) as captured:
        assert viewers_like_these(title.pk)

    # the latest model's version (its weights are loaded once per process); the plan
    # setting, the titles' features, the viewing per segment, the setting reset
    assert len(captured) == 5


@pytest.mark.django_db
def test_without_a_model_there_is_nobody_like_them() -> None:
    world = westerns_world()

    assert viewers_like_these(new_western(world).pk) == []


@pytest.mark.django_db
def test_a_model_trained_before_the_content_map_finds_nobody() -> None:
    world = westerns_world()
    ids = np.array(sorted(title.pk for title in world.westerns), dtype=np.int64)
    old = ItemModel(ids, np.zeros((len(ids), len(ids)), dtype=np.float32), Parameters())
    RecommenderModelFactory(weights=old.to_bytes())

    assert viewers_like_these(new_western(world).pk) == []


@pytest.mark.django_db
def test_a_title_sharing_nothing_with_the_titles_watched_finds_nobody() -> None:
    westerns_world()
    train_model()
    stranger = TitleFactory(
        name="Stranger",
        genres=[GenreFactory(name="Documentary")],
        year=None,
        runtime_minutes=None,
        original_language="",
        synopsis="",
    )

    assert viewers_like_these(stranger.pk) == []
