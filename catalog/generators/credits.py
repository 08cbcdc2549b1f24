"""Who works on the synthetic titles: cast and crew credits and the new people they need.

Credits name people by a reference into a `PersonPool`: people already in the catalog
come first (so a new batch reuses them), then slots for new people. A slot becomes a
Person row only if some credit uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from catalog.generators.titles import (
    EPISODE,
    JOB_CHANCES,
    JOBS,
    MOVIE,
    PRODUCER_JOB,
    SERIES,
    SERIES_REGULARS,
    Bools,
    Ints,
    TitlePlan,
    first_day_of,
    random_stream,
    ranks,
)

# How sharply credits pile onto a few prolific people: 1 = evenly, higher = more skewed.
PROLIFIC_SKEW = 1.5


@dataclass
class PersonPool:
    """References 0..E-1 are existing people (actors, then crew); then new actor slots,
    then new crew slots."""

    existing_actors: Ints
    existing_crew: Ints
    new_actors: int
    new_crew: int

    @property
    def existing(self) -> Ints:
        return np.concatenate([self.existing_actors, self.existing_crew])

    def draw_actors(self, rng: np.random.Generator, size: int) -> Ints:
        known = len(self.existing_actors)
        pick = _skewed(rng, known + self.new_actors, size)
        first_new = len(self.existing_actors) + len(self.existing_crew)
        return np.where(pick < known, pick, first_new + pick - known)

    def draw_crew(self, rng: np.random.Generator, size: int) -> Ints:
        known = len(self.existing_crew)
        pick = _skewed(rng, known + self.new_crew, size)
        first_new = len(self.existing_actors) + len(self.existing_crew) + self.new_actors
        return np.where(pick < known, len(self.existing_actors) + pick, first_new + pick - known)


def _skewed(rng: np.random.Generator, pool_size: int, size: int) -> Ints:
    """Indices into a pool where low indices come up far more often (prolific people)."""
    return np.floor(pool_size * rng.random(size) ** PROLIFIC_SKEW).astype(np.int64)


def _redraw_duplicates(title: Ints, person: Ints, draw: Callable[[int], Ints]) -> None:
    """Redraw people who appear twice in one title; the first appearance stays."""
    while True:
        key = title * (int(person.max(initial=0)) + 1) + person
        _, first = np.unique(key, return_index=True)
        again = np.ones(len(key), bool)
        again[first] = False
        if not again.any():
            return
        person[again] = draw(int(again.sum()))


@dataclass
class CreditPlan:
    title: Ints  # title position
    person: Ints  # reference into the pool
    job: Ints  # index into JOBS; -1 for cast
    billing: Ints  # 1, 2, ... for cast; 0 for crew
    character: Ints  # random integers for the character name, one row per credit
    pool: PersonPool


def plan_credits(
    titles: TitlePlan, seed: int, *, existing_actors: Ints, existing_crew: Ints
) -> CreditPlan:
    """Cast (character, billing order) and crew (standard jobs) of every title.

    Movies and series get their own cast; each episode repeats its series' top-billed
    regulars, with the same characters, and adds a guest or two. Crew jobs come from
    JOB_CHANCES by kind. Nobody is cast twice in a title or holds two crew jobs in it.
    """
    rng = random_stream(seed, "credits")
    n, kind = len(titles), titles.kind
    cast_count = np.zeros(n, np.int64)
    movies, series = kind == MOVIE, kind == SERIES
    cast_count[movies] = rng.integers(3, 12, int(movies.sum()))
    cast_count[series] = rng.integers(6, 15, int(series.sum()))
    episodes = np.flatnonzero(kind == EPISODE)
    guest_count = rng.integers(0, 2, len(episodes))
    crew_title, crew_job = np.nonzero(rng.random((n, len(JOBS))) < JOB_CHANCES[kind])
    is_producer = crew_job == PRODUCER_JOB
    second = crew_title[is_producer & movies[crew_title] & (rng.random(len(crew_job)) < 0.4)]
    crew_title = np.concatenate([crew_title, second])
    crew_job = np.concatenate([crew_job, np.full(len(second), PRODUCER_JOB)])

    pool = PersonPool(
        existing_actors=existing_actors,
        existing_crew=existing_crew,
        new_actors=max(1, int(cast_count.sum() + guest_count.sum()) // 3),
        new_crew=max(1, len(crew_title) // 4),
    )

    def draw_actors(size: int) -> Ints:
        return pool.draw_actors(rng, size)

    own_title = np.repeat(np.arange(n), cast_count)
    own_person = draw_actors(len(own_title))
    _redraw_duplicates(own_title, own_person, draw_actors)
    own_character = rng.integers(0, 2**31, (len(own_title), 3))

    series_of = titles.root[episodes]
    regular_count = np.minimum(cast_count[series_of], SERIES_REGULARS)
    regular_title = np.repeat(episodes, regular_count)
    regular_rank = ranks(regular_count)
    cast_start = np.cumsum(cast_count) - cast_count
    regular_source = cast_start[titles.root[regular_title]] + regular_rank

    guest_title = np.repeat(episodes, guest_count)
    guest_billing = np.repeat(regular_count, guest_count) + ranks(guest_count) + 1
    cast_title = np.concatenate([own_title, regular_title, guest_title])
    cast_person = np.concatenate(
        [own_person, own_person[regular_source], draw_actors(len(guest_title))]
    )
    # Own cast and regulars are distinct per title already, so only guests get redrawn.
    _redraw_duplicates(cast_title, cast_person, draw_actors)
    cast_billing = np.concatenate([ranks(cast_count) + 1, regular_rank + 1, guest_billing])
    cast_character = np.concatenate(
        [
            own_character,
            own_character[regular_source],
            rng.integers(0, 2**31, (len(guest_title), 3)),
        ]
    )

    crew_person = pool.draw_crew(rng, len(crew_title))
    _redraw_duplicates(crew_title, crew_person, lambda size: pool.draw_crew(rng, size))

    title = np.concatenate([cast_title, crew_title])
    job = np.concatenate([np.full(len(cast_title), -1), crew_job])
    billing = np.concatenate([cast_billing, np.zeros(len(crew_title), np.int64)])
    order = np.lexsort((job, billing, job >= 0, title))
    return CreditPlan(
        title=title[order],
        person=np.concatenate([cast_person, crew_person])[order],
        job=job[order],
        billing=billing[order],
        character=np.concatenate([cast_character, np.zeros((len(crew_title), 3), np.int64)])[order],
        pool=pool,
    )


@dataclass
class PeoplePlan:
    """Names and details for every new slot of a pool, whether used or not."""

    words: Ints  # (slots, 4): first name, last name, middle initial, birthplace
    birth_day: Ints  # days since 1970-01-01
    has_birth_date: Bools
    has_birth_place: Bools
    has_biography: Bools


def plan_people(pool: PersonPool, seed: int) -> PeoplePlan:
    rng = random_stream(seed, "people")
    slots = pool.new_actors + pool.new_crew
    birth_year = rng.integers(1925, 2004, slots)
    birth_day = first_day_of(birth_year) + rng.integers(0, 365, slots)
    return PeoplePlan(
        words=rng.integers(0, 2**31, (slots, 4)),
        birth_day=birth_day,
        has_birth_date=rng.random(slots) < 0.7,
        has_birth_place=rng.random(slots) < 0.6,
        has_biography=rng.random(slots) < 0.25,
    )
