from django.conf import settings
from django.contrib import admin
from django.urls import path

from audience.health import workers_healthz
from config.graphql.view import GraphQLEndpointView
from config.health import healthz
from config.schema import schema

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "graphql/",
        GraphQLEndpointView.as_view(
            schema=schema, graphql_ide="graphiql" if settings.GRAPHIQL_ENABLED else None
        ),
        name="graphql",
    ),
    path("healthz", healthz, name="healthz"),
    path("healthz/workers", workers_healthz, name="healthz-workers"),
]
