"""Shared bench helpers: fresh databases on both engines, raw DB-API connections, timing."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

PG_URL = os.environ.get("TIMEBANK_TEST_POSTGRES_URL")


def engines() -> list[str]:
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@contextmanager
def fresh_database(engine: str) -> Iterator[str]:
    """An empty database URL: a temporary SQLite file or a new PostgreSQL schema."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="tb-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    assert PG_URL, "set TIMEBANK_TEST_POSTGRES_URL"
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield sa.make_url(PG_URL).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def raw_connection(url: str) -> Any:
    """A plain DB-API connection (sqlite3 or psycopg) to ``url``, tuned like the library's:
    WAL and synchronous=NORMAL on SQLite, autocommit off on PostgreSQL."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(parsed.database), isolation_level=None, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn
    import psycopg

    return psycopg.connect(parsed.set(drivername="postgresql")
                           .render_as_string(hide_password=False))


def is_sqlite(conn: Any) -> bool:
    return isinstance(conn, sqlite3.Connection)


def paramstyle(conn: Any) -> str:
    return "qmark" if is_sqlite(conn) else "format"


def sql(conn: Any, text: str) -> str:
    """Write statements with ``?`` placeholders; psycopg gets ``%s``."""
    return text if is_sqlite(conn) else text.replace("?", "%s")


def begin(conn: Any, write: bool = True) -> None:
    """Start a transaction as the library does (the write lock up front on SQLite)."""
    if is_sqlite(conn):
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def add_members(tb: Any, community: str, count: int, name: str = "m{i}",
                roles: Sequence[str] = ("resident",)) -> None:
    """Members ``m0`` … ``m{count-1}`` through the library's own use case, in one
    transaction: the same rows as ``tb.members.add`` one by one, without a commit each
    (2,000 members: 3 s one by one, 1 s at once on PostgreSQL, more under load)."""
    from timebank.services.members import add

    tb.store.transact(community, lambda uow: [
        add(uow, f"m{i}", name.format(i=i), roles=roles) for i in range(count)])


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def figure(name: str, library: float, raw: float, unit: str, goal: str,
           ratio: float | None = None) -> dict[str, Any]:
    return {"name": name, "library": round(library, 3), "raw": round(raw, 3), "unit": unit,
            "ratio": round(ratio if ratio is not None else library / raw, 3), "goal": goal}
