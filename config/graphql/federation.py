"""The schema as an Apollo Federation 2 subgraph: `_service { sdl }` and `_entities`.

Strawberry's federation schema looks each representation up by its `__typename` and hands
it to that type's `resolve_reference`. A representation that is not an object naming one of
our entity types would fail inside that lookup as an internal error; here it is the
caller's BAD_USER_INPUT, reported at its own index while the others still resolve.
"""

from __future__ import annotations

import hmac
from typing import Any

import strawberry
import strawberry.federation
from django.conf import settings
from django.http import HttpRequest
from graphql import GraphQLUnionType
from strawberry import Info
from strawberry.federation.schema import FederationAny
from strawberry.printer import print_schema

from config.access import is_staff
from config.errors import BadUserInput, Forbidden

SDL_TOKEN_HEADER = "X-Subgraph-Token"

# Routers send the references of one fetch together: at most a page of titles (100) and
# the people on it. Each representation costs a lookup and its own selection; this bounds
# what an anonymous caller can make one request load.
MAX_REPRESENTATIONS = 200
ENTITY_UNION = "_Entity"


class SubgraphSchema(strawberry.federation.Schema):
    """A federation schema whose `_entities` rejects bad representations as bad input."""

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        if len(representations) > MAX_REPRESENTATIONS:
            raise BadUserInput(
                f"At most {MAX_REPRESENTATIONS} representations may be resolved at once.",
                field="representations",
            )
        entity_names = self._entity_type_names()
        results: list[Any] = []
        for index, representation in enumerate(representations):
            problem = _representation_problem(representation, entity_names)
            if problem is not None:
                results.append(
                    BadUserInput(f"Representation {index} {problem}", field="representations")
                )
            else:
                results.extend(super().entities_resolver(info, [representation]))
        return results

    def _entity_type_names(self) -> frozenset[str]:
        union = self._schema.type_map.get(ENTITY_UNION)
        if not isinstance(union, GraphQLUnionType):
            return frozenset()
        return frozenset(member.name for member in union.types)


def _representation_problem(representation: object, entity_names: frozenset[str]) -> str | None:
    """What is wrong with a representation, as the end of a sentence; None if nothing."""
    if not isinstance(representation, dict):
        return "must be an object with a __typename and the entity's key fields."
    type_name = representation.get("__typename")
    if type_name not in entity_names:
        names = ", ".join(sorted(entity_names))
        return f"must have a __typename of an entity of this subgraph: {names}."
    return None


@strawberry.type(name="_Service")
class SubgraphService:
    sdl: str


@strawberry.type
class FederationQuery:
    """`_service { sdl }` for the router, not for anyone: the SDL names every staff-only
    type and mutation, which introspection, off in production, would not show either."""

    @strawberry.field(name="_service")
    async def subgraph_service(self, info: Info) -> SubgraphService:
        if not await may_read_sdl(info.context.request):
            raise Forbidden(
                f"The subgraph's SDL is for the router: send its {SDL_TOKEN_HEADER} header, "
                "or sign in as staff."
            )
        return SubgraphService(sdl=print_schema(info.schema))


async def may_read_sdl(request: HttpRequest) -> bool:
    """Where introspection is on (development), or for the router's token, or staff."""
    if settings.GRAPHQL_INTROSPECTION_ENABLED:
        return True
    token: str = settings.FEDERATION_SDL_TOKEN
    sent = request.headers.get(SDL_TOKEN_HEADER, "")
    if token and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    return is_staff(await request.auser())
