"""A new row written with one plain INSERT instead of through the ORM's unit of work.

The pipeline writes half a dozen rows per message; profiling put the ORM's flush of them at about
half of a worker's time. The mapped class still describes the row (one place for its columns and
defaults), but the object stays transient: it is never added to the session, and nothing about it
is flushed or tracked afterwards. Rows the worker reads and changes on every message (the
transmission, the acknowledgement it sends) are loaded detached and written back the same way.
Each statement is a ``DirectStatement`` (gateway/database/direct.py), one per table and shape.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, inspect, select, update
from sqlalchemy.orm import Session, configure_mappers

from gateway.database.direct import DirectStatement

T = TypeVar("T")


def new_row(mapped: type[T], **values: Any) -> T:
    """A transient instance of ``mapped`` holding ``values``, for ``insert_row``. The mapped
    constructor sends every value through the ORM's attribute events (change tracking for a
    session this row never joins): about a tenth of a worker's instructions went there. Read
    and set its attributes as usual afterwards; do not ``session.add`` it."""
    manager = _managers.get(mapped)
    if manager is None:
        configure_mappers()  # what the first constructor call would have done
        manager = _managers[mapped] = inspect(mapped).class_manager
    row = manager.new_instance()
    row.__dict__.update(values)
    return row  # type: ignore[no-any-return]


_managers: dict[type, Any] = {}


# (table, columns given, RETURNING id?) -> its INSERT; a handful of shapes per table in practice.
_inserts: dict[tuple[Table, tuple[str, ...], bool], DirectStatement] = {}


def insert_row(session: Session, row: Any, *, generated_id: bool = False) -> None:
    """INSERT ``row`` (an instance of a mapped class) in the session's transaction. Unset columns
    take their defaults; with ``generated_id`` the database's new id is set on ``row.id``."""
    table = row.__table__
    held = row.__dict__  # a transient row's values live there; reading them skips the descriptors
    values = {c.key: v for c in table.columns if (v := held.get(c.key)) is not None}
    new_id = insert_values(session, table, values, generated_id=generated_id)
    if generated_id:
        row.id = new_id


def insert_values(
    session: Session, table: Table, values: dict[str, Any], *, generated_id: bool = False
) -> Any:
    """INSERT one row given as column values; the new id with ``generated_id``, else None."""
    shape = (table, tuple(values), generated_id)
    statement = _inserts.get(shape)
    if statement is None:
        insert = table.insert().returning(table.c.id) if generated_id else table.insert()
        statement = _inserts[shape] = DirectStatement(insert, column_keys=shape[1])
    if generated_id:
        return statement.scalar(session.connection(), values)
    statement.execute(session.connection(), values)
    return None


_loads: dict[Table, DirectStatement] = {}
_updates: dict[tuple[Table, tuple[str, ...]], DirectStatement] = {}


def load_row(session: Session, mapped: type[T], row_id: Any) -> T | None:
    """The row with primary key ``row_id`` as a detached instance of ``mapped``: one plain SELECT,
    no identity map, no change tracking. Write changes back with ``update_columns``."""
    table = mapped.__table__  # type: ignore[attr-defined]
    statement = _loads.get(table)
    if statement is None:
        statement = _loads[table] = DirectStatement(
            select(*table.columns).where(table.c.id == bindparam("id"))
        )
    found = statement.first(session.connection(), {"id": row_id})
    return None if found is None else _detached(mapped, table, found)


_loads_of: dict[tuple[Table, int], DirectStatement] = {}


def load_rows(session: Session, mapped: type[T], row_ids: Collection[Any]) -> list[T]:
    """The rows with these primary keys (those that exist), detached as ``load_row`` gives them,
    in one SELECT: one statement per table and number of keys, compiled once (a worker asks for
    the few sizes its batches have)."""
    if not row_ids:
        return []
    table = mapped.__table__  # type: ignore[attr-defined]
    shape = (table, len(row_ids))
    statement = _loads_of.get(shape)
    if statement is None:
        keys = [bindparam(f"id_{n}") for n in range(shape[1])]
        statement = _loads_of[shape] = DirectStatement(select(*table.columns).where(table.c.id.in_(keys)))
    found = statement.all(session.connection(), {f"id_{n}": key for n, key in enumerate(row_ids)})
    return [_detached(mapped, table, values) for values in found]


def _detached(mapped: type[T], table: Table, values: Sequence[Any]) -> T:
    return new_row(mapped, **{column.key: value for column, value in zip(table.columns, values, strict=True)})


def update_columns(session: Session, row: Any, *keys: str) -> None:
    """UPDATE the named columns of a detached ``row`` to the values it holds now; LookupError
    (rolling the caller's work back) when the row no longer exists."""
    table = row.__table__
    shape = (table, keys)
    statement = _updates.get(shape)
    if statement is None:
        statement = _updates[shape] = DirectStatement(
            update(table).where(table.c.id == bindparam("id")), column_keys=keys
        )
    values = {"id": row.id, **{key: getattr(row, key) for key in keys}}
    if statement.execute(session.connection(), values) != 1:
        raise LookupError(f"{table.name} row {row.id} is gone")
