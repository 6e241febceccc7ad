"""The ledger's gateway: accounts, posting (through ``posting.post_many``), holds, entries
and stored balances, for the unit of work's community.

Balances move by guarded updates so two concurrent debits can never both pass, and the
chain head on the community row is taken last (the lock order is in ``tables``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from timebank.domain.ledger import UNITS, Balance, Posting, SystemAccount
from timebank.errors import InvalidState, UnknownCommunity, UnknownEntry, UnknownMember
from timebank.i18n import T
from timebank.store.fast import Statement, among
from timebank.store.gateway import Gateway
from timebank.store.idempotency import insert_ignoring_conflicts
from timebank.store.posting import NewEntry, Posted, post_many, refuse
from timebank.store.tables import accounts, entries, holds, members, postings
from timebank.timeutil import utcnow

_P = sa.bindparam
CHUNK = 10_000


@attrs.frozen
class StoredEntry:
    """An entry as read back for a reversal: its legs, what it reverses or is reversed
    by, and its meta (which names the contribution or redemption that owns it)."""

    id: int
    seq: int
    kind: str
    reverses: int | None
    reversed_by: int | None
    legs: tuple[Posting, ...]
    meta: Mapping[str, Any]


@attrs.frozen
class AccountBalance:
    member: str | None
    unit: str
    posted: int
    held: int
    lifetime_earned: int


_MEMBER_ACCOUNT = Statement(
    sa.select(members.c.id, accounts.c.id.label("account_id"))
    .select_from(members.outerjoin(accounts, sa.and_(accounts.c.member_id == members.c.id,
                                                     accounts.c.unit == _P("p_unit"))))
    .where(members.c.community_id == _P("p_community"), members.c.code == _P("p_code")))
_LOCK_MEMBER_ACCOUNT = Statement(
    sa.select(accounts.c.id)
    .select_from(accounts.join(members, members.c.id == accounts.c.member_id))
    .where(members.c.community_id == _P("p_community"), members.c.code == _P("p_code"),
           accounts.c.unit == _P("p_unit"))
    .with_for_update(of=accounts))
_SYSTEM_ACCOUNT = Statement(sa.select(accounts.c.id).where(
    accounts.c.community_id == _P("p_community"),
    accounts.c.system == _P("p_system"), accounts.c.unit == _P("p_unit")))
_MEMBER_BALANCES = Statement(
    sa.select(members.c.id, accounts.c.unit, accounts.c.posted, accounts.c.held,
              accounts.c.lifetime_earned)
    .select_from(members.outerjoin(accounts, accounts.c.member_id == members.c.id))
    .where(members.c.community_id == _P("p_community"), members.c.code == _P("p_code")))
_PLACE_HOLD = Statement(
    accounts.update()
    .where(accounts.c.id == _P("p_id"), accounts.c.posted - accounts.c.held >= _P("p_n"))
    .values(held=accounts.c.held + _P("p_n"))
    .returning(accounts.c.posted, accounts.c.held))
_INSERT_HOLD = Statement(holds.insert().values(
    community_id=_P("p_community"), account_id=_P("p_account"), amount=_P("p_amount"),
    status="held", reason=_P("p_reason"), created_at=_P("p_now")).returning(holds.c.id))
_RESOLVE_HOLD = Statement(
    holds.update()
    .where(holds.c.id == _P("p_id"), holds.c.community_id == _P("p_community"),
           holds.c.status == "held")
    .values(status=_P("p_status"), resolved_at=_P("p_now"))
    .returning(holds.c.account_id, holds.c.amount))
_FREE_HELD = Statement(accounts.update().where(accounts.c.id == _P("p_id"))
                       .values(held=accounts.c.held - _P("p_n"))
                       .returning(accounts.c.unit, accounts.c.posted, accounts.c.held))
_MEMBER_CODE = Statement(sa.select(members.c.code)
                         .join(accounts, accounts.c.member_id == members.c.id)
                         .where(accounts.c.id == _P("p_id")))
_LINK_HOLD = Statement(holds.update().where(holds.c.id == _P("p_id"))
                       .values(entry_id=_P("p_entry")))


class LedgerGateway(Gateway):
    # -- accounts ------------------------------------------------------------------------

    def member_account(self, member_code: str, unit: str) -> int:
        """The member's account in ``unit``, opened on first use."""
        row = _MEMBER_ACCOUNT.one(self.conn, {"p_unit": unit, "p_code": member_code,
                                              "p_community": self.uow.community_id})
        if row is None:
            raise UnknownMember(T("unknown member {member!r}", member=member_code),
                                field="member")
        found_member, account_id = row
        if account_id is not None:
            return int(account_id)
        return self.open_member_accounts([found_member], unit)[found_member]

    def lock_member_account(self, member_code: str, unit: str) -> None:
        """Hold the member's account in ``unit`` (if it has one) locked to the end of the
        transaction. Every award and its reversal moves that row, so a statement after
        the lock sees each one committed before it: what a tier is counted from.
        SQLite's writer holds the whole database already."""
        if self.uow.dialect == "postgresql":
            _LOCK_MEMBER_ACCOUNT.one(self.conn, {"p_unit": unit, "p_code": member_code,
                                                 "p_community": self.uow.community_id})

    def open_member_accounts(self, member_ids: Sequence[int], unit: str) -> dict[int, int]:
        """Account ids for ``member_ids`` in ``unit``, opening the missing ones in bulk."""
        found = self._member_accounts(member_ids, unit)
        missing = [m for m in dict.fromkeys(member_ids) if m not in found]
        if missing:
            community_id = self.uow.community_id
            self.conn.execute(insert_ignoring_conflicts(self.conn, accounts),
                              [{"community_id": community_id, "member_id": m, "unit": unit}
                               for m in missing])
            found.update(self._member_accounts(missing, unit))
        return found

    def _member_accounts(self, member_ids: Sequence[int], unit: str) -> dict[int, int]:
        found: dict[int, int] = {}
        ids = list(dict.fromkeys(member_ids))
        for start in range(0, len(ids), CHUNK):
            found.update(self.conn.execute(
                sa.select(accounts.c.member_id, accounts.c.id)
                .where(among(accounts.c.member_id, ids[start:start + CHUNK],
                             self.uow.dialect),
                       accounts.c.unit == unit)).all())
        return found

    def system_account(self, name: SystemAccount, unit: str) -> int:
        community_id = self.uow.community_id
        found = _SYSTEM_ACCOUNT.one(self.conn, {"p_community": community_id,
                                                "p_system": str(name), "p_unit": unit})
        if found is None:  # opened with the community; missing means the row was removed
            raise UnknownCommunity(T("community {community_id} has no {name} account in {unit}",
                                     community_id=community_id, name=name, unit=unit))
        return int(found[0])

    def open_system_accounts(self, community_id: int) -> None:
        self.conn.execute(accounts.insert(), [
            {"community_id": community_id, "system": str(name), "unit": unit}
            for name in SystemAccount for unit in UNITS])

    # -- posting -------------------------------------------------------------------------

    def post(self, entry: NewEntry) -> Posted:
        """Write one balanced entry: ``post_many`` of one."""
        return self.post_many([entry])[0]

    def post_many(self, batch: Sequence[NewEntry]) -> list[Posted]:
        return post_many(self.conn, self.uow.community_id, self._code(), batch)

    def _code(self) -> str:
        code = self.uow.community_code
        return code if code is not None else self.uow.community.code

    def community_code(self) -> str:
        """The code the chain's hashes name the community by."""
        return self._code()

    def refuse(self, account_id: int, needed: int) -> None:
        """Raise ``InsufficientPoints`` for ``account_id``, saying what it has."""
        refuse(self.conn, account_id, needed)

    # -- entries -------------------------------------------------------------------------

    def load_entry(self, entry_id: int) -> StoredEntry:
        row = self.conn.execute(
            sa.select(entries.c.id, entries.c.seq, entries.c.kind, entries.c.reverses_id,
                      entries.c.meta)
            .where(entries.c.id == entry_id,
                   entries.c.community_id == self.uow.community_id)).first()
        if row is None:
            raise UnknownEntry(T("unknown entry {entry}", entry=entry_id), field="entry")
        legs = self.conn.execute(
            sa.select(postings.c.account_id, accounts.c.unit, postings.c.amount)
            .join(accounts, accounts.c.id == postings.c.account_id)
            .where(postings.c.entry_id == entry_id).order_by(postings.c.id)).all()
        reversed_by = self.conn.execute(
            sa.select(entries.c.id).where(entries.c.reverses_id == entry_id)).scalar()
        return StoredEntry(row.id, row.seq, row.kind, row.reverses_id, reversed_by,
                           tuple(Posting(a, u, n) for a, u, n in legs), row.meta)

    # -- holds ---------------------------------------------------------------------------

    def place_hold(self, account_id: int, amount: int, reason: str) -> tuple[int, int]:
        """Reserve ``amount``: returns (hold id, available after)."""
        row = _PLACE_HOLD.one(self.conn, {"p_id": account_id, "p_n": amount})
        if row is None:
            refuse(self.conn, account_id, amount)
        assert row is not None
        found = _INSERT_HOLD.one(self.conn, {
            "p_community": self.uow.community_id, "p_account": account_id,
            "p_amount": amount, "p_reason": reason, "p_now": utcnow()})
        assert found is not None
        return int(found[0]), row[0] - row[1]

    def resolve_hold(self, hold_id: int, status: str) -> tuple[AccountBalance, int]:
        """Mark a held hold ``captured`` or ``released`` exactly once and free its amount.

        Returns the account's balance after and the amount. The state change is a
        guarded update, so of two racing resolutions only one finds the hold ``held``.
        """
        community_id = self.uow.community_id
        row = _RESOLVE_HOLD.one(self.conn, {"p_id": hold_id, "p_community": community_id,
                                            "p_status": status, "p_now": utcnow()})
        if row is None:
            current = self.conn.execute(sa.select(holds.c.status).where(
                holds.c.id == hold_id, holds.c.community_id == community_id)).scalar()
            if current is None:
                raise UnknownEntry(T("unknown hold {hold}", hold=hold_id), field="hold")
            raise InvalidState(T("hold {hold} is already {state}", hold=hold_id, state=current),
                               state=current)
        account_id, amount = row
        freed = _FREE_HELD.one(self.conn, {"p_id": account_id, "p_n": amount})
        assert freed is not None
        unit, posted, held = freed
        code = _MEMBER_CODE.one(self.conn, {"p_id": account_id})
        member = None if code is None else str(code[0])
        return AccountBalance(member, unit, posted, held, 0), int(amount)

    def link_hold(self, hold_id: int, entry_id: int) -> None:
        _LINK_HOLD.run(self.conn, {"p_id": hold_id, "p_entry": entry_id})

    # -- reads ---------------------------------------------------------------------------

    def member_codes(self, account_ids: Iterable[int]) -> dict[int, str]:
        """Member codes of those ``account_ids`` that belong to members."""
        return dict(self.conn.execute(  # type: ignore[arg-type]
            sa.select(accounts.c.id, members.c.code)
            .join(members, members.c.id == accounts.c.member_id)
            .where(accounts.c.id.in_(list(account_ids)))).all())

    def member_balances(self, member_code: str) -> dict[str, Balance]:
        """Stored balances per unit: one indexed read, whatever the history's length."""
        rows = _MEMBER_BALANCES.all(self.conn, {"p_community": self.uow.community_id,
                                                "p_code": member_code})
        if not rows:
            raise UnknownMember(T("unknown member {member!r}", member=member_code),
                                field="member")
        return {unit: Balance(posted, held, earned)
                for _, unit, posted, held, earned in rows if unit}
