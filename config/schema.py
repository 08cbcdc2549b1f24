"""The root GraphQL schema: every app's queries and mutations, merged once.

It is also an Apollo Federation 2 subgraph (see docs/federation.md): Title and Person are
entities keyed by their global id.
"""

import strawberry
from strawberry import relay
from strawberry.schema.config import StrawberryConfig
from strawberry_django.optimizer import DjangoOptimizerExtension
from strawberry_django.utils.typing import has_django_definition

from audience.graphql.mutations import Mutation as AudienceMutation
from audience.graphql.queries import Query as AudienceQuery
from catalog.graphql.queries import Query as CatalogQuery
from config.graphql import optimizer as graphql_optimizer
from config.graphql.federation import FederationQuery, SubgraphSchema
from config.graphql.limits import LIMIT_EXTENSIONS
from config.settings.api import GRAPHQL_MAX_PAGE_SIZE
from production.graphql.mutations import Mutation as ProductionMutation
from production.graphql.queries import Query as ProductionQuery


@strawberry.type
class Query(FederationQuery, CatalogQuery, AudienceQuery, ProductionQuery):
    pass


@strawberry.type
class Mutation(AudienceMutation, ProductionMutation):
    pass


schema = SubgraphSchema(
    query=Query,
    mutation=Mutation,
    federation_version="2.11",
    config=StrawberryConfig(relay_max_results=GRAPHQL_MAX_PAGE_SIZE),
    extensions=[DjangoOptimizerExtension, *LIMIT_EXTENSIONS],
)


def _remember_node_id_attributes() -> None:
    """Each Node type's id attribute, found once instead of at every global id.

    strawberry-django falls back to the primary key when a type has no `NodeID` field, as
    ours do, but does not remember it: every id resolved scanned and evaluated the type's
    annotations again, 30 % of a title page's CPU. Strawberry itself reads `_id_attr` first.
    """
    for graphql_type in schema.schema_converter.type_map.values():
        origin = getattr(graphql_type.definition, "origin", None)
        if not has_django_definition(origin) or not issubclass(origin, relay.Node):
            continue
        if not origin._id_attr:
            origin._id_attr = origin.resolve_id_attr()


_remember_node_id_attributes()
graphql_optimizer.install()
