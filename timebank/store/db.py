"""Engines and transactions: one code path for SQLite and PostgreSQL.

``Store.transact(community, fn)`` runs the use case ``fn(uow)`` in one transaction that
takes the write lock up front on SQLite (``BEGIN IMMEDIATE``) and is retried on
PostgreSQL deadlocks and serialization failures, so a use case is written once and is
safe on both engines. ``Store.reading(community)`` is a read snapshot. ``write``,
``read`` and ``snapshot`` (one REPEATABLE READ snapshot on PostgreSQL) hand out the raw
connection: for the store's own modules, migrations and tests.
"""

from __future__ import annotations

import logging
import random
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from timebank.store import jsontext
from timebank.store.uow import UnitOfWork

if TYPE_CHECKING:
    from timebank.store.batch import GroupCommit

log = logging.getLogger("timebank.store")  # one line per retried write (for operators)

T = TypeVar("T")

DEFAULT_URL = "sqlite:///timebank.db"
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected
_WRITE = "timebank_write"


def create_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the books: WAL and a busy timeout on SQLite."""
    url_obj = sa.make_url(url)
    kwargs.setdefault("json_deserializer", jsontext.loads)
    if url_obj.get_backend_name() == "sqlite":
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", 60)
        connect_args.setdefault("check_same_thread", False)
        engine = sa.create_engine(url_obj, connect_args=connect_args, **kwargs)
        _tune_sqlite(engine)
        return engine
    # No pre-ping (a round trip per checkout): connections are recycled after half an hour
    # (server and firewall idle limits), and a connection found dead is invalidated by
    # SQLAlchemy together with every older pooled one; ``Store.write`` then runs its
    # transaction again on a fresh connection (see ``lost``).
    kwargs.setdefault("pool_recycle", 1800)
    # Up to 30 connections a process: a desk server's threads or a worker pool each hold
    # one for a whole transaction, and a thread left waiting for one is a stalled desk.
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = sa.create_engine(url_obj, **kwargs)
    _restore_autocommit(engine)
    return engine


_RESTORING: weakref.WeakSet[Engine] = weakref.WeakSet()


def _restore_autocommit(engine: Engine) -> None:
    """``fused`` sends a transaction's BEGIN with its first statement by switching the
    driver to autocommit until the transaction ends; a connection so switched is put
    back in transaction mode when it returns to the pool (or dropped if it cannot be).
    Registered once per engine, by ``create_engine`` and by ``Store`` for an engine made
    elsewhere."""
    if engine in _RESTORING:
        return
    _RESTORING.add(engine)
    from psycopg import pq

    from timebank.store.fused import AUTOCOMMIT_FLAG

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, record: Any) -> None:
        if dbapi_conn is None or not record.info.pop(AUTOCOMMIT_FLAG, False):
            return
        try:
            if dbapi_conn.pgconn.transaction_status != pq.TransactionStatus.IDLE:
                dbapi_conn.rollback()
            dbapi_conn.autocommit = False
        except Exception:
            record.invalidate()


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below issue BEGIN itself, not the driver.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write transaction takes the lock at BEGIN, so it never fails half-way with
        # SQLITE_BUSY on lock upgrade; readers use a deferred BEGIN and never block.
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Store:
    """A database the library writes to: the engine plus transaction helpers."""

    def __init__(self, url: str = DEFAULT_URL, *, engine: Engine | None = None,
                 retries: int = 8) -> None:
        self.engine = engine if engine is not None else create_engine(url)
        self.dialect = self.engine.dialect.name
        if self.dialect == "postgresql":
            _restore_autocommit(self.engine)
        self.retries = retries
        self._writer = self.engine.execution_options(**{_WRITE: True})
        # Community code -> id: ids never change, so the hot path reads them once.
        self.community_ids: dict[str, int] = {}
        self.batches: GroupCommit | None = None  # group commit, when switched on
        # One-statement reads (a balance) on a small pool of their own, whose connections
        # stay in autocommit: nothing is switched at check-out nor reset at check-in, which
        # cost about a quarter of such a read. An engine made elsewhere keeps one pool.
        self._autocommit: Engine | None = None
        if engine is None and self.dialect == "postgresql" and \
                self.engine.dialect.driver == "psycopg":
            self._autocommit = create_engine(url, isolation_level="AUTOCOMMIT",
                                             pool_reset_on_return=None, pool_size=5,
                                             max_overflow=5)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    def group_commit(self, on: bool = True) -> None:
        """Switch group commit on or off (``timebank.store.batch``): on, concurrent
        ``transact`` calls of this process share one transaction, a savepoint each."""
        from timebank.store.batch import GroupCommit

        self.batches = GroupCommit(self) if on else None

    def transact(self, community: str | None, fn: Callable[[UnitOfWork], T]) -> T:
        """Run the use case ``fn`` in one write transaction for ``community`` (with group
        commit on, perhaps one shared with other threads' writes: ``store.batch``)."""
        batches = self.batches
        if batches is not None:
            return batches.transact(community, fn)
        return self.transact_alone(community, fn)

    def transact_alone(self, community: str | None, fn: Callable[[UnitOfWork], T]) -> T:
        """``transact`` in a transaction of its own, whether group commit is on or not."""
        last: list[UnitOfWork] = []

        def run(conn: Connection) -> T:
            last[:] = [UnitOfWork(self, conn, community)]
            return fn(last[0])
        result = self.write(run)
        self._remember(last[0])
        return result

    def _remember(self, uow: UnitOfWork) -> None:
        """Cache the community id a committed unit of work read (ids never change)."""
        learned = uow.learned()
        if learned is not None:
            self.community_ids.setdefault(*learned)

    @contextmanager
    def reading(self, community: str | None = None, *,
                one_statement: bool = False) -> Iterator[UnitOfWork]:
        """A unit of work on one consistent read snapshot. ``one_statement``: the read is
        a single SELECT (a balance), which on PostgreSQL runs in autocommit, so no
        BEGIN and COMMIT travel around it: one round trip."""
        with (self._read_one() if one_statement else self.read()) as conn:
            uow = UnitOfWork(self, conn, community)
            yield uow
        self._remember(uow)

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in one write transaction; commit on return, roll back on error.

        On PostgreSQL a deadlock or serialization failure rolls back and runs ``fn``
        again (with jittered back-off), so ``fn`` must do nothing outside the database.
        """
        reconnected = False
        for attempt in range(self.retries + 1):
            committing = False
            driver: Any = None
            try:
                with self._writer.begin() as conn:
                    driver = conn.connection.driver_connection
                    result = fn(conn)
                    committing = True
                return result
            except Exception as exc:
                # A connection lost before COMMIT was sent wrote nothing: run once more on a
                # fresh one. Lost during COMMIT, the outcome is unknown: the caller decides.
                # (``broken``: psycopg's own error, from a statement run on its cursor.)
                again = not committing and not reconnected and (
                    lost(exc) or bool(getattr(driver, "broken", False)))
                reconnected = reconnected or again
                if attempt == self.retries or not (again or retryable(exc)):
                    raise
                log.warning("write retried (attempt %d): %s", attempt + 1,
                            getattr(getattr(exc, "orig", exc), "sqlstate", None)
                            or type(exc).__name__)
                time.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise AssertionError("unreachable")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction: one consistent snapshot for everything it reads."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _read_one(self) -> Iterator[Connection]:
        if self._autocommit is not None:
            with self._autocommit.connect() as conn:
                yield conn
            return
        if self.dialect != "postgresql" or self.engine.dialect.driver != "psycopg":
            with self.read() as conn:
                yield conn
            return
        from psycopg import pq

        from timebank.store.fused import AUTOCOMMIT_FLAG

        with self.engine.connect() as conn:
            # The driver in autocommit, put back at check-in (as ``fused`` does): cheaper
            # than an isolation level set and reset through SQLAlchemy on every read.
            fairy = conn.connection
            driver: Any = fairy.driver_connection
            if not driver.autocommit and \
                    driver.pgconn.transaction_status == pq.TransactionStatus.IDLE:
                driver.autocommit = True
                fairy.info[AUTOCOMMIT_FLAG] = True
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read-only transaction on one snapshot of the whole database, for readers that
        compare rows with each other (``verify``) while writers are busy.

        PostgreSQL's default READ COMMITTED takes a new snapshot per statement, so two
        queries can disagree; this one runs REPEATABLE READ, READ ONLY (never blocks a
        writer, never fails with a serialization error). SQLite's deferred ``BEGIN`` in
        WAL mode already reads one snapshot from its first read to the end.
        """
        if self.dialect != "postgresql":
            with self.read() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()
        if self._autocommit is not None:
            self._autocommit.dispose()

    def ping(self) -> bool:
        """Whether the database answers (a health check)."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except sa.exc.SQLAlchemyError:
            return False

    @classmethod
    def for_server(cls, url: str) -> Store:
        """The store a server process uses. On SQLite its threads share one connection in
        turn: SQLite takes one writer at a time anyway, and waiting in the pool's queue is
        fair and prompt where the busy handler's sleep-and-retry gives a long tail."""
        if sa.make_url(url).get_backend_name() == "sqlite":
            return cls(engine=create_engine(url, pool_size=1, max_overflow=0,
                                            pool_timeout=120))
        return cls(url)


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached (worth a 503, not a 500)."""
    return isinstance(exc, sa.exc.OperationalError)


def lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection itself died (server restart, an administrator's
    ``pg_terminate_backend``): SQLAlchemy has invalidated it and the older pooled ones."""
    return isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated


def retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure, raised through SQLAlchemy or straight from
    the driver (the prebuilt statements of ``fast`` run on its cursor)."""
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    return getattr(orig, "sqlstate", None) in _RETRYABLE_SQLSTATES
