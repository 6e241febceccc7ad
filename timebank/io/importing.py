"""The import engine: read a file in chunks, check each row, write the good ones.

Two modes. *All or nothing* (the default) reads the whole file in one write transaction,
stops writing at the first bad row but keeps checking so the report lists every problem,
and rolls back if there was any: a file with one bad row writes nothing, and a crash
half-way writes nothing either. *Skip bad rows* writes each chunk's good rows in a
transaction of its own and reports the rest.

Either way memory is bounded by the chunk size (the report keeps the first
``MAX_PROBLEMS`` problems and counts the others), and every row has a key, so importing
the same file again adds nothing.

Every import is remembered (``imports``: an id, and at the end its summary), and the
contributions it records are linked to it, so what it left pending can be reviewed and
approved as one act (``timebank.services.approvals``).
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import attrs

from timebank.errors import TimebankError
from timebank.gcpause import gc_paused
from timebank.i18n import translate
from timebank.io.headers import HeaderMap, Layout, map_headers
from timebank.io.readers import Source, open_source
from timebank.io.rows import Problem
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork

R = TypeVar("R")
CHUNK = 5_000
MAX_PROBLEMS = 1_000
Progress = Callable[[int, int | None], None]  # (done, total) in the reader's measure


@attrs.frozen
class ImportReport:
    """What an import did. ``committed`` is False when nothing was written (a bad row in
    all-or-nothing mode, or a file that could not be read as the layout says)."""

    kind: str
    file: str
    skip_bad_rows: bool
    rows: int
    added: int
    unchanged: int
    rejected: int
    problems: tuple[Problem, ...]
    committed: bool
    ignored_columns: tuple[str, ...] = ()
    import_id: int | None = None
    pending: int = 0   # left waiting for approval
    flagged: int = 0   # carrying an anomaly flag

    @property
    def ok(self) -> bool:
        return self.rejected == 0 and self.committed


@attrs.frozen
class Checked(Generic[R]):
    """A chunk after the database checks: the rows to write and the problems found."""

    good: Sequence[R]
    problems: Sequence[Problem]


@attrs.define
class Plan(Generic[R]):
    """How one kind of file is imported.

    ``parse(hmap, row number, values)`` checks one row without the database;
    ``check(uow, records)`` checks a chunk against it (codes exist, …);
    ``write(uow, records)`` writes a chunk inside the import's transaction (``uow``)
    and returns (added, unchanged). Records carry their file row number as ``row``.
    ``import_id`` is the remembered import's, set by ``run_import`` before any write.
    """

    layout: Layout
    parse: Callable[[HeaderMap, int, Sequence[Any]], tuple[R | None, list[Problem]]]
    check: Callable[[UnitOfWork, Sequence[R]], Checked[R]]
    write: Callable[[UnitOfWork, Sequence[R]], tuple[int, int]]
    actor: str = "import"
    import_id: int | None = None
    lang: str = "en"   # the language of the problems' messages


@attrs.define
class _Tally:
    rows: int = 0
    added: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = attrs.Factory(list)

    def note(self, problems: Sequence[Problem]) -> None:
        rows = {p.row for p in problems}
        self.rejected += len(rows)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


class _Rollback(Exception):
    """Raised inside the all-or-nothing transaction to undo it."""


@attrs.frozen
class _Chunk(Generic[R]):
    """Up to a chunk's rows of the file, parsed: the records, the rows' problems, how
    many rows were read and the reader's progress after them."""

    records: list[R]
    problems: list[Problem]
    rows: int
    progress: tuple[int, int | None]


def _parsed(source: Source, plan: Plan[R], hmap: HeaderMap, size: int
            ) -> Iterator[_Chunk[R]]:
    records: list[R] = []
    problems: list[Problem] = []
    rows = 0
    for number, values in source.rows():
        rows += 1
        record, found = plan.parse(hmap, number, values)
        if found:
            problems.extend(found)
        elif record is not None:
            records.append(record)
        if rows == size:
            yield _Chunk(records, problems, rows, source.progress())
            records, problems, rows = [], [], 0
    yield _Chunk(records, problems, rows, source.progress())


