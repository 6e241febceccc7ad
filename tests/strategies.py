"""The suite's shared Hypothesis strategies.

Each function returns a strategy and says what it generates; the property tests
(``tests/property``) and the unit tests with ``@given`` import them from here, so the
shapes of the random data are written once. Bounds are kept small on purpose: the
database-backed properties run a handful of examples on each engine.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum

import attrs
from hypothesis import strategies as st

from timebank.domain.rules import Claim

# --- Ledger (tests/property/test_ledger_machine.py) -----------------------------------

LEDGER_MEMBERS = ("a", "b", "c")


def ledger_amounts() -> st.SearchStrategy[int]:
    """Whole points moved by one ledger operation: 1 to 60."""
    return st.integers(min_value=1, max_value=60)


def ledger_members() -> st.SearchStrategy[str]:
    """The code of one of the state machine's members: ``a``, ``b`` or ``c``."""
    return st.sampled_from(LEDGER_MEMBERS)


def hold_outcomes() -> st.SearchStrategy[bool]:
    """How a hold is resolved: ``True`` captures it, ``False`` releases it."""
    return st.booleans()


# --- Expiry arithmetic (tests/unit/test_expiry_policy.py) ------------------------------

def cutoff_days() -> st.SearchStrategy[int]:
    """A cutoff as a day offset from the first possible lot: 0 to 60."""
    return st.integers(0, 60)


@st.composite
def earned_lots_and_debits(draw: st.DrawFn) -> tuple[list[tuple[int, int]], int]:
    """Up to 12 lots earned, each ``(day offset 0..60, amount 1..50)`` in no particular
    order, and the points debited since: 0 up to everything the lots earned."""
    lots = draw(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 50)), max_size=12))
    debits = draw(st.integers(0, sum(amount for _, amount in lots)))
    return lots, debits


@st.composite
def expiry_windows(draw: st.DrawFn) -> tuple[int, int, int]:
    """A member's expiry schedule window (tests/unit/test_expiry_schedule.py): the day
    it starts (an offset 0..120 from the first possible lot), its length in days
    (0..90) and a policy's months (1..3)."""
    return draw(st.integers(0, 120)), draw(st.integers(0, 90)), draw(st.integers(1, 3))


# --- Catalogue (tests/unit/test_catalogue.py) ------------------------------------------

def redemption_ids() -> st.SearchStrategy[int]:
    """Any redemption id a receipt code can carry: 1 to 2**40 - 1 (eight base-32
    characters)."""
    return st.integers(min_value=1, max_value=2**40 - 1)


# --- Rules (tests/property/test_rule_properties.py) ------------------------------------

CLAIMS_START = date(2024, 1, 1)


def member_claims() -> st.SearchStrategy[tuple[int, Claim]]:
    """``(member 1..3, Claim)``: 1 minute to 8 hours of service on a day within 120 days
    of 2024-01-01, tagged ``blizzard`` or not."""
    return st.builds(
        lambda minutes, day, blizzard, member: (member, Claim(
            minutes, CLAIMS_START + timedelta(days=day), ("blizzard",) if blizzard else ())),
        st.integers(1, 8 * 60), st.integers(0, 120), st.booleans(), st.integers(1, 3))


def claim_sequences(max_size: int) -> st.SearchStrategy[list[tuple[int, Claim]]]:
    """Up to ``max_size`` ``member_claims()`` in the order they are recorded."""
    return st.lists(member_claims(), max_size=max_size)


def shufflers() -> st.SearchStrategy:
    """A ``random.Random`` that Hypothesis seeds (and replays), to shuffle a sequence."""
    return st.randoms()


def item_contribution_history() -> st.SearchStrategy[list[tuple[int, int, int]]]:
    """1 to 25 per-item contributions as ``(member 1..5, day offset 0..40, quantity 1..6)``."""
    return st.lists(st.tuples(st.integers(1, 5), st.integers(0, 40), st.integers(1, 6)),
                    min_size=1, max_size=25)


