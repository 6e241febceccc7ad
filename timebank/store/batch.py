"""Group commit: concurrent writes of one process share one transaction, a savepoint each.

Under a burst (the desk on a service day, an integrator's import loop) every write of a
community otherwise pays its own COMMIT and, on PostgreSQL, queues on the community row
(the chain head) from its chain step to that commit. With group commit on
(``Store.group_commit(True)``), ``Store.transact`` works so:

- a write that arrives while a batch of its community is open joins it; else it opens
  one: takes a connection, begins the transaction (``BEGIN IMMEDIATE`` on SQLite; on
  PostgreSQL it locks the community row first, so batches of one community, in any
  process, take their locks in one order and never deadlock each other);
- the members of a batch take turns on its connection, each inside its own SAVEPOINT.
  A refused request (any error) rolls back to its savepoint: its writes and its
  idempotency claim are gone, the others' stay. A deadlock or serialization failure in
  a savepoint is rolled back the same way and that request runs again alone afterwards;
- the batch closes when no member is left waiting (or it has ``MAX_BATCH`` members),
  and the last member to finish sends the one COMMIT. Only then does any member get its
  answer: its result, or its own error. A COMMIT that fails (a deferred constraint, a
  connection lost while committing) fails every member with ``CommitFailed`` (503, try
  again), never a false success; the connection lost before the COMMIT means nothing was
  written, and every member runs again alone.

Chain order stays right: a savepoint's chain step takes the next sequence number under
the community row the batch holds, and a rolled-back savepoint gives its number back, so
the committed entries are numbered without gaps in the order they were written.
Idempotency keys are claimed and answered inside each member's savepoint, so a key used
twice in one batch is a replay of the first's answer, as it would be across two commits.

A use case must do nothing outside the database (as ``Store.write``'s retries already
ask), since it may run again alone. A long write (an import) holds the others of its
batch until it ends. Off, ``Store.transact`` is ``Store.write`` as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import Connection

from timebank.errors import CommitFailed
from timebank.i18n import T
from timebank.store.uow import UnitOfWork

if TYPE_CHECKING:
    from timebank.store.db import Store

R = TypeVar("R")

# Members per batch: a bound on one caller's wait under a steady stream, and under
# PostgreSQL's 64 cached subtransactions per transaction.
MAX_BATCH = 32

_LOCK_COMMUNITY = ("SELECT set_config('plan_cache_mode', 'force_generic_plan', true) "
                   "FROM communities WHERE code = %(c)s FOR UPDATE")

_OK, _REFUSED, _ALONE = "ok", "refused", "alone"


class _Batch:
    """One open transaction and the members that joined it."""

    def __init__(self, community: str | None) -> None:
        self.community = community
        self.turn = threading.Lock()  # one member at a time on the connection
        self.joined = 0
        self.pending = 0  # joined and not yet through their work
        self.conn: Connection | None = None
        self.savepoint: str | None = None  # the last member's, released by the next
        self.savepoints = 0
        self.broken: BaseException | None = None  # failed before COMMIT: nothing written
        self.failed: BaseException | None = None  # the COMMIT failed
        self.done = threading.Event()


class GroupCommit:
    """The per-process committer of one ``Store`` (see the module)."""

    def __init__(self, store: Store, max_batch: int = MAX_BATCH) -> None:
        self.store = store
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._open: dict[str | None, _Batch] = {}
        self._inside = threading.local()
        self.commits = 0  # batches committed (for tests and benchmarks)

    def joined(self, community: str | None) -> int:
        """How many members the open batch of ``community`` has (0: none open)."""
        with self._lock:
            batch = self._open.get(community)
            return batch.joined if batch is not None else 0

    def transact(self, community: str | None, fn: Callable[[UnitOfWork], R]) -> R:
        if getattr(self._inside, "batch", None) is not None:
            # A use case that opens a write of its own: it cannot wait for its own batch.
            return self.store.transact_alone(community, fn)
        with self._lock:
            batch = self._open.get(community)
            leader = batch is None
            if batch is None:
                batch = self._open[community] = _Batch(community)
                batch.turn.acquire()  # before any follower can take a turn
            batch.joined += 1
            batch.pending += 1
            if batch.joined >= self.max_batch:
                del self._open[community]  # full: the next write opens another
        if not leader:
            batch.turn.acquire()
        self._inside.batch = batch
        try:
            if leader:
                self._begin(batch)
            outcome, value = self._work(batch, fn)
        finally:
            self._inside.batch = None
            batch.turn.release()
            with self._lock:
                batch.pending -= 1
                last = batch.pending == 0
                if last and self._open.get(community) is batch:
                    del self._open[community]
            if last:
                self._end(batch)
        batch.done.wait()
        return self._answer(batch, community, fn, outcome, value)

    # -- one batch ---------------------------------------------------------------------

    def _begin(self, batch: _Batch) -> None:
        try:
            conn = batch.conn = self.store._writer.connect()
            conn.begin()
            if conn.dialect.name == "postgresql" and batch.community is not None:
                conn.exec_driver_sql(_LOCK_COMMUNITY, {"c": batch.community})
        except Exception as exc:
            batch.broken = exc

    def _work(self, batch: _Batch, fn: Callable[[UnitOfWork], R]) -> tuple[str, Any]:
        conn = batch.conn
        if batch.broken is not None or conn is None:
            return _ALONE, None
        batch.savepoints += 1
        name = f"tb_member_{batch.savepoints}"
        try:
            self._savepoint(conn, batch.savepoint, name)
        except Exception as exc:
            batch.broken = exc
            return _ALONE, None
        batch.savepoint = name
        uow = UnitOfWork(self.store, conn, batch.community)
        try:
            return _OK, (fn(uow), uow)
        except Exception as exc:
            if _connection_lost(conn, exc):
                batch.broken = exc
                return _ALONE, None
            try:
                conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
            except Exception as again:
                batch.broken = again
                return _ALONE, None
            from timebank.store.db import retryable

            return (_ALONE, None) if retryable(exc) else (_REFUSED, exc)
        except BaseException as exc:  # an interrupt: the batch must not commit half of it
            batch.broken = exc
            raise

    @staticmethod
    def _savepoint(conn: Connection, previous: str | None, name: str) -> None:
        """Release the previous member's savepoint and open this one's: one round trip on
        PostgreSQL (two statements in one simple query), two calls on SQLite."""
        if previous is None:
            conn.exec_driver_sql(f"SAVEPOINT {name}")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"RELEASE SAVEPOINT {previous}; SAVEPOINT {name}")
        else:
            conn.exec_driver_sql(f"RELEASE SAVEPOINT {previous}")
            conn.exec_driver_sql(f"SAVEPOINT {name}")

    def _end(self, batch: _Batch) -> None:
        """COMMIT (or roll back a broken batch), give the connection back, wake all."""
        conn = batch.conn
        try:
            if conn is not None and batch.broken is None:
                try:
                    conn.commit()
                    self.commits += 1
                except Exception as exc:
                    batch.failed = exc
            if conn is not None:
                try:
                    conn.rollback()
                    conn.close()
                except Exception:
                    conn.invalidate()
        finally:
            batch.done.set()

    def _answer(self, batch: _Batch, community: str | None, fn: Callable[[UnitOfWork], R],
                outcome: str, value: Any) -> R:
        if batch.failed is not None:
            raise CommitFailed(T("the write could not be committed with the others sent at "
                                 "the same time; nothing was written: try again")) \
                from batch.failed
        if outcome == _ALONE or batch.broken is not None:
            # Nothing of the batch was written: run again alone, with the usual retries.
            return self.store.transact_alone(community, fn)
        if outcome == _REFUSED:
            raise value
        result, uow = value
        self.store._remember(uow)
        return result  # type: ignore[no-any-return]


def _connection_lost(conn: Connection, exc: BaseException) -> bool:
    from timebank.store.db import lost

    try:
        driver: Any = conn.connection.driver_connection
    except Exception:
        return True
    return lost(exc) or bool(getattr(driver, "broken", False)) or \
        bool(getattr(driver, "closed", False))