_END = object()


@contextlib.contextmanager
def _read_ahead(chunks: Iterator[_Chunk[R]]) -> Iterator[Iterator[_Chunk[R]]]:
    """``chunks`` produced by a thread one chunk ahead of the caller: the next chunk is
    read and parsed (Python) while this one is written (mostly waiting on the database).
    At most three chunks are held; a reading error is raised in the caller; leaving the
    block stops the thread before the file is closed."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(_END)
        except BaseException as exc:  # handed to the caller, raised there
            put(exc)

    def consume() -> Iterator[_Chunk[R]]:
        while (item := ahead.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item

    reader = threading.Thread(target=produce, name="timebank-import-reader", daemon=True)
    reader.start()
    try:
        yield consume()
    finally:
        stop.set()
        reader.join()


@contextlib.contextmanager
def _chunks(source: Source, plan: Plan[R], hmap: HeaderMap, tally: _Tally,
            progress: Progress | None, size: int) -> Iterator[Iterator[list[R]]]:
    """The file's records a chunk at a time (a chunk with none is skipped), its rows and
    problems counted in ``tally``; the reading thread ends with the block."""
    def counted(chunks: Iterator[_Chunk[R]]) -> Iterator[list[R]]:
        for chunk in chunks:
            tally.rows += chunk.rows
            tally.note(chunk.problems)
            if chunk.records:
                yield chunk.records
            if not gc.isenabled():  # paused for the bulk write: see ``timebank.gcpause``
                gc.collect(0)
            if progress is not None:
                progress(*chunk.progress)

    with _read_ahead(_parsed(source, plan, hmap, size)) as chunks:
        yield counted(chunks)


def run_import(store: Store, community: str, path: str | os.PathLike[str], plan: Plan[R], *,
               skip_bad_rows: bool = False, progress: Progress | None = None,
               encoding: str | None = None, fmt: str | None = None,
               chunk_size: int = CHUNK) -> ImportReport:
    """Import ``path`` as ``plan`` says; the import is remembered with its summary."""
    name = os.fspath(path)
    with store.reading(community) as uow:
        uow.community  # noqa: B018 (an unknown community fails before reading)
    plan.import_id = store.transact(community, lambda uow: uow.approvals.open_import(
        plan.layout.kind, name, plan.actor))
    report = _run_import(store, community, name, path, plan, skip_bad_rows=skip_bad_rows,
                         progress=progress, encoding=encoding, fmt=fmt,
                         chunk_size=chunk_size)
    return store.transact(community, lambda uow: _remember(uow, plan.import_id, report))


def _remember(uow: UnitOfWork, import_id: int | None, report: ImportReport) -> ImportReport:
    """Write the import's summary and return the report with what it left to do."""
    assert import_id is not None
    uow.approvals.finish_import(
        import_id, committed=report.committed, rows=report.rows, added=report.added,
        unchanged=report.unchanged, rejected=report.rejected,
        problems=[attrs.asdict(p) for p in report.problems[:100]])
    pending, flagged = uow.approvals.left_by(import_id)
    return attrs.evolve(report, import_id=import_id, pending=pending, flagged=flagged)


