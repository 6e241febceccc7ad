"""The import engine: read a file in chunks, check each row, write the good ones.

Two modes. *All or nothing* (the default) reads the whole file in one write transaction,
stops writing at the first bad row but keeps checking so the report lists every problem,
and rolls back if there was any: a file with one bad row writes nothing. *Skip bad rows*
writes each chunk's good rows in a transaction of its own and reports the rest.

Either way memory is bounded by the chunk size (the report keeps the first
``MAX_PROBLEMS`` problems and counts the others), and every row has a key, so importing
the same file again adds nothing.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import attrs
from sqlalchemy.engine import Connection

from timebank.io.headers import HeaderMap, Layout, map_headers
from timebank.io.readers import Source, open_source
from timebank.io.rows import Problem
from timebank.store import ledger as books
from timebank.store.db import Store

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
    ``check(conn, community, records)`` checks a chunk against it (codes exist, …).
    Then either ``write(conn, community, records)`` writes a chunk inside the import's
    transaction and returns (added, unchanged), or, for kinds recorded through a
    service that opens its own transactions, ``record(community, records)`` returns
    (added, unchanged, problems).
    """

    layout: Layout
    parse: Callable[[HeaderMap, int, Sequence[Any]], tuple[R | None, list[Problem]]]
    check: Callable[[Connection, books.CommunityRef, Sequence[R]], Checked[R]]
    write: Callable[[Connection, books.CommunityRef, Sequence[R]], tuple[int, int]] | None
    record: Callable[[str, Sequence[R]], tuple[int, int, list[Problem]]] | None = None


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


def _chunks(source: Source, plan: Plan[R], hmap: HeaderMap, tally: _Tally,
            progress: Progress | None, size: int) -> Iterator[list[R]]:
    batch: list[R] = []
    for number, values in source.rows():
        tally.rows += 1
        record, problems = plan.parse(hmap, number, values)
        if problems:
            tally.note(problems)
        elif record is not None:
            batch.append(record)
        if len(batch) >= size or (tally.rows % size == 0 and batch):
            yield batch
            batch = []
            if progress is not None:
                progress(*source.progress())
    if batch:
        yield batch
    if progress is not None:
        progress(*source.progress())


def run_import(store: Store, community: str, path: str | os.PathLike[str], plan: Plan[R], *,
               skip_bad_rows: bool = False, progress: Progress | None = None,
               encoding: str | None = None, fmt: str | None = None,
               chunk_size: int = CHUNK) -> ImportReport:
    name = os.fspath(path)
    with store.read() as conn:
        books.community(conn, community)  # an unknown community fails before reading

    def header_report(source: Source) -> tuple[HeaderMap, ImportReport | None]:
        hmap = map_headers(plan.layout, source.headers)
        problems = [Problem(1, _header_name(plan.layout, f), "required column is missing")
                    for f in hmap.missing]
        problems += [Problem(1, h, "column appears twice") for h in hmap.duplicated]
        if not problems:
            return hmap, None
        return hmap, ImportReport(plan.layout.kind, name, skip_bad_rows, 0, 0, 0, 0,
                                  tuple(problems), False, hmap.ignored)

    def finish(tally: _Tally, hmap: HeaderMap, committed: bool) -> ImportReport:
        kept = committed or plan.write is None  # a rolled-back transaction kept nothing
        return ImportReport(plan.layout.kind, name, skip_bad_rows, tally.rows,
                            tally.added if kept else 0,
                            tally.unchanged if kept else 0, tally.rejected,
                            tuple(tally.problems), committed, hmap.ignored)

    if plan.write is None:
        return _two_passes(store, community, path, plan, skip_bad_rows, progress, encoding,
                           fmt, chunk_size, header_report, finish)

    if skip_bad_rows:
        tally = _Tally()
        with open_source(path, fmt=fmt, encoding=encoding) as source:
            hmap, failed = header_report(source)
            if failed is not None:
                return failed
            for batch in _chunks(source, plan, hmap, tally, progress, chunk_size):
                def step(conn: Connection, batch: list[R] = batch) -> tuple[int, int, Checked[R]]:
                    comm = books.community(conn, community)
                    checked = plan.check(conn, comm, batch)
                    assert plan.write is not None
                    return (*plan.write(conn, comm, checked.good), checked)
                added, unchanged, checked = store.write(step)
                tally.note(checked.problems)
                tally.added += added
                tally.unchanged += unchanged
        return finish(tally, hmap, True)

    outcome: list[ImportReport] = []

    def everything(conn: Connection) -> None:
        outcome.clear()
        tally = _Tally()
        with open_source(path, fmt=fmt, encoding=encoding) as source:
            hmap, failed = header_report(source)
            if failed is not None:
                outcome.append(failed)
                raise _Rollback
            comm = books.community(conn, community)
            for batch in _chunks(source, plan, hmap, tally, progress, chunk_size):
                checked = plan.check(conn, comm, batch)
                tally.note(checked.problems)
                if tally.rejected == 0:
                    assert plan.write is not None
                    added, unchanged = plan.write(conn, comm, checked.good)
                    tally.added += added
                    tally.unchanged += unchanged
        outcome.append(finish(tally, hmap, tally.rejected == 0))
        if tally.rejected:
            raise _Rollback

    with contextlib.suppress(_Rollback):
        store.write(everything)
    return outcome[0]


