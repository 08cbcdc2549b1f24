"""One error model: every GraphQL error carries `extensions.code`.

Domain code raises `config.errors.ServiceError` subclasses (or Django's own
exceptions); this module turns them, and the errors of the GraphQL machinery itself, into errors a
front end can switch on.

An unexpected error (INTERNAL) is logged in full with the request id. Under
`GRAPHQL_MASK_INTERNAL_ERRORS` (production) its message, which may show code, SQL or data,
is replaced by a generic one; the caller gets the request id to quote instead.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import OperationalError
from graphql import GraphQLError
from psycopg.errors import QueryCanceled
from strawberry.relay.types import GlobalIDValueError
from strawberry.utils.str_converters import to_camel_case

from config.errors import BAD_USER_INPUT, FORBIDDEN, INTERNAL, NOT_FOUND, TIMEOUT, ServiceError
from config.request_ids import current_request_id

logger = logging.getLogger(__name__)


def code_for(error: GraphQLError) -> str:
    """The code of an error, from what was raised beneath it."""
    original = error.original_error
    if original is None:
        return BAD_USER_INPUT  # a document that failed parsing or validation
    if isinstance(original, GraphQLError) and error.path is None:
        return BAD_USER_INPUT  # variables that do not fit their types
    if isinstance(original, ServiceError):
        return original.code
    if isinstance(original, PermissionDenied):
        return FORBIDDEN
    if isinstance(original, ObjectDoesNotExist):
        return NOT_FOUND
    if isinstance(original, (ValidationError, GlobalIDValueError)):
        return BAD_USER_INPUT
    if _is_statement_timeout(original):
        return TIMEOUT
    return INTERNAL


def _is_statement_timeout(error: BaseException) -> bool:
    """PostgreSQL cancelled a statement of this request at DATABASE_STATEMENT_TIMEOUT."""
    return isinstance(error, OperationalError) and isinstance(error.__cause__, QueryCanceled)


TIMEOUT_MESSAGE = (
    "The request took longer than the API allows; ask for less (smaller pages, fewer fields)."
)


def api_field_name(field: str) -> str:
    """The API's name of the argument or input field that the domain names `field`.

    The domain speaks its own names (a service's parameter, a model's field: `budget_usd`,
    `scheduled_at`); the API spells them as the schema does (`budgetUsd`). Names the
    GraphQL layer gives already spelt that way stay as they are.
    """
    return to_camel_case(field)


def in_api_names(message: str, field: str) -> str:
    """`message` with the domain's name of `field`, where it names it, spelt as the API does
    ("Invalid filter available_in: ..." reads "Invalid filter availableIn: ...")."""
    api_name = api_field_name(field)
    if api_name == field:
        return message
    return re.sub(rf"\b{re.escape(field)}\b", api_name, message)


def with_code(error: GraphQLError) -> GraphQLError:
    """Set `extensions.code` (and, for bad input, `extensions.field`) on an error."""
    extensions: dict[str, Any] = dict(error.extensions or {})
    extensions.setdefault("code", code_for(error))
    original = error.original_error
    if isinstance(original, ServiceError) and original.field:
        extensions["field"] = api_field_name(original.field)
        error.message = in_api_names(error.message, original.field)
    if extensions["code"] == INTERNAL:
        _report_internal(error, extensions)
    if extensions["code"] == TIMEOUT:
        logger.warning("A statement of request %s hit the statement timeout", current_request_id())
        error.message = TIMEOUT_MESSAGE  # PostgreSQL's own names the statement's text
    error.extensions = extensions
    return error


MASKED_MESSAGE = "An unexpected error occurred on our side. Quote the request id when reporting it."


def _report_internal(error: GraphQLError, extensions: dict[str, Any]) -> None:
    """Log an unexpected error with its request id; mask its message if so configured."""
    request_id = current_request_id()
    logger.error(
        "Unexpected GraphQL error in request %s",
        request_id,
        exc_info=error.original_error or error,
        extra={"request_id": request_id or "-"},
    )
    if request_id is not None:
        extensions["requestId"] = request_id
    if settings.GRAPHQL_MASK_INTERNAL_ERRORS:
        error.message = MASKED_MESSAGE