def _run_import(store: Store, community: str, name: str, path: str | os.PathLike[str],
                plan: Plan[R], *, skip_bad_rows: bool, progress: Progress | None,
                encoding: str | None, fmt: str | None, chunk_size: int) -> ImportReport:

    def header_report(source: Source) -> tuple[HeaderMap, ImportReport | None]:
        hmap = map_headers(plan.layout, source.headers)
        problems = [Problem(1, _header_name(plan.layout, f),
                            translate("required column is missing", plan.lang))
                    for f in hmap.missing]
        problems += [Problem(1, h, translate("column appears twice", plan.lang))
                     for h in hmap.duplicated]
        if not problems:
            return hmap, None
        return hmap, ImportReport(plan.layout.kind, name, skip_bad_rows, 0, 0, 0, 0,
                                  tuple(problems), False, hmap.ignored)

    def finish(tally: _Tally, hmap: HeaderMap, committed: bool) -> ImportReport:
        # A rolled-back transaction kept nothing.
        return ImportReport(plan.layout.kind, name, skip_bad_rows, tally.rows,
                            tally.added if committed else 0,
                            tally.unchanged if committed else 0, tally.rejected,
                            tuple(tally.problems), committed, hmap.ignored)

    if skip_bad_rows:
        tally = _Tally()
        with open_source(path, fmt=fmt, encoding=encoding) as source, gc_paused():
            hmap, failed = header_report(source)
            if failed is not None:
                return failed
            with _chunks(source, plan, hmap, tally, progress, chunk_size) as batches:
                for batch in batches:
                    try:
                        added, unchanged, problems = store.transact(community,
                                                                    _step(plan, batch))
                    except TimebankError:
                        # Something the checks could not see: find it row by row.
                        added, unchanged, problems = _row_by_row(store, plan, community,
                                                                 batch)
                    tally.note(problems)
                    tally.added += added
                    tally.unchanged += unchanged
        return finish(tally, hmap, True)

    outcome: list[ImportReport] = []

    def everything(uow: UnitOfWork) -> None:
        outcome.clear()
        tally = _Tally()
        with open_source(path, fmt=fmt, encoding=encoding) as source:
            hmap, failed = header_report(source)
            if failed is not None:
                outcome.append(failed)
                raise _Rollback
            analysed_at = 10_000
            with _chunks(source, plan, hmap, tally, progress, chunk_size) as batches:
                for batch in batches:
                    checked = plan.check(uow, batch)
                    tally.note(checked.problems)
                    if tally.rejected == 0 and checked.good:
                        try:
                            added, unchanged = plan.write(uow, checked.good)
                        except TimebankError as exc:
                            tally.note([_problem(plan, batch[0], exc, chunk=True)])
                            continue
                        tally.added += added
                        tally.unchanged += unchanged
                        if tally.added >= analysed_at:  # at 10k, 20k, 40k, ... rows written
                            uow.imports.refresh_statistics(plan.layout.kind)
                            analysed_at *= 2
        outcome.append(finish(tally, hmap, tally.rejected == 0))
        if tally.rejected:
            raise _Rollback

    with contextlib.suppress(_Rollback), gc_paused():
        store.transact(community, everything)
    return outcome[0]


def _step(plan: Plan[R], batch: Sequence[R]
          ) -> Callable[[UnitOfWork], tuple[int, int, list[Problem]]]:
    """One chunk checked and written in the transaction ``Store.transact`` gives it."""
    def step(uow: UnitOfWork) -> tuple[int, int, list[Problem]]:
        checked = plan.check(uow, batch)
        added, unchanged = plan.write(uow, checked.good) if checked.good else (0, 0)
        return added, unchanged, list(checked.problems)
    return step


def _row_by_row(store: Store, plan: Plan[R], community: str, batch: Sequence[R]
                ) -> tuple[int, int, list[Problem]]:
    added = unchanged = 0
    problems: list[Problem] = []
    for record in batch:
        try:
            a, u, found = store.transact(community, _step(plan, [record]))
        except TimebankError as exc:
            problems.append(_problem(plan, record, exc))
            continue
        added, unchanged, problems = added + a, unchanged + u, problems + found
    return added, unchanged, problems


def _problem(plan: Plan[R], record: Any, exc: TimebankError, chunk: bool = False) -> Problem:
    field = exc.details.get("field")
    known = {c.field for c in plan.layout.columns}
    column = _header_name(plan.layout, str(field)) if field in known else ""
    message = exc.render(plan.lang)
    if chunk:
        message = translate("the rows from {row} on: {message}", plan.lang, row=record.row,
                            message=message)
    return Problem(record.row, column, message)


def _header_name(layout: Layout, field: str) -> str:
    column = layout.column(field)
    return f"{column.en} / {column.zh}"
