"""The contributions' gateway: the members being credited, what they recorded before
(cap usage, streak weeks, neighbouring timed contributions), the rows of new
contributions and their flags, the monthly running totals, decisions and listings.

Reads for a batch are a few grouped queries over the batch's members (chunked), and
writes are bulk inserts (``executemany`` or ``COPY``). On PostgreSQL the members' rows
are locked by id before their cap usage is read, so two concurrent recordings cannot
both fill one cap (the lock order is in ``tables``); SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from timebank.domain import anomalies
from timebank.domain.contributions import (
    LIVE,
    Contribution,
    ContributionRef,
    Earner,
    Flag,
    Resolved,
)
from timebank.domain.rules import Valuation
from timebank.errors import InvalidState, UnknownContribution
from timebank.i18n import T
from timebank.store.fast import Statement, among, insert_rows
from timebank.store.gateway import Gateway
from timebank.store.posting import SMALL, allocate_ids
from timebank.store.tables import (
    contribution_flags,
    contributions,
    earnings_monthly,
    members,
    rule_versions,
)
from timebank.timeutil import utcnow

CHUNK = 5000
_P = sa.bindparam
_c = contributions.c

_LOAD = Statement(
    sa.select(_c.id, _c.member_id, members.c.code, _c.rule, _c.unit, _c.points, _c.capped,
              _c.status, _c.recorded_by, _c.occurred_at, _c.local_day, _c.entry_id,
              rule_versions.c.definition)
    .join(members, members.c.id == _c.member_id)
    .join(rule_versions, rule_versions.c.id == _c.rule_version_id)
    .where(_c.id == _P("p_id"), _c.community_id == _P("p_community"))
    # PostgreSQL: the row first, so of two racing decisions the second sees the first's.
    .with_for_update(of=contributions))
_EARN_SQL = (
    "INSERT INTO earnings_monthly (community_id, member_id, rule, unit, month, points, "
    "contributions) VALUES (:p_community, :p_member, :p_rule, :p_unit, :p_month, "
    ":p_points, :p_count) ON CONFLICT (community_id, member_id, rule, unit, month) "
    "DO UPDATE SET points = earnings_monthly.points + excluded.points, "
    "contributions = earnings_monthly.contributions + excluded.contributions")
_EARN = Statement(sa.text(_EARN_SQL))

Rows = Callable[[list[int], list[str]], sa.Select[Any]]


class ContributionsGateway(Gateway):
    # -- what a recording reads --------------------------------------------------------

    def earners(self, codes: Iterable[str]) -> dict[str, Earner]:
        """The members ``codes`` names that exist, by code; on PostgreSQL their rows are
        locked (in id order) for the rest of the transaction: caps are per member."""
        found = {}
        ordered = sorted(set(codes))
        lock = self.uow.dialect == "postgresql"
        for start in range(0, len(ordered), CHUNK):
            query = (sa.select(members.c.id, members.c.code, members.c.roles, members.c.tags)
                     .where(members.c.community_id == self.uow.community_id,
                            among(members.c.code, ordered[start:start + CHUNK],
                                  self.uow.dialect))
                     .order_by(members.c.id))
            for mid, code, roles, tags in self.conn.execute(
                    query.with_for_update() if lock else query):
                found[code] = Earner(mid, tuple(roles), tuple(tags))
        return found

    def points_by_day(self, member_ids: Iterable[int], codes: Iterable[str], low: date,
                      high: date) -> list[tuple[int, str, date, int]]:
        """Points of live contributions per (member, rule, local day) in ``low..high``."""
        return self._chunked(member_ids, codes, lambda ids, rules: (
            sa.select(_c.member_id, _c.rule, _c.local_day, sa.func.sum(_c.points))
            .where(among(_c.member_id, ids, self.uow.dialect), _c.rule.in_(rules),
                   _c.status.in_(LIVE), _c.local_day.between(low, high))
            .group_by(_c.member_id, _c.rule, _c.local_day)))

    def points_by_period(self, member_ids: Iterable[int], codes: Iterable[str], low: date,
                         high: date) -> list[tuple[int, str, date, str | None, int]]:
        """Points of live contributions of per_period rules per (member, rule, local day,
        period paid for), paid on ``low..high`` or paying a month of it."""
        months = (f"{low:%Y-%m}", f"{high:%Y-%m}")
        return self._chunked(member_ids, codes, lambda ids, rules: (
            sa.select(_c.member_id, _c.rule, _c.local_day, _c.period, sa.func.sum(_c.points))
            .where(among(_c.member_id, ids, self.uow.dialect), _c.rule.in_(rules),
                   _c.status.in_(LIVE), sa.or_(_c.local_day.between(low, high),
                                               _c.period.between(*months)))
            .group_by(_c.member_id, _c.rule, _c.local_day, _c.period)))

    def periods_paid(self, member_ids: Iterable[int], rule: str, low: str, high: str
                     ) -> dict[int, set[str]]:
        """The periods ``low..high`` (``YYYY-MM``) each member has a live contribution of
        ``rule`` for (dues paid), on the (member, rule, ...) index."""
        paid: dict[int, set[str]] = defaultdict(set)
        for member_id, period in self._chunked(member_ids, [rule], lambda ids, rules: (
                sa.select(_c.member_id, _c.period).distinct()
                .where(among(_c.member_id, ids, self.uow.dialect), _c.rule.in_(rules),
                       _c.status.in_(LIVE), _c.period.between(low, high)))):
            paid[member_id].add(period)
        return paid

    def days_active(self, member_ids: Iterable[int], codes: Iterable[str]
                    ) -> list[tuple[int, str, date]]:
        """The local days with a live contribution per (member, rule): streaks."""
        return self._chunked(member_ids, codes, lambda ids, rules: (
            sa.select(_c.member_id, _c.rule, _c.local_day).distinct()
            .where(among(_c.member_id, ids, self.uow.dialect), _c.rule.in_(rules),
                   _c.status.in_(LIVE))))

    def timed_near(self, member_ids: Iterable[int], codes: Iterable[str], low: date,
                   high: date) -> tuple[list[anomalies.Span], list[anomalies.DayMinutes]]:
        """The members' live contributions under rules ``codes`` on ``low..high``: their
        time spans (those with an end) and minutes credited per day, for anomaly flags."""
        spans: list[anomalies.Span] = []
        days: list[anomalies.DayMinutes] = []
        for cid, member_id, start, end, day, credited in self._chunked(
                member_ids, codes, lambda ids, rules: (
                    sa.select(_c.id, _c.member_id, _c.occurred_at, _c.ended_at,
                              _c.local_day, _c.credited)
                    .where(among(_c.member_id, ids, self.uow.dialect),
                           _c.status.in_(LIVE), _c.rule.in_(rules),
                           _c.local_day.between(low, high)))):
            if end is not None:
                spans.append(anomalies.Span(cid, member_id, start, end))
            days.append(anomalies.DayMinutes(cid, member_id, day, credited))
        return spans, days

    def _chunked(self, member_ids: Iterable[int], codes: Iterable[str],
                 build: Rows) -> list[Any]:
        ids = sorted(set(member_ids))
        rules = sorted(set(codes))
        found: list[Any] = []
        for start in range(0, len(ids), CHUNK):
            found.extend(self.conn.execute(build(ids[start:start + CHUNK], rules)).all())
        return found

    # -- what a recording writes -------------------------------------------------------

    def new_ids(self, count: int) -> list[int]:
        """Ids for ``count`` contributions, taken before their awards name them."""
        return allocate_ids(self.conn, contributions, count)

    def add(self, items: Sequence[Resolved], valued: Sequence[Valuation], ids: Sequence[int],
            entry_of: Mapping[int, int], *, recorded_by: str, now: datetime,
            import_id: int | None = None) -> None:
        """Insert the valued ``items`` under ``ids``, with their awards' entries."""
        community_id = self.uow.community_id
        insert_rows(self.conn, contributions, [{
            "id": cid, "community_id": community_id, "member_id": item.member_id,
            "rule": item.rule.code, "rule_version_id": item.version_id,
            "unit": item.rule.unit, "quantity": item.claim.quantity,
            "credited": value.credited, "occurred_at": item.occurred_at,
            "ended_at": item.ended_at, "local_day": item.claim.day, "period": item.period,
            "tags": list(item.claim.tags), "note": item.note, "status": item.status,
            "raw_points": value.raw_points, "points": value.points, "capped": value.capped,
            "bonus": value.bonus, "notes": list(value.notes), "recorded_by": recorded_by,
            "recorded_at": now, "decided_by": None, "decided_at": now if item.auto else None,
            "reason": None, "entry_id": entry_of.get(cid), "reversal_id": None,
            "import_id": import_id}
            for item, value, cid in zip(items, valued, ids, strict=True)])

    def add_flags(self, flagged: Iterable[tuple[int, anomalies.Flag]]) -> None:
        """Store anomaly flags (contribution id, flag)."""
        community_id = self.uow.community_id
        insert_rows(self.conn, contribution_flags, [
            {"community_id": community_id, "contribution_id": cid, "kind": flag.kind,
             "detail": flag.detail[:500]} for cid, flag in flagged])

    def earn(self, totals: Sequence[tuple[int, str, str, str, int, int]]) -> None:
        """Add (member, rule, unit, month, points, contributions) to the monthly running
        totals: one upsert per member, rule and month."""
        if not totals:
            return
        community_id = self.uow.community_id
        rows = [{"p_community": community_id, "p_member": m, "p_rule": r, "p_unit": u,
                 "p_month": mo, "p_points": p, "p_count": n} for m, r, u, mo, p, n in totals]
        if len(rows) <= SMALL:
            _EARN.many(self.conn, rows)
            return
        if self.uow.dialect == "postgresql":
            _earn_arrays(self.conn, community_id, totals)
            return
        stmt = _upsert(self.uow.dialect)
        for start in range(0, len(rows), 50_000):
            self.conn.execute(stmt, [
                {"community_id": community_id, "member_id": m, "rule": r, "unit": u,
                 "month": mo, "points": p, "contributions": n}
                for m, r, u, mo, p, n in totals[start:start + 50_000]])

    # -- decisions ---------------------------------------------------------------------

    def load(self, contribution_id: int) -> ContributionRef:
        """The contribution a decision is about (its row locked on PostgreSQL)."""
        row = _LOAD.one(self.conn, {"p_id": contribution_id,
                                    "p_community": self.uow.community_id})
        if row is None:
            raise UnknownContribution(T("unknown contribution {id}", id=contribution_id),
                                      field="contribution")
        (cid, member_id, member, rule, unit, points, capped, status, recorded_by,
         occurred_at, local_day, entry_id, definition) = row
        return ContributionRef(cid, member_id, member, rule, unit, points, capped, status,
                               recorded_by, occurred_at, local_day, entry_id,
                               definition["name_zh"], definition["name_en"])

    def decide(self, contribution_id: int, status: str, who: str, reason: str | None, *,
               start: str = "pending", entry_id: int | None = None,
               reversal_id: int | None = None) -> None:
        """Move the contribution from ``start`` to ``status``, with the award or
        reversal posted for it. Guarded: of two racing decisions only one finds
        ``start``; the other is refused with the state it found."""
        values: dict[str, Any] = {"status": status, "decided_by": who,
                                  "decided_at": utcnow(), "reason": reason}
        if entry_id is not None:
            values["entry_id"] = entry_id
        if reversal_id is not None:
            values["reversal_id"] = reversal_id
        done = self.conn.execute(
            contributions.update()
            .where(_c.id == contribution_id, _c.community_id == self.uow.community_id,
                   _c.status == start)
            .values(values).returning(_c.id)).first()
        if done is None:
            current = self.conn.execute(
                sa.select(_c.status).where(_c.id == contribution_id)).scalar()
            raise InvalidState(T("contribution {id} is {state}, not {start}", id=contribution_id,
                                 state=current, start=start),
                               field="status", state=current)

    def cut_points(self, cuts: Sequence[tuple[int, int, str]]) -> None:
        """Lower pending contributions' points as they are approved (id, points, note):
        the storage cap cut their awards. They are marked capped and keep the note."""
        for cid, points, note in cuts:
            notes = self.conn.execute(sa.select(_c.notes).where(
                _c.id == cid, _c.community_id == self.uow.community_id)).scalar_one()
            self.conn.execute(contributions.update().where(_c.id == cid).values(
                points=points, capped=True, notes=[*(notes or []), note]))

    # -- reads -------------------------------------------------------------------------

    def listing(self, *, status: str | None = None, member_id: int | None = None,
                rule: str | None = None, from_: date | None = None, to: date | None = None,
                flagged: bool | None = None, after: int | None = None, limit: int = 100,
                ids: Sequence[int] | None = None,
                import_id: int | None = None) -> list[Contribution]:
        """Contributions by id with their flags, filtered (see ``Contributions.list``)."""
        query = (sa.select(contributions, members.c.code.label("member_code"))
                 .join(members, members.c.id == _c.member_id)
                 .where(_c.community_id == self.uow.community_id)
                 .order_by(_c.id).limit(limit))
        if status is not None:
            query = query.where(_c.status == status)
        if member_id is not None:
            query = query.where(_c.member_id == member_id)
        if rule is not None:
            query = query.where(_c.rule == rule)
        if from_ is not None:
            query = query.where(_c.local_day >= from_)
        if to is not None:
            query = query.where(_c.local_day <= to)
        if after is not None:
            query = query.where(_c.id > after)
        if ids is not None:
            query = query.where(_c.id.in_(list(ids)))
        if import_id is not None:
            query = query.where(_c.import_id == import_id)
        flagged_ids = sa.select(contribution_flags.c.contribution_id)
        if flagged is True:
            query = query.where(_c.id.in_(flagged_ids))
        elif flagged is False:
            query = query.where(_c.id.not_in(flagged_ids))
        rows = self.conn.execute(query).all()
        flags = self._flags_of([r.id for r in rows])
        return [Contribution(
            r.id, r.member_code, r.rule, r.status, r.unit, r.quantity, r.credited,
            r.raw_points, r.points, r.capped, r.bonus, r.local_day, r.occurred_at,
            r.ended_at, r.period, tuple(r.tags), r.note, tuple(r.notes), r.recorded_by,
            r.recorded_at, r.decided_by, r.decided_at, r.reason, r.entry_id, r.reversal_id,
            tuple(flags.get(r.id, ()))) for r in rows]

    def _flags_of(self, ids: Sequence[int]) -> dict[int, list[Flag]]:
        flags: dict[int, list[Flag]] = defaultdict(list)
        if ids:
            for cid, kind, detail in self.conn.execute(
                    sa.select(contribution_flags.c.contribution_id, contribution_flags.c.kind,
                              contribution_flags.c.detail)
                    .where(contribution_flags.c.contribution_id.in_(list(ids)))
                    .order_by(contribution_flags.c.id)):
                flags[cid].append(Flag(kind, detail))
        return flags


