"""Plans that do not hang on the planner's statistics.

Right after a bulk load, before anything analyzes it, PostgreSQL may take a full catalog
table for empty (`reltuples = 0` over hundreds of pages) and join it by a nested loop
that compares every row with every row: minutes or hours where a hash or merge join
takes milliseconds. Statements that read a whole catalog table run here, where the
planner may not choose a nested loop; at any real size a hash or merge join is right
for them anyway. tests/audience/test_worker_plans.py checks the workers' plans on a
catalog in that state.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper


@contextmanager
def whole_table_joins() -> Iterator[CursorWrapper]:
    """A cursor, inside a transaction, whose statements are planned without nested loops."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        yield cursor
        cursor.execute("SET LOCAL enable_nestloop = on")
