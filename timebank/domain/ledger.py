"""The double-entry ledger as plain values: postings, entries, and how an entry is hashed.

Nothing here touches storage. The store turns a validated ``Entry`` into rows and moves
the stored balances; this module decides what a valid entry is and what its hash is, so
the same rules serve writing and ``verify``.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum

import attrs

from timebank.errors import InvalidAmount, UnbalancedEntry, UnknownUnit
from timebank.i18n import T

UNITS = ("points", "minutes")
GENESIS_HASH = "0" * 64
# A trillion points (or minutes: two million years) per movement is beyond any community;
# the bound keeps every sum far inside the 64-bit integers both engines store.
MAX_AMOUNT = 10**12


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise UnknownUnit(T("unknown unit {unit!r}: expected one of {units}", unit=unit,
                            units=", ".join(UNITS)),
                          field="unit")
    return unit


def check_amount(amount: object, field: str = "amount") -> int:
    """Amounts are positive whole numbers of points or minutes (bools are not numbers)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmount(T("{field} must be a whole number, got {value!r}", field=field,
                              value=amount), field=field)
    if not 0 < amount <= MAX_AMOUNT:
        raise InvalidAmount(T("{field} must be between 1 and {max:,}, got {value}", field=field,
                              max=MAX_AMOUNT, value=amount),
                            field=field)
    return amount


class SystemAccount(StrEnum):
    """The community's own accounts, one per unit. Points are issued from ``issuance``
    and leave to ``redemption`` (gifts) or ``expiry``; ``donation_pool`` holds what
    members gave to the community for members in need."""

    ISSUANCE = "issuance"
    REDEMPTION = "redemption"
    EXPIRY = "expiry"
    DONATION_POOL = "donation_pool"


class EntryKind(StrEnum):
    AWARD = "award"            # issuance -> member (earned: counts toward lifetime)
    SPEND = "spend"            # member -> redemption
    CAPTURE = "capture"        # a hold turned into a spend
    TRANSFER = "transfer"      # member -> member
    DONATION = "donation"      # member -> donation pool
    GRANT = "grant"            # donation pool -> member
    ADJUSTMENT = "adjustment"  # admin correction, either direction
    EXPIRY = "expiry"          # member -> expiry
    REVERSAL = "reversal"      # the negation of an earlier entry
    POST = "post"              # anything else, as the caller composes it
    EXCHANGE = "exchange"      # payer (member or donation pool) -> volunteers


EARNING_KINDS = frozenset({EntryKind.AWARD})


@attrs.frozen
class Posting:
    """One leg of an entry: ``amount`` (signed) on ``account_id`` in ``unit``."""

    account_id: int
    unit: str
    amount: int


@attrs.frozen
class Entry:
    """A journal entry as it is hashed: what moved, why, who said so, and when."""

    community: str
    seq: int
    kind: str
    postings: tuple[Posting, ...]
    reason: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    reverses: int | None = None
    meta: dict[str, object] = attrs.field(factory=dict, hash=False)

    def digest(self, prev_hash: str) -> str:
        """SHA-256 over the previous hash and a canonical form of this entry.

        Postings are sorted so the hash does not depend on the order they were given in.
        """
        return hashlib.sha256((prev_hash + self.digest_text()).encode()).hexdigest()

    def digest_text(self) -> str:
        """The canonical JSON the digest covers (after the previous hash): the entry as
        a dict with sorted keys, written by the standard library's encoder.

        Every write hashes its entries, and encoding the whole dict was the largest cost
        of a bulk award after SQLite itself. When each field has the plain type it
        should, the text is put together field by field instead (sorted keys, the
        encoder only for the strings and ``meta``), which is the same text: the
        standard library writes a dict's items as ``"key":value`` joined by commas and
        a value nested in it as it writes it alone; ``tests/unit/test_digest_text.py``
        compares both over generated entries.
        """
        legs = sorted((p.account_id, p.unit, p.amount) for p in self.postings)
        if not (type(self.seq) is int and type(self.reverses) in _NONE_OR_INT
                and type(self.community) is str and type(self.reason) is str
                and type(self.actor) is str and type(self.meta) is dict
                and all(type(a) is int and type(u) is str and type(n) is int
                        for a, u, n in legs)):
            return self.digest_body_text(legs)
        text = _string
        p = ",".join([f"[{a},{text(u)},{n}]" for a, u, n in legs])
        return (f'{{"a":{text(self.actor)},"c":{text(self.community)},'
                f'"k":{text(str(self.kind))},"m":{_meta(self.meta)},'
                f'"o":"{_ts(self.occurred_at)}","p":[{p}],"r":{text(self.reason)},'
                f'"s":{self.seq},"t":"{_ts(self.recorded_at)}",'
                f'"v":{"null" if self.reverses is None else self.reverses}}}')

    def digest_body_text(self, legs: list[tuple[int, str, int]] | None = None) -> str:
        """``digest_text`` by encoding the whole dict: its definition, and the way any
        field of an unexpected type is written."""
        body = {
            "c": self.community,
            "s": self.seq,
            "k": str(self.kind),
            "p": legs if legs is not None else
            sorted((p.account_id, p.unit, p.amount) for p in self.postings),
            "r": self.reason,
            "a": self.actor,
            "o": _ts(self.occurred_at),
            "t": _ts(self.recorded_at),
            "v": self.reverses,
            "m": self.meta,
        }
        return _canonical_json(body)