# PostgreSQL: many totals in one statement from arrays (one row per key: ON CONFLICT may
# not touch a row twice), rather than one upsert per total.
_EARN_ARRAYS = (
    "INSERT INTO earnings_monthly (community_id, member_id, rule, unit, month, points, "
    "contributions) SELECT %s::bigint, * FROM unnest(%s::bigint[], %s::text[], %s::text[], "
    "%s::text[], %s::bigint[], %s::bigint[]) ON CONFLICT (community_id, member_id, rule, "
    "unit, month) DO UPDATE SET points = earnings_monthly.points + excluded.points, "
    "contributions = earnings_monthly.contributions + excluded.contributions")


def _earn_arrays(conn: Any, community_id: int,
                 totals: Iterable[tuple[int, str, str, str, int, int]]) -> None:
    merged: dict[tuple[int, str, str, str], list[int]] = {}
    for m, r, u, mo, p, n in totals:
        slot = merged.setdefault((m, r, u, mo), [0, 0])
        slot[0] += p
        slot[1] += n
    keys = sorted(merged)
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(_EARN_ARRAYS, (community_id, *([k[i] for k in keys] for i in range(4)),
                                   [merged[k][0] for k in keys],
                                   [merged[k][1] for k in keys]))
    finally:
        cur.close()


def _upsert(dialect: str) -> Any:
    """The bulk form of ``_EARN``: one statement, SQLAlchemy's batched executemany."""
    from sqlalchemy.dialects import postgresql, sqlite

    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(earnings_monthly)
    return stmt.on_conflict_do_update(
        index_elements=["community_id", "member_id", "rule", "unit", "month"],
        set_={"points": earnings_monthly.c.points + stmt.excluded.points,
              "contributions": earnings_monthly.c.contributions + stmt.excluded.contributions})