def rule_change_days() -> st.SearchStrategy[int]:
    """The day offset (1..40) from which a new rule version is in force."""
    return st.integers(1, 40)


def item_rates() -> st.SearchStrategy[int]:
    """A new per-item rate: 1 to 5 points."""
    return st.integers(1, 5)


# --- Redemptions, stock, expiry and transfers (tests/property/test_redemption_properties.py)

def hold_resolution_steps() -> st.SearchStrategy[list[str]]:
    """1 to 5 attempts to resolve one held redemption: ``fulfil``, ``cancel`` or
    ``return``, legal or not in the state it is in."""
    return st.lists(st.sampled_from(["fulfil", "cancel", "return"]), min_size=1, max_size=5)


def stock_operations() -> st.SearchStrategy[list[tuple[str, int, bool]]]:
    """Up to 12 operations on one gift's stock, each ``(name, n, flag)``:

    - ``redeem``: 1..4 of the gift, held if the flag is set;
    - ``restock``: 1..5 delivered;
    - ``correct``: a stocktake finding 0..8;
    - ``resolve``: the n-th redemption so far (modulo), fulfilled if the flag is set,
      cancelled otherwise;
    - ``return``: the n-th redemption so far (modulo) handed back.
    """
    return st.lists(st.one_of(
        st.tuples(st.just("redeem"), st.integers(1, 4), st.booleans()),
        st.tuples(st.just("restock"), st.integers(1, 5), st.just(False)),
        st.tuples(st.just("correct"), st.integers(0, 8), st.just(False)),
        st.tuples(st.just("resolve"), st.integers(0, 10), st.booleans()),
        st.tuples(st.just("return"), st.integers(0, 10), st.just(False)),
    ), max_size=12)


def award_and_spend_history() -> st.SearchStrategy[list[tuple[str, int, int]]]:
    """Up to 10 events of one member, in no particular order, as ``(kind, day offset
    0..400, amount)``: ``award`` of 1..60 points or ``spend`` of 1..80."""
    return st.lists(st.one_of(
        st.tuples(st.just("award"), st.integers(0, 400), st.integers(1, 60)),
        st.tuples(st.just("spend"), st.integers(0, 400), st.integers(1, 80)),
    ), max_size=10)


def expiry_run_days() -> st.SearchStrategy[int]:
    """The day offset (200..800) on which expiry runs."""
    return st.integers(200, 800)


def transfer_moves() -> st.SearchStrategy[list[tuple[int, int, int]]]:
    """Up to 12 moves of minutes between members 0..3, as ``(from, to, amount 1..400)``;
    ``from == to`` stands for a donation to the pool and a grant from it."""
    return st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 400)),
                    max_size=12)


def storage_caps() -> st.SearchStrategy[int]:
    """A community's cap on stored minutes: 300 to 1000."""
    return st.integers(300, 1000)


# --- Idempotent replays (tests/property/test_replays.py) -------------------------------

REPLAY_MEMBERS = ("a", "b", "c")
# The keyword arguments of each ledger write, and the request field each is stored as.
REPLAY_FIELDS = {
    "award": ("member", "amount", "unit", "reason", "actor", "occurred_at", "meta"),
    "spend": ("member", "amount", "unit", "reason", "actor", "meta"),
    "adjust": ("member", "amount", "unit", "reason", "actor"),
    "transfer": ("sender", "receiver", "amount", "unit", "reason", "actor"),
    "hold": ("member", "amount", "unit", "reason"),
}


def _replay_texts() -> st.SearchStrategy[str]:
    """Short reasons and actors, any text PostgreSQL stores (no NUL, no surrogates)."""
    return st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                   max_size=12)


