"""Synthetic viewing, drawn with NumPy up front: who watches what, when, how long, on what.

A viewer sits down for a *session*: one movie, or one to eight episodes of a series played
in order. The draw, all vectorised:
- What: movies and series ("units") are ranked in a random order and picked with weight
  1 / (rank + 10) (Zipf-Mandelbrot), times 10 for a series (television is most of what a
  streaming service plays), times up to 4 for a unit released in the last year or so
  (decaying with a one-year time constant). A series session starts early in the series
  more often than late (viewers drop off) and never runs past its last aired episode.
- Who: profiles are picked with a lognormal activity weight, so a few watch a lot. A
  profile's sessions are drawn independently of each other, so two may overlap in time.
- When: a day of the window, weekends busier and the service slowly growing, and an hour of
  the viewer's local day (evenings busiest), turned into UTC by the region's offset. The
  shelf holds titles released before today (UTC); a session starts neither before the
  UTC day its newest episode (or the movie) was released nor before `now - days`, and
  ends, with its last play, by `now` (sessions last less than a day).
- How long: every episode but a session's last is completed (the viewer went on to the
  next); a session's last play is completed with a chance of 62 % for a movie and 72 % for
  an episode. A completed play lasts 90-100 % of the runtime (credits skipped), an
  abandoned one 1 second to 90 % of it, mostly early. Unknown runtimes count as 100
  minutes for a movie and 45 for an episode.
- Device: each profile has a main device (weights in vocabulary); 75 % of sessions use it.

The same inputs and seed give the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from audience.generators import vocabulary as vocab

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

SECOND_US = 1_000_000
DAY_US = 86_400 * SECOND_US
UNKNOWN_MOVIE_MINUTES = 100
UNKNOWN_EPISODE_MINUTES = 45

ZIPF_OFFSET = 10
ZIPF_EXPONENT = 1.0
SERIES_WEIGHT = 10.0
NEW_RELEASE_BOOST = 3.0  # a unit released today weighs 1 + 3 times its Zipf weight
NEW_RELEASE_DAYS = 365.0
LONGEST_BINGE = 8
BINGE_STOP_CHANCE = 0.45  # after each episode; 2.2 episodes per series session on average
MAIN_DEVICE_SHARE = 0.75
MOVIE_COMPLETION = 0.62
EPISODE_COMPLETION = 0.72
# Monday to Sunday, and each local hour from midnight.
WEEKDAY_WEIGHTS = [0.90, 0.88, 0.90, 0.95, 1.10, 1.20, 1.15]
HOUR_WEIGHTS = [3, 2, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 6, 6, 6, 7, 8, 10, 13, 15, 15, 12, 7]
GROWTH_OVER_WINDOW = 0.25  # the window's last day is 25 % busier than its first


@dataclass(frozen=True)
class Shelf:
    """What can be watched: movies and episodes released before today, each series' episodes
    together in viewing order (season, then episode number)."""

    title_id: Ints
    runtime_seconds: Ints
    release_day: Ints  # days since 1970-01-01
    unit_start: Ints  # position of each unit's first title
    unit_size: Ints  # 1 for a movie, the number of episodes of a series
    unit_is_series: Bools

    @classmethod
    def from_rows(
        cls,
        *,
        title_id: Ints,
        unit_id: Ints,
        is_episode: Bools,
        runtime_minutes: Ints,
        release_day: Ints,
    ) -> Shelf:
        """Rows sorted by unit, then viewing order; a runtime of 0 is unknown."""
        unknown = np.where(is_episode, UNKNOWN_EPISODE_MINUTES, UNKNOWN_MOVIE_MINUTES)
        minutes = np.where(runtime_minutes > 0, runtime_minutes, unknown)
        unit_start = np.flatnonzero(np.r_[True, unit_id[1:] != unit_id[:-1]])
        return cls(
            title_id=title_id,
            runtime_seconds=minutes * 60,
            release_day=release_day,
            unit_start=unit_start,
            unit_size=np.diff(np.r_[unit_start, len(title_id)]),
            unit_is_series=is_episode[unit_start],
        )

    def __len__(self) -> int:
        return len(self.title_id)


@dataclass(frozen=True)
class Window:
    """The events' time span: `days` days up to `now_us` (microseconds since 1970, UTC)."""

    now_us: int
    days: int

    @property
    def start_us(self) -> int:
        return self.now_us - self.days * DAY_US

    @property
    def first_day(self) -> int:
        """The window's first UTC day, in days since 1970-01-01."""
        return self.start_us // DAY_US


