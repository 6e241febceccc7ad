"""The history gateway: reads of entries and postings for the unit of work's community.

Tiers count a member's awards, transfers sum what a member sent this year, expiry finds
the balances older than a cutoff and statements list a member's postings. Each is one
indexed or set-based query; nothing here is re-summed from the whole ledger when a
stored balance (``accounts.posted``, ``postings.balance_after``) already answers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from timebank.domain.ledger import EntryKind
from timebank.domain.statements import StatementLine
from timebank.domain.tiers import Award
from timebank.errors import UnknownMember
from timebank.i18n import T
from timebank.store.fast import Statement
from timebank.store.gateway import Gateway
from timebank.store.tables import accounts, communities, entries, members, postings

_P = sa.bindparam
SENDING_KINDS = (str(EntryKind.TRANSFER), str(EntryKind.DONATION))

_MEMBER_ACCOUNT = Statement(
    sa.select(members.c.id, accounts.c.id.label("account_id"))
    .select_from(members.outerjoin(accounts, sa.and_(accounts.c.member_id == members.c.id,
                                                     accounts.c.unit == _P("p_unit"))))
    .where(members.c.community_id == _P("p_community"), members.c.code == _P("p_code")))
_reversal = sa.alias(entries)
_AWARDS = Statement(
    sa.select(entries.c.occurred_at, postings.c.amount)
    .join(entries, entries.c.id == postings.c.entry_id)
    .outerjoin(_reversal, _reversal.c.reverses_id == entries.c.id)
    .where(postings.c.account_id == _P("p_account"), entries.c.kind == str(EntryKind.AWARD),
           postings.c.amount > 0, _reversal.c.id.is_(None))
    .order_by(entries.c.occurred_at))
_SENT = Statement(
    sa.select(sa.func.coalesce(sa.func.sum(-postings.c.amount), 0))
    .join(entries, entries.c.id == postings.c.entry_id)
    .where(postings.c.account_id == _P("p_account"), postings.c.amount < 0,
           # Not ``in_``: a prebuilt statement cannot expand a list parameter.
           sa.or_(*(entries.c.kind == kind for kind in SENDING_KINDS)),
           entries.c.occurred_at >= _P("p_since")))


class HistoryGateway(Gateway):
    # -- a member's account, without opening it (reads must not write) -------------------

    def _account(self, member: str, unit: str) -> int | None:
        """The member's account in ``unit``, None if he has none yet."""
        row = _MEMBER_ACCOUNT.one(self.conn, {"p_unit": unit, "p_code": member,
                                              "p_community": self.uow.community_id})
        if row is None:
            raise UnknownMember(T("unknown member {member!r}", member=member), field="member")
        return None if row[1] is None else int(row[1])

    # -- tiers ---------------------------------------------------------------------------

    def awards(self, member: str, unit: str) -> list[Award]:
        """The member's awards in ``unit`` that were not reversed, oldest first."""
        account = self._account(member, unit)
        if account is None:
            return []
        return [Award(at, int(amount))
                for at, amount in _AWARDS.all(self.conn, {"p_account": account})]

    # -- transfers -----------------------------------------------------------------------

    def sent_since(self, account_id: int, since: datetime) -> int:
        """What the account sent (transfers and donations) since ``since`` (naive UTC)."""
        row = _SENT.one(self.conn, {"p_account": account_id, "p_since": since})
        return int(row[0]) if row is not None else 0

    def member_sent_since(self, member: str, unit: str, since: datetime) -> int:
        """``sent_since`` for the member's account in ``unit`` (0 when he has none)."""
        account = self._account(member, unit)
        return 0 if account is None else self.sent_since(account, since)

    def lock_balances(self, account_ids: Sequence[int]) -> dict[int, int]:
        """Lock the accounts in id order (the lock order) and return their posted
        balances, so caps checked on them hold until the transaction ends."""
        rows = self.conn.execute(sa.select(accounts.c.id, accounts.c.posted)
                                 .where(accounts.c.id.in_(sorted(set(account_ids))))
                                 .order_by(accounts.c.id).with_for_update()).all()
        return {int(r.id): int(r.posted) for r in rows}

    # -- expiry --------------------------------------------------------------------------

    def expiry_candidates(self, unit: str, since: datetime
                          ) -> list[tuple[int, str, int, int, int]]:
        """(account id, member code, posted, held, credits since ``since``) of every member
        account in ``unit`` with points left from before ``since``: one set-based query
        over the recent credits (entries are indexed by community and date)."""
        community_id = self.uow.community_id
        recent = (sa.select(postings.c.account_id,
                            sa.func.sum(postings.c.amount).label("amount"))
                  .join(entries, entries.c.id == postings.c.entry_id)
                  .where(entries.c.community_id == community_id,
                         entries.c.occurred_at >= since, postings.c.amount > 0)
                  .group_by(postings.c.account_id).subquery())
        credits = sa.func.coalesce(recent.c.amount, 0)
        left = accounts.c.posted - accounts.c.held - credits
        rows = self.conn.execute(
            sa.select(accounts.c.id, members.c.code, accounts.c.posted, accounts.c.held,
                      credits.label("recent"))
            .join(members, members.c.id == accounts.c.member_id)
            .outerjoin(recent, recent.c.account_id == accounts.c.id)
            .where(accounts.c.community_id == community_id, accounts.c.unit == unit,
                   left > 0)
            .order_by(accounts.c.id)).all()
        return [(int(r.id), r.code, int(r.posted), int(r.held), int(r.recent)) for r in rows]

    def member_credits(self, member: str, unit: str, since: datetime
                       ) -> tuple[int, int, list[tuple[datetime, int]]]:
        """One member's account in ``unit`` for his expiry schedule: posted, held and
        each credit dated from ``since`` on; (0, 0, []) when he has no account yet."""
        account = self._account(member, unit)
        if account is None:
            return 0, 0, []
        posted, held = self.conn.execute(sa.select(accounts.c.posted, accounts.c.held)
                                         .where(accounts.c.id == account)).one()
        rows = self.conn.execute(
            sa.select(entries.c.occurred_at, postings.c.amount)
            .join(entries, entries.c.id == postings.c.entry_id)
            .where(postings.c.account_id == account, postings.c.amount > 0,
                   entries.c.occurred_at >= since)).all()
        return int(posted), int(held), [(r.occurred_at, int(r.amount)) for r in rows]

    def community_codes(self) -> list[str]:
        """Every community's code, in order: an expiry run goes through them all."""
        return list(self.conn.execute(sa.select(communities.c.code)
                                      .order_by(communities.c.code)).scalars())

    # -- statements ----------------------------------------------------------------------

    def statement_lines(self, member: str, unit: str | None, since: datetime | None,
                        until: datetime | None, limit: int) -> list[StatementLine]:
        """The member's postings written in [since, until), in writing order, each with
        the rule, contribution and approver its entry's meta names."""
        query = (sa.select(entries.c.id, entries.c.recorded_at, entries.c.occurred_at,
                           entries.c.kind, postings.c.amount, accounts.c.unit,
                           postings.c.balance_after, entries.c.reason, entries.c.meta,
                           entries.c.reverses_id)
                 .select_from(postings.join(accounts, accounts.c.id == postings.c.account_id)
                              .join(members, members.c.id == accounts.c.member_id)
                              .join(entries, entries.c.id == postings.c.entry_id))
                 .where(members.c.community_id == self.uow.community_id,
                        members.c.code == member)
                 .order_by(postings.c.id).limit(limit))
        if unit is not None:
            query = query.where(accounts.c.unit == unit)
        if since is not None:
            query = query.where(entries.c.recorded_at >= since)
        if until is not None:
            query = query.where(entries.c.recorded_at < until)
        lines = []
        for (entry_id, at, occurred_at, kind, amount, unit_of, after, reason, meta,
             reverses) in self.conn.execute(query):
            meta = meta or {}
            lines.append(StatementLine(entry_id, at, occurred_at, kind, amount, unit_of, after,
                                       reason, meta.get("rule"), meta.get("contribution"),
                                       meta.get("approver"), reverses, meta.get("request"),
                                       _counterparty(meta, member)))
        return lines

    def balance_before(self, member: str, unit: str, until: datetime) -> int:
        """The balance after the member's last posting in ``unit`` written before
        ``until`` (0 if there is none)."""
        found = self.conn.execute(
            sa.select(postings.c.balance_after)
            .join(accounts, accounts.c.id == postings.c.account_id)
            .join(members, members.c.id == accounts.c.member_id)
            .join(entries, entries.c.id == postings.c.entry_id)
            .where(members.c.community_id == self.uow.community_id,
                   members.c.code == member, accounts.c.unit == unit,
                   entries.c.recorded_at < until)
            .order_by(postings.c.id.desc()).limit(1)).scalar()
        return int(found) if found is not None else 0


def _counterparty(meta: dict[str, object], member: str) -> str | None:
    """An exchange line's other member: the requester for a volunteer, the volunteers
    (comma-separated) for the requester."""
    if "request" not in meta:
        return None
    requester = meta.get("requester")
    if member != requester:
        return str(requester)
    volunteers = meta.get("volunteers") or []
    return ",".join(str(v) for v in volunteers) if isinstance(volunteers, list) else None
