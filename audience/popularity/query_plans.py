"""Plans that do not hang on the planner's statistics.

Right after a bulk load, before anything analyzes it, PostgreSQL may take a full catalog
table for empty (`reltuples = 0` over hundreds of pages) and join it by a nested loop
that compares every row with every row: minutes or hours where a hash or merge join
takes milliseconds. Statements that read a whole catalog table run here, where the
planner may not choose a nested loop; at any real size a hash or merge join is right
for them anyway. tests/audience/test_worker_plans.py checks the workers' plans on a
catalog in that state.
"""

import contextlib
from collections.abc import Iterator

from django.db import DatabaseError, connection
from django.db.backends.utils import CursorWrapper


@contextlib.contextmanager
def whole_table_joins() -> Iterator[CursorWrapper]:
    """A cursor whose statements are planned without nested loops, until the block ends.

    A plain SET and RESET, without a savepoint of its own: if a statement fails inside a
    transaction, the transaction's rollback undoes the SET as well.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET enable_nestloop = off")
        try:
            yield cursor
        finally:
            with contextlib.suppress(DatabaseError):
                cursor.execute("RESET enable_nestloop")