@dataclass(frozen=True)
class EventPlan:
    """The events in time order; `profile` is a position in the audience."""

    profile: Ints
    title_id: Ints
    started_us: Ints  # microseconds since 1970-01-01 UTC
    seconds_watched: Ints
    completed: Bools
    device: Ints  # a Device value

    def __len__(self) -> int:
        return len(self.profile)


@dataclass(frozen=True)
class _Sessions:
    unit: Ints
    first: Ints  # position of the first title within the unit
    length: Ints  # titles played


def plan_viewing(
    shelf: Shelf,
    utc_offset_minutes: Ints,
    *,
    events: int,
    window: Window,
    rng: np.random.Generator,
) -> EventPlan:
    """Exactly `events` events over the profiles whose UTC offsets are given."""
    sessions = _draw_sessions(shelf, events, window, rng)
    count = len(sessions.unit)
    profiles = len(utc_offset_minutes)
    activity = rng.lognormal(0.0, 1.0, profiles)
    profile = rng.choice(profiles, count, p=activity / activity.sum())
    device = _session_devices(profile, profiles, rng)

    session = np.repeat(np.arange(count), sessions.length)
    first_event = np.cumsum(sessions.length) - sessions.length
    step = np.arange(events) - first_event[session]
    position = shelf.unit_start[sessions.unit][session] + sessions.first[session] + step
    is_last = step == sessions.length[session] - 1
    is_episode = shelf.unit_is_series[sessions.unit][session]
    completed, seconds = _plays(shelf.runtime_seconds[position], is_last, is_episode, rng)

    # Each play starts when the one before it in the session ended, plus a short pause.
    pause = rng.integers(5, 120, events)
    played = np.cumsum(seconds + pause) - (seconds + pause)
    offset_s = played - played[first_event][session]
    duration_s = (offset_s + seconds)[is_last]
    release = np.maximum.reduceat(shelf.release_day[position], first_event)
    start_us = _session_starts(release, duration_s, utc_offset_minutes[profile], window, rng)
    columns = {
        "started_us": start_us[session] + offset_s * SECOND_US,
        "profile": profile[session],
        "title_id": shelf.title_id[position],
        "seconds_watched": seconds,
        "completed": completed,
        "device": device[session],
    }
    del session, step, position, is_last, is_episode, pause, played, offset_s, seconds, completed
    order = np.argsort(columns["started_us"], kind="stable")
    # Sort one column at a time, letting go of each unsorted one: a smaller peak.
    return EventPlan(**{name: columns.pop(name)[order] for name in list(columns)})


def _unit_weights(shelf: Shelf, window: Window, rng: np.random.Generator) -> Floats:
    units = len(shelf.unit_start)
    rank = rng.permutation(units)
    zipf = 1.0 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT
    newest = np.maximum.reduceat(shelf.release_day, shelf.unit_start)
    age_days = np.maximum(window.first_day + window.days - newest, 0)
    kind = np.where(shelf.unit_is_series, SERIES_WEIGHT, 1.0)
    weights = zipf * kind * (1.0 + NEW_RELEASE_BOOST * np.exp(-age_days / NEW_RELEASE_DAYS))
    result: Floats = weights / weights.sum()
    return result


