"""The `/graphql/` endpoint: GraphQL over HTTP as its specification describes it.

Strawberry's view reads GET and POST requests and runs them. This one adds:
- content negotiation: `application/graphql-response+json` or `application/json`, else 406;
- the status codes of `application/graphql-response+json`: 400 for a document that cannot run;
- 405 (`Allow: POST`) for a mutation over GET, 415 for a POST body that is not JSON;
- trusted documents (`config.graphql.trusted_documents`), sent by id or required by allow-list mode;
- a JSON body with `extensions.code` on every refusal, and a code on every GraphQL error;
- a CSRF check for requests that carry a session cookie;
- the response cache of public reads (`config.graphql.response_cache`), reported in `Cache-Status`.
"""

import json
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from asgiref.sync import sync_to_async
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.http.request import MediaType
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import AsyncGraphQLView, TemporalHttpResponse
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from config.access import is_staff
from config.errors import BAD_USER_INPUT, FORBIDDEN, NOT_FOUND
from config.graphql.errors import with_code
from config.graphql.response_cache import store as response_cache
from config.graphql.trusted_documents import (
    DocumentRefused,
    document_to_run,
    persisted_query_hash,
    trusted_documents_at,
)
from config.table_tokens import tables_read

APPLICATION_JSON = "application/json"
CACHE_STATUS = "Cache-Status"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# In order of preference on a tie (a bare `*/*`): plain JSON, which every client reads.
RESPONSE_MEDIA_TYPES = (APPLICATION_JSON, GRAPHQL_RESPONSE_JSON)
_CONTENT_TYPES = {
    APPLICATION_JSON: APPLICATION_JSON,
    GRAPHQL_RESPONSE_JSON: f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8",
}
# Parameters that make a GET a GraphQL request rather than a browser asking for GraphiQL.
_GRAPHQL_GET_PARAMETERS = ("query", "documentId", "extensions")

# Only its `process_view` check is used, so the response it would wrap does not matter.
_CSRF_CHECK = CsrfViewMiddleware(lambda _request: None)  # type: ignore[arg-type,return-value]


def _csrf_failure(request: HttpRequest) -> HttpResponseBase | None:
    """The CSRF middleware's verdict on a request: a 403 response, or None if it passes."""
    return _CSRF_CHECK.process_view(request, lambda: None, (), {})  # type: ignore[arg-type,return-value]


