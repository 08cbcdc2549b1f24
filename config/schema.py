"""The root GraphQL schema: every app's queries and mutations, merged once.

It is also an Apollo Federation 2 subgraph (see docs/federation.md): Title and Person are
entities keyed by their global id.
"""

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry_django.optimizer import DjangoOptimizerExtension

from audience.graphql.mutations import Mutation as AudienceMutation
from audience.graphql.queries import Query as AudienceQuery
from catalog.graphql.queries import Query as CatalogQuery
from config.federation import SubgraphSchema
from config.graphql_limits import LIMIT_EXTENSIONS
from config.settings.api import GRAPHQL_MAX_PAGE_SIZE
from production.graphql.mutations import Mutation as ProductionMutation
from production.graphql.queries import Query as ProductionQuery


@strawberry.type
class Query(CatalogQuery, AudienceQuery, ProductionQuery):
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