def _replay_values(op: str, name: str) -> st.SearchStrategy:
    """Any valid value of one argument of ``op`` (valid: it passes the checks made before
    the key is looked at)."""
    if name == "amount":
        if op == "adjust":  # a signed correction, never zero
            return st.integers(1, 60).flatmap(lambda n: st.sampled_from((n, -n)))
        return st.integers(1, 60)
    if name == "unit":
        return st.sampled_from(("points", "minutes"))
    if name in ("reason", "actor"):
        return _replay_texts()
    if name == "occurred_at":
        return st.none() | st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1),
                                        timezones=st.just(UTC))
    if name == "meta":
        return st.none() | st.dictionaries(st.sampled_from(("day", "note")),
                                           st.integers(0, 9), min_size=1, max_size=2)
    return st.sampled_from(REPLAY_MEMBERS)  # member, sender, receiver


@st.composite
def replay_changes(draw: st.DrawFn) -> tuple[str, dict, str, object]:
    """``(op, kwargs, name, value)``: one ledger write (award, spend, adjust, transfer or
    hold) with valid arguments, and one argument ``name`` with a ``value`` different from
    the first (for ``adjust``, often the amount with its sign flipped). A transfer keeps
    two different members after the change."""
    op = draw(st.sampled_from(sorted(REPLAY_FIELDS)))
    fields = REPLAY_FIELDS[op]
    kwargs = {name: draw(_replay_values(op, name)) for name in fields
              if name not in ("occurred_at", "meta")}
    if op == "transfer":
        kwargs["receiver"] = draw(st.sampled_from(
            [m for m in REPLAY_MEMBERS if m != kwargs["sender"]]))
    name = draw(st.sampled_from(fields))
    old = kwargs.get(name)
    if op == "adjust" and name == "amount" and draw(st.booleans()):
        value = -old  # the sign flip of issue 10
    else:
        others = {"sender": kwargs.get("receiver"), "receiver": kwargs.get("sender")}
        value = draw(_replay_values(op, name).filter(
            lambda v: v != old and (op != "transfer" or v != others.get(name))))
    return op, kwargs, name, value


# --- Bulk approval (tests/property/test_approval_properties.py) ------------------------


def pending_sheets() -> st.SearchStrategy[list[tuple[int, str, int, str, bool]]]:
    """1 to 20 contributions waiting for approval, in the order recorded, as ``(member
    1..3, rule errand|elder_care, days ago 0..45 (over 30 is flagged late), recorder
    A|B, named in the approval)``."""
    return st.lists(st.tuples(st.integers(1, 3), st.sampled_from(("errand", "elder_care")),
                              st.integers(0, 45), st.sampled_from(("A", "B")),
                              st.booleans()), min_size=1, max_size=20)


# --- Hostile input (tests/api/test_hostile_inputs.py) ----------------------------------


@attrs.frozen
class Hostile:
    """One hostile value: ``json`` is a raw JSON text fragment (it may be no number
    Python's ``json.dumps`` would write, e.g. 5,000 digits), ``query`` the same value
    as query-string text."""

    json: str
    query: str


def _text_value(text: str) -> Hostile:
    return Hostile(json.dumps(text), text)


HOSTILE_TEXTS = ("", " ", "\x00", "a\x00b", "\ud800", "x" * 10_000, "𝕏" * 300, "\u202e",
                 "' OR 1=1 --", "../../etc/passwd", "%00", "<script>", "null", "NaN",
                 "-0", "1e999", "０１２")
HOSTILE_DATES = ("0001-01-01", "9999-12-31", "0000-00-00", "2024-02-30", "9999-12",
                 "0000-01", "9999", "9999-Q4", "9999-12-31T23:00:00+14:00",
                 "0001-01-01T00:00:00-12:00", "2024-03-01T25:00:00Z")
HOSTILE_NUMBERS = ("9" * 5000, "-" + "9" * 5000, "1e999", "-1e999", "NaN", "Infinity",
                   "9223372036854775808", "-9223372036854775809", "0.5", "-0", "1e-400",
                   "1" + "0" * 400 + ".5")
