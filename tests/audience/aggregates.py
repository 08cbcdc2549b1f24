"""Filling the aggregates in tests as the workers do, in-process."""

from audience.popularity.refresh import refresh_popularity, refresh_rankings


def refresh_aggregates() -> None:
    """What the beat schedule does: fold the new events in, then re-rank."""
    refresh_popularity()
    refresh_rankings()
