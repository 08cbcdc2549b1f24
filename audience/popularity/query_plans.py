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
import threading
from collections.abc import Iterator

from django.db import DatabaseError, connection
from django.db.backends.utils import CursorWrapper

# How deep the current thread is in whole_table_joins blocks.
_blocks = threading.local()


@contextlib.contextmanager
def whole_table_joins() -> Iterator[CursorWrapper]:
    """A cursor whose statements are planned without nested loops, until the block ends.

    A plain SET and RESET, without a savepoint of its own: if a statement fails inside a
    transaction, the transaction's rollback undoes the SET as well. A block inside another
    leaves the setting to the outer one.
    """
    with connection.cursor() as cursor:
        if getattr(_blocks, "depth", 0):
            _blocks.depth += 1
            try:
                yield cursor
            finally:
                _blocks.depth -= 1
            return
        cursor.execute("SET enable_nestloop = off")
        _blocks.depth = 1
        try:
            yield cursor
        finally:
            _blocks.depth = 0
            with contextlib.suppress(DatabaseError):
                cursor.execute("RESET enable_nestloop")