HOSTILE_NESTING = ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000,
                   "[" * 70 + "]" * 70)


def hostile_values() -> st.SearchStrategy[Hostile]:
    """Strings no database stores, huge or odd numbers, dates at and past the calendar's
    ends, and JSON nested far past any schema's needs."""
    return st.one_of(
        st.sampled_from(HOSTILE_TEXTS).map(_text_value),
        st.sampled_from(HOSTILE_DATES).map(_text_value),
        st.sampled_from(HOSTILE_NUMBERS).map(lambda n: Hostile(n, n)),
        st.sampled_from(HOSTILE_NESTING).map(lambda n: Hostile(n, n)),
        st.text(max_size=30).map(_text_value),
        st.integers(-(2**70), 2**70).map(lambda n: Hostile(str(n), str(n))))


# --- Stored JSON text (tests/unit/test_jsontext.py) -------------------------------------


class _Kind(StrEnum):
    AWARD = "award"


def stored_json_values(*, floats: bool) -> st.SearchStrategy[object]:
    """Values the store writes as JSON: None, booleans, integers of any size, text with
    any code point (lone surrogates and control characters included), dates, datetimes,
    a StrEnum, and lists, tuples and string-keyed (sometimes integer-keyed) dicts of
    them; finite floats only when ``floats``."""
    leaves = [st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70),
              st.text(st.characters(codec=None, categories=None)), st.dates(),
              st.datetimes(timezones=st.sampled_from([None, UTC])), st.just(_Kind.AWARD)]
    if floats:
        leaves.append(st.floats(allow_nan=False, allow_infinity=False))
    keys = st.one_of(st.text(max_size=8), st.integers(0, 9))
    return st.recursive(st.one_of(*leaves), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
        st.dictionaries(keys, inner, max_size=3)), max_leaves=12)


# --- Hashed entries (tests/unit/test_digest_text.py) ------------------------------------


class _Flag(int):
    """An int subclass: the encoder writes it as ``int.__repr__`` would, nested or not."""


def hashed_entries(*, plain: bool) -> st.SearchStrategy[object]:
    """Entries as ``Entry.digest_text`` sees them. ``plain``: the types the store gives
    (ints, str, dict meta of stored JSON values, naive or aware datetimes); otherwise
    any field may have another type (a bool or int subclass for a number, a StrEnum
    for a text, an ordered dict for meta), which takes the whole-dict path."""
    from collections import OrderedDict

    from timebank.domain.ledger import Entry, EntryKind, Posting

    text = st.text(st.characters(codec=None, categories=None), max_size=12)
    number = st.one_of(st.integers(-(2**70), 2**70), st.booleans(),
                       st.builds(_Flag, st.integers(-5, 5)))
    def plain_or(usual: st.SearchStrategy[object],
                 odd: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
        return usual if plain else st.one_of(usual, odd)

    moment = st.datetimes(timezones=st.sampled_from(
        [None, None, UTC, *(timezone(timedelta(hours=h)) for h in (-5, 8))]))
    posting = st.builds(Posting, plain_or(st.integers(1, 10**9), number),
                        plain_or(st.sampled_from(["points", "minutes"]),
                                 st.one_of(text, st.just(_Kind.AWARD))),
                        plain_or(st.integers(-(10**12), 10**12), number))
    meta = st.dictionaries(st.text(max_size=8), stored_json_values(floats=True), max_size=4)
    return st.builds(
        Entry, plain_or(text, st.just(_Kind.AWARD)), plain_or(st.integers(1, 10**9), number),
        st.one_of(st.sampled_from(list(EntryKind)), text),
        st.lists(posting, max_size=4).map(tuple),
        plain_or(text, st.just(_Kind.AWARD)), plain_or(text, st.just(_Kind.AWARD)),
        moment, moment, plain_or(st.none() | st.integers(1, 10**9), number),
        plain_or(meta, meta.map(OrderedDict)))
