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


class CatalogError(Exception):
    """An error meant for the caller, with a machine-readable code."""

    code = INTERNAL

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadUserInput(CatalogError):
    code = BAD_USER_INPUT


class Unauthenticated(CatalogError):
    code = UNAUTHENTICATED


class NotFound(CatalogError):
    code = NOT_FOUND


class Forbidden(CatalogError):
    code = FORBIDDEN


class Conflict(CatalogError):
    code = CONFLICT