class RequestRefused(HTTPException):
    """A request refused before it runs, with the code and headers its response carries."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        *,
        code: str = BAD_USER_INPUT,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, reason)
        self.code = code
        self.headers = dict(headers or {})


def _specificity(media_range: MediaType, media_type: str) -> int | None:
    """How closely a range of an Accept header names `media_type` (2: exactly, 1: by its
    main type, 0: as `*/*`), or None if it does not name it."""
    main_type, sub_type = media_type.split("/")
    range_types = (media_range.main_type.lower(), media_range.sub_type.lower())
    if range_types == (main_type, sub_type):
        return 2
    if range_types == (main_type, "*"):
        return 1
    if range_types == ("*", "*"):
        return 0
    return None


def response_media_type(accept: str) -> str | None:
    """The media type to answer in, or None if the Accept header allows neither.

    No header means JSON. Each type takes the quality of the most specific range that names
    it (RFC 9110, 12.5.1), so `q=0` refuses it; the higher quality wins, then the more
    specific range, then the range listed first.
    """
    if not accept.strip():
        return APPLICATION_JSON
    ranges = [MediaType(token) for token in accept.split(",") if token.strip()]
    ranked: list[tuple[tuple[float, int, int], str]] = []
    for media_type in RESPONSE_MEDIA_TYPES:
        matches = [
            (specificity, -position, media_range.quality)
            for position, media_range in enumerate(ranges)
            if (specificity := _specificity(media_range, media_type)) is not None
        ]
        if matches:
            specificity, later_first, quality = max(matches)
            if quality > 0:
                ranked.append(((quality, specificity, later_first), media_type))
    if not ranked:
        return None
    return max(ranked, key=lambda rank_and_type: rank_and_type[0])[1]


def _is_request_error(result: ExecutionResult) -> bool:
    """Whether the document failed before it ran: not parsed, not valid, bad variables.

    Errors raised while running carry the path of their field; these carry none.
    """
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or [])
    )


def _code_for_status(status_code: int) -> str:
    return {403: FORBIDDEN, 404: NOT_FOUND}.get(status_code, BAD_USER_INPUT)


@method_decorator(csrf_exempt, name="dispatch")
class GraphQLEndpointView(AsyncGraphQLView):
    """The `/graphql/` endpoint: GraphQL over HTTP, trusted documents and error codes.

    App clients send no cookies and need no CSRF token. A request that carries a
    session cookie (staff in a browser) is checked for CSRF like any Django form
    post, so that another site cannot act with a staff member's session.
    """

    # Per request: Django makes a view instance for every request it dispatches.
    media_type = APPLICATION_JSON
    failed_before_running = False

    async def dispatch(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response: HttpResponseBase
        try:
            if request.method == "POST" and settings.SESSION_COOKIE_NAME in request.COOKIES:
                await self._check_csrf(request)
            response = await self.run(request=request)
        except HTTPException as refused:
            response = self._refusal(refused)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            response = self._refusal(
                RequestRefused(413, f"The request body is over the {limit:,} bytes allowed.")
            )
        patch_vary_headers(response, ("Accept",))
        return response

    async def _check_csrf(self, request: HttpRequest) -> None:
        if await sync_to_async(_csrf_failure)(request) is not None:
            raise RequestRefused(
                403,
                "CSRF verification failed: send the csrftoken cookie's value in the "
                "X-CSRFToken header.",
                code=FORBIDDEN,
            )

    def _refusal(self, refused: HTTPException) -> HttpResponse:
        """The response to a request refused before it ran: one error, with its code."""
        if isinstance(refused, RequestRefused):
            code, headers = refused.code, refused.headers
        else:
            code, headers = _code_for_status(refused.status_code), {}
        if refused.status_code == 405:
            headers.setdefault("Allow", "GET, POST")
        body = {"errors": [{"message": refused.reason, "extensions": {"code": code}}]}
        return HttpResponse(
            self.encode_json(body),
            status=refused.status_code,
            content_type=_CONTENT_TYPES[self.media_type],
            headers=headers,
        )

    def parse_json(self, data: str | bytes) -> Any:
        """JSON, or a 400 with a code: also for bytes that are not UTF-8, nesting past the
        decoder's recursion limit and integers past Python's 4,300 digits, which the JSON
        decoder raises as other errors than a JSONDecodeError."""
        try:
            return self.decode_json(data)
        except UnicodeDecodeError as error:
            raise RequestRefused(400, "The request body is not UTF-8 text.") from error
        except RecursionError as error:
            raise RequestRefused(400, "The request's JSON is nested too deeply.") from error
        except json.JSONDecodeError as error:
            raise RequestRefused(400, "Unable to parse request body as JSON") from error
        except ValueError as error:  # Python refuses to read an integer that long
            raise RequestRefused(
                400, "The request's JSON holds an integer of more than 4,300 digits."
            ) from error

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        return super().should_render_graphql_ide(request) and not any(
            name in request.query_params for name in _GRAPHQL_GET_PARAMETERS
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        self.media_type = self._negotiated_media_type(request)
        parameters = await self._request_parameters(request)
        request_data = await super().parse_http_body(request)
        if isinstance(request_data, list):
            for data in request_data:
                _check_operation_name(data)
                self._resolve_document(data, persisted_query_hash(data.extensions))
            return request_data
        _check_operation_name(request_data)
        document_id = parameters.get("documentId")
        if document_id is None:
            document_id = persisted_query_hash(request_data.extensions)
        self._resolve_document(request_data, document_id)
        return request_data

    def _negotiated_media_type(self, request: AsyncHTTPRequestAdapter) -> str:
        media_type = response_media_type(request.headers.get("accept", ""))
        if media_type is None:
            raise RequestRefused(
                406,
                f"This endpoint answers in {GRAPHQL_RESPONSE_JSON} or {APPLICATION_JSON}, "
                "and the Accept header allows neither.",
            )
        return media_type

    async def _request_parameters(self, request: AsyncHTTPRequestAdapter) -> Mapping[str, Any]:
        """The request's parameters as sent: the query string of a GET, the JSON body of a POST.

        Strawberry keeps only the parameters it knows, not `documentId`; it parses the body
        again, which costs little next to running the document.
        """
        if request.method == "GET":
            return request.query_params
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != APPLICATION_JSON:
            raise RequestRefused(415, f"Send the request body as {APPLICATION_JSON}.")
        parameters = self.parse_json(await request.get_body())
        if isinstance(parameters, list):  # a batch, which Strawberry accepts or refuses
            return {}
        if not isinstance(parameters, dict):
            raise RequestRefused(400, "The request body must be a JSON object.")
        return parameters

    def _resolve_document(self, data: GraphQLRequestData, document_id: object) -> None:
        """Put the text to run in `data.query`: its own, or the trusted document it names."""
        try:
            data.query = document_to_run(
                query=data.query,
                document_id=document_id,
                documents=trusted_documents_at(settings.GRAPHQL_TRUSTED_DOCUMENTS),
                trusted_only=settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY,
            )
        except DocumentRefused as refused:
            raise RequestRefused(
                self._status_of_refused_document(refused.code), refused.message, code=refused.code
            ) from refused

    def _status_of_refused_document(self, code: str) -> int:
        """A malformed id is a malformed request (400). An unknown or untrusted document is a
        GraphQL request error: 200 in `application/json`, 4xx in the newer media type."""
        if code == BAD_USER_INPUT:
            return 400
        if self.media_type == APPLICATION_JSON:
            return 200
        return 403 if code == FORBIDDEN else 400

    async def execute_single(
        self,
        request: HttpRequest,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: TemporalHttpResponse,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        compute = partial(
            super().execute_single,
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )
        try:
            return await self._through_response_cache(request, request_data, sub_response, compute)
        except HTTPException as refused:
            # GET runs queries only; a mutation sent over it is refused before it runs.
            if isinstance(refused.__cause__, InvalidOperationTypeError):
                raise RequestRefused(
                    405, f"{refused.reason}: send them with POST.", headers={"Allow": "POST"}
                ) from refused
            raise

    async def _through_response_cache(
        self,
        request: HttpRequest,
        request_data: GraphQLRequestData,
        sub_response: TemporalHttpResponse,
        compute: Callable[[], Awaitable[ExecutionResult]],
    ) -> ExecutionResult:
        """The stored response if it is fresh; else the computed one, stored if it may be."""
        key = await self._response_cache_key(request, request_data)
        if key is None:
            if response_cache.cache_available():
                sub_response[CACHE_STATUS] = response_cache.BYPASS
            return await compute()
        found = await response_cache.lookup(key)
        if found is not None and found.result is not None:
            sub_response[CACHE_STATUS] = response_cache.HIT
            return found.result
        with tables_read() as tables:
            result = await compute()
        stored = found is not None and await response_cache.store(key, result, tables, found.tokens)
        sub_response[CACHE_STATUS] = response_cache.STORED if stored else response_cache.MISS
        return result

    async def _response_cache_key(
        self, request: HttpRequest, request_data: GraphQLRequestData
    ) -> str | None:
        """The cache key of a public read by anyone but staff (who see confidential titles
        too), or None if the response may not be cached."""
        if not response_cache.cache_available() or not request_data.query:
            return None
        if is_staff(await request.auser()):  # type: ignore[attr-defined]
            return None
        return response_cache.key_for(
            request_data.query, request_data.operation_name, request_data.variables
        )

    async def process_result(
        self, request: HttpRequest, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [with_code(error) for error in result.errors]
        response = await super().process_result(request, result)
        if self.media_type == GRAPHQL_RESPONSE_JSON and _is_request_error(result):
            # Nothing ran, so the response has no `data` entry, and the status says so.
            response.pop("data", None)
            self.failed_before_running = True
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: HttpResponse,
    ) -> HttpResponseBase:
        response = super().create_response(response_data, sub_response)
        response["Content-Type"] = _CONTENT_TYPES[self.media_type]
        if self.failed_before_running:
            response.status_code = 400
        return response


def _check_operation_name(data: GraphQLRequestData) -> None:
    if not isinstance(data.operation_name, str | None):
        raise RequestRefused(
            400, "The GraphQL operation's `operationName` must be a string or null, if provided."
        )
