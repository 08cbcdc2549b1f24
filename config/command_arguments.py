"""Argument types the management commands share (for argparse's `type=`)."""

from argparse import ArgumentTypeError


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ArgumentTypeError(f"must be a positive integer, not {value}")
    return number


def non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ArgumentTypeError(f"must be zero or a positive integer, not {value}")
    return number
