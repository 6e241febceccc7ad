"""The approvals' gateway: imports remembered (a row per file import and its summary),
and the statements of a bulk approval: the contributions a filter covers, a chunk at a
time in time order, and their decisions written by one ``executemany`` per chunk.

Nothing here holds more than a chunk: candidates are read by keyset on
(occurred_at, id), flags by one ``IN`` query per chunk, and decisions are one primary-key
update a row, sent together (psycopg pipelines an ``executemany``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from timebank.domain.approvals import ApprovalFilter, Candidate, ImportSummary
from timebank.errors import InvalidState, NotFound, UnknownImport
from timebank.i18n import T
from timebank.store.fast import sqlite_datetime
from timebank.store.gateway import Gateway
from timebank.store.tables import (
    contribution_flags,
    contributions,
    imports,
    member_teams,
    members,
    rule_versions,
    units,
)
from timebank.timeutil import utcnow

_c = contributions.c
_i = imports.c
_COLUMNS = (_c.id, _c.member_id, _c.rule, _c.unit, _c.points, _c.status, _c.recorded_by,
            _c.occurred_at, _c.local_day, _c.rule_version_id)


class ApprovalsGateway(Gateway):
    # -- imports remembered --------------------------------------------------------------

    def open_import(self, kind: str, file: str, actor: str) -> int:
        """A new import, before its first row is written; its id links the rows."""
        return int(self.conn.execute(imports.insert().values(
            community_id=self.uow.community_id, kind=kind, file=file[-500:],
            actor=actor[:200], started_at=utcnow(), finished_at=None, committed=False,
            rows=0, added=0, unchanged=0, rejected=0, pending=0, flagged=0, problems=[])
            .returning(_i.id)).scalar_one())

    def finish_import(self, import_id: int, *, committed: bool, rows: int, added: int,
                      unchanged: int, rejected: int,
                      problems: Sequence[Mapping[str, Any]]) -> None:
        """Write the summary, counting what the import left pending and flagged."""
        pending, flagged = self.left_by(import_id)
        self.conn.execute(imports.update().where(
            _i.id == import_id, _i.community_id == self.uow.community_id).values(
            finished_at=utcnow(), committed=committed, rows=rows, added=added,
            unchanged=unchanged, rejected=rejected, pending=pending, flagged=flagged,
            problems=[dict(p) for p in problems]))

    def left_by(self, import_id: int) -> tuple[int, int]:
        """(pending now, flagged) of the import's contributions."""
        pending = self.conn.execute(sa.select(sa.func.count()).where(
            _c.import_id == import_id, _c.status == "pending")).scalar_one()
        flagged = self.conn.execute(sa.select(sa.func.count(
            sa.distinct(contribution_flags.c.contribution_id))).select_from(
            contribution_flags.join(contributions,
                                    _c.id == contribution_flags.c.contribution_id))
            .where(_c.import_id == import_id)).scalar_one()
        return int(pending), int(flagged)

    def import_summary(self, import_id: int) -> ImportSummary:
        row = self.conn.execute(sa.select(imports).where(
            _i.id == import_id, _i.community_id == self.uow.community_id)).first()
        if row is None:
            raise UnknownImport(T("unknown import {import_id}", import_id=import_id),
                                field="import")
        still = self.left_by(import_id)[0]
        return ImportSummary(row.id, row.kind, row.file, row.actor, row.started_at,
                             row.finished_at, row.committed, row.rows, row.added,
                             row.unchanged, row.rejected, row.pending, row.flagged,
                             tuple(row.problems), still)

    def check_import(self, import_id: int) -> None:
        """Raise ``UnknownImport`` unless the community has the import."""
        if self.conn.execute(sa.select(_i.id).where(
                _i.id == import_id, _i.community_id == self.uow.community_id)).first() is None:
            raise UnknownImport(T("unknown import {import_id}", import_id=import_id),
                                field="import")

    # -- what a bulk approval covers ---------------------------------------------------

    def _where(self, f: ApprovalFilter) -> list[Any]:
        where: list[Any] = [_c.community_id == self.uow.community_id,
                            _c.status == "pending"]
        if f.import_id is not None:
            where.append(_c.import_id == f.import_id)
        if f.rule is not None:
            where.append(_c.rule == f.rule)
        if f.from_ is not None:
            where.append(_c.local_day >= f.from_)
        if f.to is not None:
            where.append(_c.local_day <= f.to)
        if f.recorded_by is not None:
            where.append(_c.recorded_by == f.recorded_by)
        if f.unit is not None:
            where.append(_c.member_id.in_(self._covered(f.unit)))
        return where

    def _covered(self, code: str) -> Any:
        """The members living under the org unit ``code`` or serving in a team there."""
        community_id = self.uow.community_id
        path = self.conn.execute(sa.select(units.c.path).where(
            units.c.community_id == community_id, units.c.code == code)).scalar()
        if path is None:
            raise NotFound(T("unknown unit {code!r}", code=code), field="unit")
        subtree = sa.select(units.c.id).where(units.c.community_id == community_id,
                                              units.c.path.startswith(path, autoescape=True))
        living = sa.select(members.c.id).where(members.c.community_id == community_id,
                                               members.c.unit_id.in_(subtree))
        serving = sa.select(member_teams.c.member_id).where(
            member_teams.c.unit_id.in_(subtree))
        return sa.union(living, serving)

    def lock(self, f: ApprovalFilter) -> None:
        """PostgreSQL: lock every contribution the act covers, up front and in one
        statement, so a single approval racing it waits rather than deadlocks half-way
        (SQLite's writer holds the database already)."""
        if self.uow.dialect != "postgresql":
            return
        where = ([_c.id.in_(list(f.ids)), _c.community_id == self.uow.community_id]
                 if f.ids is not None else self._where(f))
        locked = sa.select(_c.id).where(*where).with_for_update().subquery()
        self.conn.execute(sa.select(sa.func.count()).select_from(locked))

    def pending_after(self, f: ApprovalFilter, after: tuple[datetime, int] | None,
                      limit: int) -> list[Candidate]:
        """The next ``limit`` pending contributions ``f`` covers, in time order."""
        query = self._select().where(*self._where(f))
        if after is not None:
            query = query.where(sa.tuple_(_c.occurred_at, _c.id) > sa.tuple_(*after))
        return self._candidates(query.order_by(_c.occurred_at, _c.id).limit(limit))

    def order_of(self, ids: Sequence[int]) -> list[tuple[datetime, int]]:
        """(occurred_at, id) of the community's contributions among ``ids``, in time
        order (at most ``MAX_IDS`` of them: a list in memory is bounded)."""
        found: list[tuple[datetime, int]] = []
        for start in range(0, len(ids), 5000):
            found.extend(self.conn.execute(sa.select(_c.occurred_at, _c.id).where(
                _c.community_id == self.uow.community_id,
                _c.id.in_(list(ids[start:start + 5000])))).all())
        found.sort()
        return found

    def by_ids(self, ids: Sequence[int]) -> list[Candidate]:
        """The contributions ``ids`` (of this community), whatever their status."""
        return self._candidates(self._select().where(
            _c.community_id == self.uow.community_id, _c.id.in_(list(ids))))

    def _select(self) -> Any:
        return sa.select(*_COLUMNS)

    def _candidates(self, query: Any) -> list[Candidate]:
        rows = self.conn.execute(query).all()
        flags: dict[int, list[str]] = defaultdict(list)
        if rows:
            for cid, kind in self.conn.execute(
                    sa.select(contribution_flags.c.contribution_id, contribution_flags.c.kind)
                    .where(contribution_flags.c.contribution_id.in_([r[0] for r in rows]))
                    .order_by(contribution_flags.c.id)):
                if kind not in flags[cid]:
                    flags[cid].append(kind)
        names = self._names({r[-1] for r in rows})
        return [Candidate(cid, member_id, rule, unit, points, status, recorded_by, at, day,
                          *names[version], tuple(flags[cid]))
                for cid, member_id, rule, unit, points, status, recorded_by, at, day,
                version in rows]

    def _names(self, versions: set[int]) -> dict[int, tuple[str, str]]:
        """(name_zh, name_en) of rule versions: read once per chunk, not once a row."""
        if not versions:
            return {}
        return {vid: (d["name_zh"], d["name_en"]) for vid, d in self.conn.execute(
            sa.select(rule_versions.c.id, rule_versions.c.definition)
            .where(rule_versions.c.id.in_(sorted(versions))))}

    # -- what a bulk approval writes ---------------------------------------------------

    def approve(self, decided: Sequence[tuple[int, int | None]], approver: str) -> None:
        """Mark (contribution id, award entry id) approved by ``approver``. Guarded like a
        single decision: a row no longer pending fails the whole act."""
        if not decided:
            return
        now = utcnow()
        # One pk probe a row (pipelined by psycopg), never a join: a join's plan hangs on
        # the table's statistics, and once psycopg prepares the statement PostgreSQL's
        # generic plan took the unnest for ten rows and walked every pending row of the
        # community for each of them (100,000 approvals: 44 s of 60 in this statement).
        mark = ("UPDATE contributions SET status = 'approved', decided_by = {p}, "
                "decided_at = {p}, reason = NULL, entry_id = {p} "
                "WHERE id = {p} AND community_id = {p} AND status = 'pending'")
        at: Any = now if self.uow.dialect == "postgresql" else sqlite_datetime(now)
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(mark.format(p="%s" if self.uow.dialect == "postgresql" else "?"),
                               [(approver, at, entry, cid, self.uow.community_id)
                                for cid, entry in decided])
            done = cursor.rowcount
        finally:
            cursor.close()
        if done != len(decided):
            raise InvalidState(T("a contribution of this approval was decided meanwhile"),
                               field="status", state="changed")
