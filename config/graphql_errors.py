"""One error model: every GraphQL error carries `extensions.code`.

Domain code raises `config.errors.CatalogError` subclasses (or Django's own
exceptions); this module turns them, and the errors of the GraphQL machinery itself, into errors a
front end can switch on.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from graphql import GraphQLError
from strawberry.relay.types import GlobalIDValueError

from config.errors import BAD_USER_INPUT, FORBIDDEN, INTERNAL, NOT_FOUND, CatalogError

logger = logging.getLogger(__name__)


def code_for(error: GraphQLError) -> str:
    """The code of an error, from what was raised beneath it."""
    original = error.original_error
    if original is None:
        return BAD_USER_INPUT  # a document that failed parsing or validation
    if isinstance(original, CatalogError):
        return original.code
    if isinstance(original, PermissionDenied):
        return FORBIDDEN
    if isinstance(original, ObjectDoesNotExist):
        return NOT_FOUND
    if isinstance(original, (ValidationError, GlobalIDValueError)):
        return BAD_USER_INPUT
    return INTERNAL


def with_code(error: GraphQLError) -> GraphQLError:
    """Set `extensions.code` (and, for bad input, `extensions.field`) on an error."""
    extensions: dict[str, Any] = dict(error.extensions or {})
    extensions.setdefault("code", code_for(error))
    original = error.original_error
    if isinstance(original, CatalogError) and original.field:
        extensions["field"] = original.field
    if extensions["code"] == INTERNAL:
        logger.error("Unexpected GraphQL error", exc_info=original)
    error.extensions = extensions
    return error
