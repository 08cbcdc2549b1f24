"""Load a large batch into a table without maintaining its indexes row by row.

Inside the caller's transaction, `secondary_indexes_drop` drops the table's unique and
foreign-key constraints and its other non-primary indexes; `secondary_indexes_restore`
recreates each from the definition PostgreSQL itself reported (same names, columns and
options), which checks every row once in bulk: one sort per index and one anti-join per
foreign key instead of an index insertion and a trigger per row. DDL is transactional in PostgreSQL,
so if anything fails the rollback brings the old indexes back; other sessions never see
the table without them, but wait for the transaction's exclusive lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from psycopg import Cursor, sql
from psycopg.rows import TupleRow


@dataclass(frozen=True)
class DroppedIndexes:
    constraints: list[tuple[str, str]]  # (name, pg_get_constraintdef), unique before foreign
    indexes: list[tuple[str, str]]  # (name, pg_get_indexdef) of indexes no constraint owns
    table: str


def secondary_indexes_drop(cursor: Cursor[TupleRow], table: str) -> DroppedIndexes:
    """Drop them; what to restore. Only inside a transaction (see the module docstring)."""
    if not connection.in_atomic_block:
        raise RuntimeError("secondary_indexes_drop needs a transaction to roll back to")
    # PostgreSQL alters no table with deferred foreign-key checks pending (rows written
    # earlier in the transaction): run them now, then defer again as Django's keys are.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    definitions = _definitions(cursor, table)
    target = sql.Identifier(table)
    for name, _ in definitions.constraints:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(target, sql.Identifier(name))
        )
    for name, _ in definitions.indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return definitions


def secondary_indexes_restore(
    cursor: Cursor[TupleRow], dropped: DroppedIndexes, *, maintenance_work_mem: str = "512MB"
) -> None:
    """Recreate what `secondary_indexes_drop` dropped, in the same transaction."""
    target = sql.Identifier(dropped.table)
    cursor.execute(
        sql.SQL("SET LOCAL maintenance_work_mem = {}").format(sql.Literal(maintenance_work_mem))
    )
    for _, definition in dropped.indexes:
        cursor.execute(definition)
    for name, definition in dropped.constraints:
        cursor.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                target, sql.Identifier(name), sql.SQL(definition)
            )
        )


def _definitions(cursor: Cursor[TupleRow], table: str) -> DroppedIndexes:
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('u', 'f')
        ORDER BY contype DESC, conname
        """,
        [table],
    )
    constraints = [(str(name), str(definition)) for name, definition in cursor.fetchall()]
    cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        ORDER BY c.relname
        """,
        [table],
    )
    indexes = [(str(name), str(definition)) for name, definition in cursor.fetchall()]
    return DroppedIndexes(constraints, indexes, table)
