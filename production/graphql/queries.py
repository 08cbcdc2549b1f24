"""The staff API's reads: productions and their work, budget and schedule."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
import strawberry_django
from strawberry import Info, relay

from catalog.graphql.fields import CountedConnection
from config.access import require_staff
from config.errors import NotFound
from config.graphql.arguments import ConnectionArguments, NodeIdArguments, node_pk
from production import models, selectors
from production.graphql.enums import Stage
from production.graphql.types import ProductionType


@strawberry.input(name="ProductionFilter")
class ProductionFilter:
    stage: Stage | None = None
    is_demo: bool | None = None


@strawberry.type
class Query:
    @strawberry_django.connection(
        CountedConnection[ProductionType],
        description="Staff only: productions, latest changed first",
        extensions=[ConnectionArguments()],
    )
    def productions(
        self, info: Info, filters: ProductionFilter | None = None
    ) -> Iterable[models.Production]:
        require_staff(info.context.request.user, action="see productions")
        return selectors.production_list(
            stage=filters.stage if filters else None,
            is_demo=filters.is_demo if filters else None,
        )

    @strawberry_django.field(
        description="Staff only: one production", extensions=[NodeIdArguments("Production")]
    )
    def production(self, info: Info, id: relay.GlobalID) -> ProductionType:
        require_staff(info.context.request.user, action="see productions")
        production = models.Production.objects.filter(
            pk=node_pk(id, type_name="Production", field="id")
        ).first()
        if production is None:
            raise NotFound("No production has this id.", field="id")
        return production  # type: ignore[return-value]