def _draw_sessions(
    shelf: Shelf, events: int, window: Window, rng: np.random.Generator
) -> _Sessions:
    """Sessions whose plays add up to exactly `events` (the last one cut short if need be)."""
    weights = _unit_weights(shelf, window, rng)
    parts: list[tuple[Ints, Ints, Ints]] = []
    total = 0
    while total < events:
        batch = (events - total) // 2 + 16
        unit = rng.choice(len(weights), batch, p=weights)
        size = shelf.unit_size[unit]
        first = np.floor(size * rng.random(batch) ** 2).astype(np.int64)
        binge = np.minimum(rng.geometric(BINGE_STOP_CHANCE, batch), LONGEST_BINGE)
        length = np.minimum(binge, size - first)
        parts.append((unit, first, length))
        total += int(length.sum())
    unit, first, length = (np.concatenate(column) for column in zip(*parts, strict=True))
    played = np.cumsum(length)
    last = int(np.searchsorted(played, events))
    length = length[: last + 1].copy()
    length[last] -= int(played[last]) - events
    return _Sessions(unit[: last + 1], first[: last + 1], length)


def _session_devices(profile: Ints, profiles: int, rng: np.random.Generator) -> Ints:
    devices = np.asarray(vocab.DEVICES, np.int64)
    p = vocab.probabilities(vocab.DEVICE_WEIGHTS)
    main = rng.choice(len(devices), profiles, p=p)[profile]
    other = rng.choice(len(devices), len(profile), p=p)
    return devices[np.where(rng.random(len(profile)) < MAIN_DEVICE_SHARE, main, other)]


def _plays(
    runtime: Ints, is_last: Bools, is_episode: Bools, rng: np.random.Generator
) -> tuple[Bools, Ints]:
    """Completed or not, and seconds watched, of each play."""
    count = len(runtime)
    chance = np.where(is_episode, EPISODE_COMPLETION, MOVIE_COMPLETION)
    completed = ~is_last | (rng.random(count) < chance)
    share = np.where(completed, rng.uniform(0.9, 1.0, count), 0.9 * rng.beta(1.1, 2.2, count))
    seconds = np.maximum(np.floor(runtime * share).astype(np.int64), 1)
    return completed, seconds


def _session_starts(
    release_day: Ints,
    duration_s: Ints,
    utc_offset_minutes: Ints,
    window: Window,
    rng: np.random.Generator,
) -> Ints:
    """When each session starts, in microseconds since 1970 (see the module docstring)."""
    count = len(release_day)
    days = window.days + 1  # calendar days the window touches
    weekday = (window.first_day + np.arange(days) + 3) % 7  # 1970-01-01 was a Thursday
    day_weights = np.asarray(WEEKDAY_WEIGHTS)[weekday] * (
        1.0 + GROWTH_OVER_WINDOW * np.arange(days) / days
    )
    day = rng.choice(days, count, p=day_weights / day_weights.sum())
    # Titles released inside the window are watched only from their release day on.
    released = np.clip(release_day - window.first_day, 0, days - 1)
    day = released + day * (days - released) // days
    hour = rng.choice(24, count, p=vocab.probabilities(HOUR_WEIGHTS))
    local_s = hour * 3600 + rng.integers(0, 3600, count)
    start = (window.first_day + day) * DAY_US + (local_s - utc_offset_minutes * 60) * SECOND_US
    earliest = np.maximum(window.start_us, release_day * DAY_US)
    latest = window.now_us - duration_s * SECOND_US
    # Move stragglers by whole days, which keeps their local hour, then clamp the rest.
    start = np.where(start > latest, start - _days_up(start - latest), start)
    start = np.where(start < earliest, start + _days_up(earliest - start), start)
    result: Ints = np.minimum(np.maximum(start, earliest), latest)
    return result


def _days_up(span_us: Ints) -> Ints:
    """`span_us` rounded up to whole days, in microseconds."""
    result: Ints = -(-span_us // DAY_US) * DAY_US
    return result
