from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ResponseCacheConfig(AppConfig):
    """The GraphQL response cache: the tables every statement reads and writes."""

    name = "config.graphql.response_cache"
    label = "response_cache"
    verbose_name = "GraphQL response cache"

    def ready(self) -> None:
        from config.table_tokens import statement_tracking_install

        connection_created.connect(statement_tracking_install)
