"""Errors meant for the caller, each with a machine-readable code.

Services and selectors raise these; the GraphQL layer shows the code as
`extensions.code`. Nothing here knows about GraphQL.
"""

BAD_USER_INPUT = "BAD_USER_INPUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
CONFLICT = "CONFLICT"
RATE_LIMITED = "RATE_LIMITED"
TIMEOUT = "TIMEOUT"
INTERNAL = "INTERNAL"


class ServiceError(Exception):
    """An error meant for the caller, with a machine-readable code."""

    code = INTERNAL

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadUserInput(ServiceError):
    code = BAD_USER_INPUT


class Unauthenticated(ServiceError):
    code = UNAUTHENTICATED


class NotFound(ServiceError):
    code = NOT_FOUND


class Forbidden(ServiceError):
    code = FORBIDDEN


class Conflict(ServiceError):
    code = CONFLICT
