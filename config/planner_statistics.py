"""Fresh planner statistics after a bulk load.

A table filled in one go keeps the statistics of before (often those of an empty table)
until autovacuum analyzes it, which may be minutes later and never inside the loading
transaction; meanwhile PostgreSQL plans every query over it for the wrong size. Each bulk
load therefore analyzes what it filled before it commits: ANALYZE inside a transaction
counts the transaction's own new rows, and the new statistics are kept even if the
transaction later rolls back.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Model
from psycopg import sql


def analyze_tables(tables: Iterable[str]) -> None:
    """ANALYZE these tables, in the current transaction."""
    names = sorted(set(tables))
    if not names:
        return
    statement = sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(sql.Identifier, names)))
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(connection.connection))


def tables_of(*models: type[Model]) -> list[str]:
    """The tables of these models and of their many-to-many links."""
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through is not None and through._meta.auto_created:
                tables.append(through._meta.db_table)
    return tables
