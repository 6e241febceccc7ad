"""The hot path's statements, run on the driver's cursor inside SQLAlchemy's transaction.

A single spend is about ten tiny statements. SQLAlchemy's per-execute bookkeeping (cache
look-up, result set-up, events) costs several times what SQLite itself needs for one
(measured in ``bench/ledger.py``), so for those few statements we let SQLAlchemy compile
the SQL once per dialect and hand the driver the string. Only ints, strings, None,
naive UTC datetimes and JSON (pre-serialised with ``json_text``) go through here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sqlite_value(value: Any) -> Any:
    # The same text SQLAlchemy's SQLite DateTime type writes, so it reads back alike.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


class Statement:
    """A prebuilt Core statement, compiled once per dialect, executed on the raw cursor."""

    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _compile(self, conn: Connection) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        name = conn.dialect.name
        if name not in self._compiled:
            compiled = cast(SQLCompiler, self.stmt.compile(dialect=conn.dialect))
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            # Literals in the statement (``entry_seq + 1``) became parameters with values.
            fixed = {name: bind.value for name, bind in compiled.binds.items()
                     if not bind.required}
            self._compiled[name] = (str(compiled), order, fixed)
        return self._compiled[name]

    def _args(self, order: tuple[str, ...] | None, fixed: dict[str, Any],
              params: dict[str, Any]) -> Any:
        merged = {**fixed, **params} if fixed else params
        if order is None:
            return merged
        return tuple(_sqlite_value(merged[k]) for k in order)

    def cursor(self, conn: Connection, params: dict[str, Any]) -> Any:
        sql, order, fixed = self._compile(conn)
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.execute(sql, self._args(order, fixed, params))
        return cur

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        sql, order, fixed = self._compile(conn)
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.executemany(sql, [self._args(order, fixed, r) for r in rows])

    def one(self, conn: Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row, or None."""
        cur = self.cursor(conn, params)
        row = cur.fetchone()
        cur.close()
        return row

    def all(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        cur = self.cursor(conn, params)
        rows = cur.fetchall()
        cur.close()
        return list(rows)

    def run(self, conn: Connection, params: dict[str, Any]) -> None:
        self.cursor(conn, params).close()
