"""The root GraphQL schema: every app's queries and mutations, merged once."""

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry_django.optimizer import DjangoOptimizerExtension

from audience.graphql.mutations import Mutation as AudienceMutation
from audience.graphql.queries import Query as AudienceQuery
from catalog.graphql.queries import Query as CatalogQuery
from config.settings.api import GRAPHQL_MAX_PAGE_SIZE
from production.graphql.mutations import Mutation as ProductionMutation
from production.graphql.queries import Query as ProductionQuery


@strawberry.type
class Query(CatalogQuery, AudienceQuery, ProductionQuery):
    pass


@strawberry.type
class Mutation(AudienceMutation, ProductionMutation):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(relay_max_results=GRAPHQL_MAX_PAGE_SIZE),
    extensions=[DjangoOptimizerExtension],
)
