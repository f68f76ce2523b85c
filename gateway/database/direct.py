"""Hot statements compiled once per dialect and run straight on the driver's cursor.

The worker runs about twenty statements per inbound message. Through ``Connection.execute`` each
one pays for a cache key, a compiled-cache lookup, an execution context and a result wrapper:
about 50 µs for a one-row INSERT on SQLite here, of which the driver's own work is 14 µs. The
statements on that path never change shape, so they are compiled once per dialect and executed
on the DBAPI cursor of the caller's connection, inside its transaction and savepoints. Bind and
result processing still come from the column types (``UTCDateTime``, ``PartnerText``, JSON), text
bound for PostgreSQL has its NULs replaced as the engine's hook does for every other statement, and
driver errors are wrapped as SQLAlchemy wraps them, so callers catch ``IntegrityError`` as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

from gateway.database.engine import driver_cursor, without_nul

Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement as one dialect's driver takes it."""

    def __init__(self, statement: Any, dialect: Dialect, column_keys: Sequence[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.sql: str = compiled.string
        self.positional: bool = compiled.positional
        names = compiled.positiontup if compiled.positional else list(compiled.binds)
        self.binds: tuple[tuple[str, Processor], ...] = tuple(
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
        )
        # Literals written into the statement (``id == 1``) are bound parameters too.
        self.fixed: dict[str, Any] = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        # Columns a bare INSERT leaves out that have a Python-side default (``default=""``, ``list``).
        self.defaults: tuple[tuple[str, Any], ...] = tuple(
            (column.key, column.default) for column in getattr(compiled, "insert_prefetch", ())
        )
        self.results: tuple[Processor, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.exported_columns
        )
        self.postgresql = dialect.name == "postgresql"

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        if self.fixed:
            values = {**self.fixed, **values}
        if self.defaults:
            values = dict(values)
            for key, default in self.defaults:
                values[key] = default.arg if default.is_scalar else default.arg(None)
        if self.postgresql:  # text only: JSON carries a NUL as the escape \u0000, which json takes
            values = {
                key: without_nul(value) if type(value) is str else value for key, value in values.items()
            }
        processed = [
            value if process is None or value is None else process(value)
            for value, process in ((values[name], process) for name, process in self.binds)
        ]
        if self.positional:
            return processed
        return {name: value for (name, _), value in zip(self.binds, processed, strict=True)}

    def row(self, raw: Sequence[Any] | None) -> tuple[Any, ...] | None:
        if raw is None:
            return None
        return tuple(
            value if process is None else process(value)
            for process, value in zip(self.results, raw, strict=True)
        )


class DirectStatement:
    """A fixed statement with named bind parameters, executed on the caller's connection.

    ``column_keys`` is for a bare ``table.insert()``: the columns given, the others taking their
    defaults. Only statements whose SQL does not depend on the values belong here (no ``IN`` over a
    list, no optional clauses)."""

    def __init__(self, statement: Executable, *, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = column_keys
        # Per engine's dialect, dropped with it (tests make many engines; a server makes one or two).
        self._by_dialect: WeakKeyDictionary[Dialect, _Compiled] = WeakKeyDictionary()

    def _compiled(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        compiled = self._by_dialect.get(dialect)
        if compiled is None:
            compiled = self._by_dialect[dialect] = _Compiled(self.statement, dialect, self.column_keys)
        return compiled

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run it; how many rows it changed."""
        compiled = self._compiled(connection)
        params = compiled.parameters(values)
        with driver_cursor(connection, compiled.sql, params) as cursor:
            cursor.execute(compiled.sql, params)
            return int(cursor.rowcount)

    def executemany(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        compiled = self._compiled(connection)
        batch = [compiled.parameters(values) for values in rows]
        if batch:
            with driver_cursor(connection, compiled.sql, batch) as cursor:
                cursor.executemany(compiled.sql, batch)

    def first(self, connection: Connection, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row it returns (a SELECT, or an INSERT/UPDATE … RETURNING), or None."""
        compiled = self._compiled(connection)
        params = compiled.parameters(values)
        with driver_cursor(connection, compiled.sql, params) as cursor:
            cursor.execute(compiled.sql, params)
            return compiled.row(cursor.fetchone())

    def all(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row it returns."""
        compiled = self._compiled(connection)
        params = compiled.parameters(values)
        with driver_cursor(connection, compiled.sql, params) as cursor:
            cursor.execute(compiled.sql, params)
            return [compiled.row(raw) for raw in cursor.fetchall()]  # type: ignore[misc]

    def scalar(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        row = self.first(connection, values)
        return None if row is None else row[0]