def _two_passes(store: Store, community: str, path: str | os.PathLike[str], plan: Plan[R],
                skip_bad_rows: bool, progress: Progress | None, encoding: str | None,
                fmt: str | None, chunk_size: int, header_report: Any,
                finish: Any) -> ImportReport:
    """For plans recorded through a service (its own transaction per chunk).

    All or nothing: a first pass checks every row and writes nothing if any is bad; the
    second pass records chunk by chunk. Should a chunk still fail there (the books
    changed between the passes), the import stops and says so; the chunks before it stay
    recorded, and as every row has a key, importing the file again records the rest.
    """
    assert plan.record is not None

    def checked_chunks(source: Source, hmap: HeaderMap, tally: _Tally,
                       report: Progress | None) -> Iterator[list[R]]:
        for batch in _chunks(source, plan, hmap, tally, report, chunk_size):
            with store.read() as conn:
                checked = plan.check(conn, books.community(conn, community), batch)
            tally.note(checked.problems)
            yield list(checked.good)

    tally = _Tally()
    if skip_bad_rows:
        with open_source(path, fmt=fmt, encoding=encoding) as source:
            hmap, failed = header_report(source)
            if failed is not None:
                return failed  # type: ignore[no-any-return]
            for good in checked_chunks(source, hmap, tally, progress):
                if not _record(plan, community, good, tally, stop=False):
                    break
        return finish(tally, hmap, True)  # type: ignore[no-any-return]

    # All or nothing: check everything first, keeping the good rows in a spool file (not
    # in memory) so the second pass neither parses nor checks again.
    with tempfile.TemporaryFile() as spool:
        with open_source(path, fmt=fmt, encoding=encoding) as source:
            hmap, failed = header_report(source)
            if failed is not None:
                return failed  # type: ignore[no-any-return]
            half = None if progress is None else (
                lambda done, total: progress(done // 2, total))
            chunks = 0
            for good in checked_chunks(source, hmap, tally, half):
                if not tally.rejected and good:
                    pickle.dump(good, spool, pickle.HIGHEST_PROTOCOL)
                    chunks += 1
            total = source.progress()[1]
        if tally.rejected:
            return finish(tally, hmap, False)  # type: ignore[no-any-return]
        spool.seek(0)
        for index in range(chunks):
            if not _record(plan, community, pickle.load(spool), tally, stop=True):
                return finish(tally, hmap, False)  # type: ignore[no-any-return]
            if progress is not None and total:
                progress(total // 2 + (total - total // 2) * (index + 1) // chunks, total)
    return finish(tally, hmap, True)  # type: ignore[no-any-return]


def _record(plan: Plan[R], community: str, good: list[R], tally: _Tally, stop: bool) -> bool:
    """Record one chunk through the plan's service; False when it failed and ``stop``."""
    if not good:
        return True
    assert plan.record is not None
    added, unchanged, problems = plan.record(community, good)
    tally.added += added
    tally.unchanged += unchanged
    tally.note(problems)
    return not (problems and stop)


def _header_name(layout: Layout, field: str) -> str:
    column = layout.column(field)
    return f"{column.en} / {column.zh}"
