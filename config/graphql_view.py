from django.http import HttpRequest
from strawberry.django.views import AsyncGraphQLView
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from config.graphql_errors import with_code


class CatalogGraphQLView(AsyncGraphQLView):
    """The `/graphql/` endpoint: adds error codes to every error it returns."""

    async def process_result(
        self, request: HttpRequest, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [with_code(error) for error in result.errors]
        return await super().process_result(request, result)