# One encoder for every hash: building a JSONEncoder per call costs as much as encoding.
_canonical_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True,
                                   default=str).encode
_string = json.encoder.encode_basestring  # what that encoder writes for a str
_NONE_OR_INT = (type(None), int)


def _meta(meta: dict[str, object]) -> str:
    return _canonical_json(meta) if meta else "{}"


_TS_SEEN: dict[datetime, str] = {}


def _ts(moment: datetime) -> str:
    # Microsecond precision survives both SQLite and PostgreSQL; naive means UTC. A batch
    # hashes the same few moments thousands of times; only naive ones are remembered
    # (aware ones that compare equal can differ in the text, which drops their offset).
    if moment.tzinfo is None and type(moment) is datetime:
        found = _TS_SEEN.get(moment)
        if found is None:
            if len(_TS_SEEN) > 4096:
                _TS_SEEN.clear()
            found = _TS_SEEN[moment] = moment.isoformat(timespec="microseconds")
        return found
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds")


@attrs.frozen
class Balance:
    """A member's stored balance in one unit; ``available`` = posted − held."""

    posted: int = 0
    held: int = 0
    lifetime_earned: int = 0

    @property
    def available(self) -> int:
        return self.posted - self.held

    @property
    def owed(self) -> int:
        """Points the member owes (欠): below zero only after an award was taken back."""
        return max(0, -self.available)


def balanced(postings: Iterable[Posting]) -> tuple[Posting, ...]:
    """Validate postings for one entry: two or more, non-zero, summing to zero per unit."""
    legs = tuple(postings)
    if len(legs) == 2:  # one amount moved (nearly every entry): the same checks, inline
        a, b = legs
        if a.unit == b.unit and a.unit in UNITS and type(a.amount) is int \
                and type(b.amount) is int and a.amount == -b.amount \
                and 0 < abs(a.amount) <= MAX_AMOUNT:
            return legs
    if len(legs) < 2:
        raise UnbalancedEntry(T("an entry needs at least two postings"), field="postings")
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        check_unit(leg.unit)
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount == 0:
            raise InvalidAmount(T("a posting amount must be a non-zero whole number, got "
                                  "{amount!r}", amount=leg.amount), field="postings")
        check_amount(abs(leg.amount), "postings")
        totals[leg.unit] += leg.amount
    off = {unit: total for unit, total in totals.items() if total}
    if off:
        detail = ", ".join(f"{unit} {total:+d}" for unit, total in sorted(off.items()))
        raise UnbalancedEntry(T("postings do not sum to zero: {detail}", detail=detail),
                              field="postings")
    return legs


def move(source: int, target: int, unit: str, amount: int) -> tuple[Posting, Posting]:
    """The two postings that move ``amount`` from ``source`` to ``target``."""
    check_unit(unit)
    check_amount(amount)
    return (Posting(source, unit, -amount), Posting(target, unit, amount))


def negate(postings: Sequence[Posting]) -> tuple[Posting, ...]:
    """The postings of a reversal: every leg of the original, with its sign flipped."""
    return tuple(Posting(p.account_id, p.unit, -p.amount) for p in postings)
