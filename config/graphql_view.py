from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import AsyncGraphQLView
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from config.errors import FORBIDDEN
from config.graphql_errors import with_code

# Only its `process_view` check is used, so the response it would wrap does not matter.
_CSRF_CHECK = CsrfViewMiddleware(lambda _request: None)  # type: ignore[arg-type,return-value]


def _csrf_failure(request: HttpRequest) -> HttpResponseBase | None:
    """The CSRF middleware's verdict on a request: a 403 response, or None if it passes."""
    return _CSRF_CHECK.process_view(request, lambda: None, (), {})  # type: ignore[arg-type,return-value]


@method_decorator(csrf_exempt, name="dispatch")
class CatalogGraphQLView(AsyncGraphQLView):
    """The `/graphql/` endpoint: adds error codes to every error it returns.

    App clients send no cookies and need no CSRF token. A request that carries a
    session cookie (staff in a browser) is checked for CSRF like any Django form
    post, so that another site cannot act with a staff member's session.
    """

    async def dispatch(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> Any:
        if request.method == "POST" and settings.SESSION_COOKIE_NAME in request.COOKIES:
            failure = await sync_to_async(_csrf_failure)(request)
            if failure is not None:
                return JsonResponse(
                    {
                        "errors": [
                            {
                                "message": "CSRF verification failed: send the csrftoken "
                                "cookie's value in the X-CSRFToken header.",
                                "extensions": {"code": FORBIDDEN},
                            }
                        ]
                    },
                    status=403,
                )
        return await super().dispatch(request, *args, **kwargs)

    async def process_result(
        self, request: HttpRequest, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [with_code(error) for error in result.errors]
        return await super().process_result(request, result)
