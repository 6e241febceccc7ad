"""Shared bench helpers: fresh databases on both engines, raw DB-API connections, timing."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
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


def system_accounts(raw: Any, code: str) -> tuple[int, dict[str, int]]:
    """Community ``code``'s id and its system accounts in points (issuance, redemption,
    ...) by name, read on a raw connection for the raw sides of the benches."""
    cur = raw.cursor()
    cur.execute(sql(raw, "SELECT id FROM communities WHERE code = ?"), (code,))
    community_id = cur.fetchone()[0]
    cur.execute(sql(raw, "SELECT system, id FROM accounts WHERE community_id = ? "
                         "AND system IS NOT NULL AND unit = 'points'"), (community_id,))
    return community_id, dict(cur.fetchall())


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


# -- serving: ``timebank serve`` in a child process, for the HTTP benches ------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def serve(url: str, port: int, *options: str, log: Any,
          within: float = 60.0) -> subprocess.Popen[bytes]:
    """``timebank serve`` on ``port`` with ``options``, once its health check answers.
    Its log goes to ``log``, a file: never an unread pipe, which would stall the server
    once full."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from timebank.cli import main; main()", "--db", url,
         "serve", "--port", str(port), *options],
        stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"timebank serve exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/api/v1/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"timebank serve did not answer within {within:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (the arbiter and its workers), then KILL."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def serving(url: str, *options: str, within: float = 60.0) -> Iterator[int]:
    """``timebank serve`` with ``options`` for the block (its log in a temporary file);
    yields the port."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = serve(url, port, *options, log=log, within=within)
        try:
            yield port
        finally:
            stop(process)
