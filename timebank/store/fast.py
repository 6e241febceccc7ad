"""The hot path's statements, run on the driver's cursor inside SQLAlchemy's transaction.

A single spend is about ten tiny statements. SQLAlchemy's per-execute bookkeeping (cache
look-up, result set-up, events) costs several times what SQLite itself needs for one
(measured in ``bench/ledger.py``), so for those few statements we let SQLAlchemy compile
the SQL once per dialect and hand the driver the string. Values are converted by column
type both ways here, once: JSON to and from text, and on SQLite dates, datetimes and
booleans to and from the text and integers SQLAlchemy's own types use, so no caller
ever sees driver text. ``insert_rows`` is the bulk form: ``executemany`` on SQLite,
``COPY`` on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from timebank.store import jsontext

Convert = Callable[[Any], Any]


# Dates as text, so a stored request needs no normalising pass.
json_text = jsontext.dumps


def _json(value: Any) -> str:
    if not value:  # most tags, notes, flags and metas are empty
        if isinstance(value, list | tuple):
            return "[]"
        return "{}" if isinstance(value, dict) else json_text(value)
    return json_text(value)


def sqlite_datetime(moment: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime type writes, so both paths read back alike."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_bound(value: Any) -> Any:
    if isinstance(value, datetime):
        return sqlite_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _encoder(kind: sa.types.TypeEngine[Any], sqlite: bool) -> Convert | None:
    """How a Python value of a column of type ``kind`` goes to the driver."""
    if isinstance(kind, sa.JSON):
        return _json
    if sqlite and isinstance(kind, sa.DateTime):
        return _cached(sqlite_datetime)
    if sqlite and isinstance(kind, sa.Date):
        return _cached(date.isoformat)
    if sqlite and isinstance(kind, sa.Boolean):
        return int
    return None


def _decoder(kind: sa.types.TypeEngine[Any], sqlite: bool) -> Convert | None:
    """How a driver value of a column of type ``kind`` comes back to Python."""
    if isinstance(kind, sa.JSON):
        return lambda v: json.loads(v) if isinstance(v, str | bytes) else v
    if sqlite and isinstance(kind, sa.DateTime):
        return lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v
    if sqlite and isinstance(kind, sa.Date):
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    if sqlite and isinstance(kind, sa.Boolean):
        return lambda v: bool(v) if v is not None else v
    return None


def _cached(fn: Convert) -> Convert:
    """``fn`` remembering its results: a bulk write repeats the same few days and its
    one ``now`` thousands of times."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        found = seen.get(value)
        if found is None:
            found = seen[value] = fn(value)
        return found
    return convert


class Statement:
    """A prebuilt Core statement, compiled once per dialect, executed on the raw cursor.

    Result columns are decoded by their SQLAlchemy type (JSON, and on SQLite dates,
    datetimes and booleans); bound values go as ints, strings, None, datetimes and
    dates (JSON parameters pre-serialised with ``json_text``).
    """

    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any],
                                        list[tuple[int, Convert]]]] = {}

    def _compile(self, conn: Connection) -> tuple[str, tuple[str, ...] | None,
                                                  dict[str, Any], list[tuple[int, Convert]]]:
        name = conn.dialect.name
        if name not in self._compiled:
            compiled = cast(SQLCompiler, self.stmt.compile(dialect=conn.dialect))
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            # Literals in the statement (``entry_seq + 1``) became parameters with values.
            fixed = {name: bind.value for name, bind in compiled.binds.items()
                     if not bind.required}
            columns = getattr(self.stmt, "selected_columns", None)
            if columns is None or not len(columns):
                columns = getattr(self.stmt, "_returning", ()) or ()
            decode = [(i, f) for i, col in enumerate(columns)
                      if (f := _decoder(col.type, name == "sqlite")) is not None]
            self._compiled[name] = (str(compiled), order, fixed, decode)
        return self._compiled[name]

    @staticmethod
    def _args(order: tuple[str, ...] | None, fixed: dict[str, Any],
              params: Mapping[str, Any]) -> Any:
        merged = {**fixed, **params} if fixed else params
        if order is None:
            return merged
        return tuple(_sqlite_bound(merged[k]) for k in order)

    def cursor(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        sql, order, fixed, _ = self._compile(conn)
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.execute(sql, self._args(order, fixed, params))
        return cur

    def many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        sql, order, fixed, _ = self._compile(conn)
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.executemany(sql, [self._args(order, fixed, r) for r in rows])
        cur.close()

    def _decoded(self, conn: Connection, row: Any) -> tuple[Any, ...]:
        decode = self._compiled[conn.dialect.name][3]
        if not decode:
            return tuple(row)
        values = list(row)
        for i, f in decode:
            values[i] = f(values[i])
        return tuple(values)

    def one(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, or None."""
        cur = self.cursor(conn, params)
        row = cur.fetchone()
        cur.close()
        return None if row is None else self._decoded(conn, row)

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cur = self.cursor(conn, params)
        rows = cur.fetchall()
        cur.close()
        return [self._decoded(conn, row) for row in rows]

    def run(self, conn: Connection, params: Mapping[str, Any]) -> None:
        self.cursor(conn, params).close()


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) on the driver's cursor: ``executemany``
    on SQLite, ``COPY`` on PostgreSQL (several times faster than a statement a row).

    SQLAlchemy's per-row parameter processing costs more than the database's own insert,
    so values are converted here by column type and handed to the driver as plain lists.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    sqlite = conn.dialect.name == "sqlite"
    marks = ", ".join(["?" if sqlite else "%s"] * len(columns))
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    convert = [(i, f) for i, c in enumerate(columns)
               if (f := _encoder(table.c[c].type, sqlite)) is not None]
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for start in range(0, len(rows), 50_000):
        params = []
        for row in rows[start:start + 50_000]:
            values = [row[c] for c in columns]
            for i, f in convert:
                if values[i] is not None:
                    values[i] = f(values[i])
            params.append(values)
        if sqlite:
            cur.executemany(statement, params)
            continue
        with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for values in params:
                copy.write_row(values)
    cur.close()


def among(column: Any, values: Sequence[Any], dialect: str) -> Any:
    """``column IN (values)`` for a chunk of thousands of ids or codes. On PostgreSQL it is
    ``column = ANY(array)``: one parameter, where an ``IN`` list is thousands of
    placeholders that SQLAlchemy expands and psycopg parses again on every call (it
    caches no statement of over 50 parameters); the plan is the same index probe."""
    if dialect != "postgresql":
        return column.in_(list(values))
    from sqlalchemy.dialects.postgresql import ARRAY

    # No length on the array's type: a cast to varchar(64)[] would cut a longer value
    # down to one that may exist.
    kind = sa.String() if isinstance(column.type, sa.String) else column.type
    return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(kind)))
