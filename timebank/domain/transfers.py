"""Member transfers (time bank) as plain values: the policy and its checks.

Stored hours can be given to a relative or to the community's donation pool, which
grants them to members in need. A community limits which units move, how much one
member sends in a calendar year, and how much any member may store (a storage cap,
e.g. 1,500 hours = 90,000 minutes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from timebank.domain.ledger import UNITS
from timebank.errors import LimitExceeded, RulebookError, ValidationError
from timebank.i18n import T, Text


def _bad(where: str, field: str, what: str | Text) -> RulebookError:
    return RulebookError(T("{where}: {field} {what}", where=where, field=field, what=what),
                         field=field, where=where)


def _optional_int(data: Mapping[str, Any], name: str, where: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _bad(where, name, T("must be a positive whole number, got {value!r}", value=value))
    return value


@attrs.frozen
class TransferPolicy:
    """``units`` that may move; ``yearly_max`` per sender and calendar year (in the
    community's zone), ``storage_cap`` on any member balance; None means no limit."""

    units: tuple[str, ...] = UNITS
    yearly_max: int | None = None
    storage_cap: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "transfers") -> TransferPolicy:
        if not isinstance(data, Mapping):
            raise _bad(where, "transfers", T("must be a table"))
        units = data.get("units", list(UNITS))
        if not isinstance(units, Sequence) or isinstance(units, str) or \
                any(u not in UNITS for u in units):
            raise _bad(where, "units", T("must be a list of {units}, got {units2!r}",
                                         units=', '.join(UNITS), units2=units))
        return cls(tuple(units), _optional_int(data, "yearly_max", where),
                   _optional_int(data, "storage_cap", where))

    def check_unit(self, unit: str) -> None:
        if unit not in self.units:
            allowed = ", ".join(self.units) or "none"
            raise ValidationError(T("{unit} cannot be transferred in this community (allowed: "
                                    "{allowed})", unit=unit, allowed=allowed), field="unit")

    def check_yearly(self, sent_this_year: int, amount: int) -> None:
        if self.yearly_max is not None and sent_this_year + amount > self.yearly_max:
            raise LimitExceeded(
                T("a member sends at most {limit} a year: {sent} sent, {amount} more asked",
                  limit=self.yearly_max, sent=sent_this_year, amount=amount),
                field="amount", limit=self.yearly_max, used=sent_this_year)

    def check_cap(self, receiver: str, balance: int, amount: int) -> None:
        if self.storage_cap is not None and balance + amount > self.storage_cap:
            raise LimitExceeded(
                T("member {member!r} would hold {total}, above the storage cap of {limit}",
                  member=receiver, total=balance + amount, limit=self.storage_cap),
                field="amount", limit=self.storage_cap, balance=balance)

    def caps(self, unit: str) -> bool:
        """Whether the storage cap holds balances in ``unit`` (one of the ``units`` the
        policy governs)."""
        return self.storage_cap is not None and unit in self.units

    def fit(self, balances: Mapping[int, int], awards: Sequence[tuple[int, int]]
            ) -> list[int]:
        """What each award (account, amount) may credit under the storage cap, credited
        in order from the posted ``balances``: all of it, or what is left to the cap
        (never below 0), counting the awards before it to the same account."""
        if self.storage_cap is None:
            return [amount for _, amount in awards]
        held = dict(balances)
        credited = []
        for account, amount in awards:
            fits = min(amount, max(self.storage_cap - held.get(account, 0), 0))
            held[account] = held.get(account, 0) + fits
            credited.append(fits)
        return credited

    def refuse_award(self, member: str, balance: int) -> LimitExceeded:
        """An award that would credit nothing: the member is at the storage cap."""
        return LimitExceeded(
            T("member {member!r} holds {balance}, at the storage cap of {limit}: an award "
              "adds nothing", member=member, balance=balance, limit=self.storage_cap),
            field="amount", limit=self.storage_cap, balance=balance)


def storage_note(asked: int, credited: int, cap: int) -> str:
    """The note a contribution keeps when the storage cap cut its award."""
    return f"capped from {asked} to {credited} by the storage cap of {cap}"
