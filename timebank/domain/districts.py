"""Districts (通存通兑) as plain values: the alliance, its exchange rates, positions.

A community's clearing account with a partner is a system account named
``clearing:<partner id>``. Its posted balance is what the community owes the partner
(a credit: its member spent there) less what the partner owes it, in its own unit
amounts; the partner's mirror account holds the negation once both are converted to
district value (``amount × rate``). A community's *position* with a partner is the
negation in district value: positive means the partner owes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from timebank.domain.ledger import UNITS
from timebank.errors import ValidationError
from timebank.i18n import T

CLEARING = "clearing:"
SETTLEMENT = "settlement"


def clearing_name(partner_id: int) -> str:
    """The system-account name of a community's clearing account with ``partner_id``."""
    return f"{CLEARING}{partner_id}"


def partner_of(system: str) -> int | None:
    """The partner id a clearing account's name holds (None for other accounts)."""
    return int(system[len(CLEARING):]) if system.startswith(CLEARING) else None


def split_member(ref: str) -> tuple[str, str] | None:
    """``"A:CODE"`` → ("A", "CODE"); a plain member code → None."""
    if ":" not in ref:
        return None
    community, _, code = ref.partition(":")
    if not community or not code:
        raise ValidationError(T("a member of another community is named COMMUNITY:CODE"),
                              field="member")
    return community, code


@attrs.frozen
class District:
    id: int
    code: str
    name: str
    communities: tuple[str, ...]
    units: tuple[str, ...]
    rates: Mapping[str, Mapping[str, int]]
    position_limit: int | None = None

    def rate(self, unit: str, community: str) -> int:
        return int(self.rates.get(unit, {}).get(community, 1))

    def check_unit(self, unit: str) -> None:
        if unit not in self.units:
            raise ValidationError(T("district {code!r} does not clear {unit!r}", code=self.code,
                                    unit=unit),
                                  field="unit")

    def convert(self, unit: str, amount: int, source: str, target: str) -> int:
        """``amount`` of ``source``'s unit in ``target``'s, exactly (or refused)."""
        value = amount * self.rate(unit, source)
        target_rate = self.rate(unit, target)
        if value % target_rate:
            raise ValidationError(
                T("{amount} {unit} of {source} is no whole amount in {target} (rates "
                  "{source_rate}:{target_rate})", amount=amount, unit=unit, source=source,
                  target=target, source_rate=self.rate(unit, source), target_rate=target_rate),
                field="amount")
        return value // target_rate


def district_terms(code: Any, name: Any, communities: Any, units: Any, rates: Any,
                   position_limit: Any) -> dict[str, Any]:
    """Check the alliance's terms; return its settings as stored."""
    if not isinstance(code, str) or not 0 < len(code) <= 64:
        raise ValidationError(T("code is 1 to 64 characters"), field="code")
    if not isinstance(name, str) or not 0 < len(name) <= 200:
        raise ValidationError(T("name is 1 to 200 characters"), field="name")
    if (not isinstance(communities, Sequence) or isinstance(communities, str)
            or len(communities) < 2 or len(set(communities)) != len(communities)
            or not all(isinstance(c, str) for c in communities)):
        raise ValidationError(T("a district has two or more different communities"),
                              field="communities")
    if (not isinstance(units, Sequence) or isinstance(units, str) or not units
            or len(set(units)) != len(units) or not set(units) <= set(UNITS)):
        raise ValidationError(T("units are one or more of {units}", units=', '.join(UNITS)),
                              field="units")
    stored_rates: dict[str, dict[str, int]] = {}
    if rates is not None:
        if not isinstance(rates, Mapping) or not set(rates) <= set(units):
            raise ValidationError(T("rates are per unit of the district"), field="rates")
        for unit, per in rates.items():
            if (not isinstance(per, Mapping) or not set(per) <= set(communities)
                    or not all(type(w) is int and 0 < w <= 1_000_000 for w in per.values())):
                raise ValidationError(T("a unit's rates give each community a whole weight from "
                                        "1 to 1000000"), field="rates")
            stored_rates[unit] = dict(per)
    if position_limit is not None and (type(position_limit) is not int
                                       or not 0 < position_limit <= 10**12):
        raise ValidationError(T("position_limit is a whole positive amount"),
                              field="position_limit")
    return {"units": list(units), "rates": stored_rates, "position_limit": position_limit}


@attrs.frozen
class Position:
    """A community's net position in one unit (district value): with each partner and
    in total. Positive: the others owe it."""

    community: str
    unit: str
    total: int
    partners: Mapping[str, int]


@attrs.frozen
class Settlement:
    district: str
    until: str
    positions: tuple[Position, ...]


@attrs.frozen
class CrossMember:
    """What another community's staff may see of a member: never the statement."""

    community: str
    code: str
    name: str
    card: str | None
    available: Mapping[str, int]


@attrs.frozen
class Moved:
    member: str
    from_community: str
    to_community: str
    balances: Mapping[str, int]
    cross_ids: tuple[int, ...]
