"""Rulebooks: the TOML format (see docs/rulebook.md), validation, and the same rules built
in Python.

Every problem is reported as a ``RulebookError`` whose message names the file, the rule
and the field (``red_vest.toml: rule 'snow' (rules[2]): rate: must be ≥ 0``), so a
community worker editing a rulebook can find the line. Policies owned by other features
(``[tiers]``, ``[expiry]``, ``[transfers]``) and ``[community]`` options are passed
through untouched.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from timebank.domain import dues
from timebank.domain.certificates import check_issuer
from timebank.domain.exchange import ExchangePolicy, categories_from
from timebank.domain.expiry import ExpiryPolicy
from timebank.domain.ledger import UNITS
from timebank.domain.rules import (
    BASES,
    PERIODS,
    ROUNDINGS,
    WEEKDAYS,
    Caps,
    Multiplier,
    Rule,
    Streak,
)
from timebank.domain.tiers import TierPolicy
from timebank.domain.transfers import TransferPolicy
from timebank.errors import RulebookError
from timebank.i18n import T, Text

SHIPPED = Path(__file__).resolve().parent.parent / "rulebooks"
POLICIES: dict[str, Any] = {"tiers": TierPolicy, "expiry": ExpiryPolicy,
                            "transfers": TransferPolicy, "exchange": ExchangePolicy}
TOP_LEVEL = {"rulebook", "rules", "community", "categories", *POLICIES}
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")

RULE_FIELDS = {
    "code", "name_zh", "name_en", "unit", "basis", "rate", "effective_from", "round_to",
    "rounding", "min_quantity", "max_quantity", "caps", "multipliers", "eligible_roles",
    "ineligible_tags", "approval", "streak", "min_attendance", "period", "due_day",
    "late_rate", "usual_max", "service", "requires_dues",
}


@attrs.frozen
class Rulebook:
    """A community's rules plus the policies other features read from the same file."""

    name: str
    rules: tuple[Rule, ...]
    policies: Mapping[str, Any] = attrs.field(factory=dict)   # tiers, expiry, transfers
    community: Mapping[str, Any] = attrs.field(factory=dict)  # e.g. allow_self_approval

    def get(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)


class _Where:
    """Where a value came from, for error messages."""

    def __init__(self, origin: str, rule: str | Text | None = None) -> None:
        self.origin, self.rule = origin, rule

    def fail(self, field: str, problem: str | Text) -> RulebookError:
        """The error names the place in the reader's language ("规则 'x' (rules[0])"),
        while its ``rule`` field keeps the English label whatever the language."""
        place: str | Text = f"{self.origin}: "
        if self.rule:
            place = T("{origin}: {rule}: ", origin=self.origin, rule=self.rule)
        return RulebookError(T("{place}{field}: {problem}", place=place, field=field,
                               problem=problem), field=field, file=self.origin,
                             rule=str(self.rule) if self.rule else None)


# -- loading -------------------------------------------------------------------------------


def shipped() -> list[str]:
    """The names of the rulebooks that come with the library (``red_vest``, ...)."""
    return sorted(p.stem for p in SHIPPED.glob("*.toml"))


def load(source: str | Path) -> Rulebook:
    """Load a rulebook from a TOML file path or a shipped name (``red_vest``)."""
    path = Path(source)
    if not path.suffix and not path.exists():
        path = SHIPPED / f"{source}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulebookError(T("{source}: cannot read the rulebook ({strerror})", source=source,
                              strerror=exc.strerror),
                            field="rulebook", file=str(source)) from exc
    return loads(text, origin=path.name, default_name=path.stem)


def loads(text: str, *, origin: str = "<rulebook>", default_name: str = "rulebook") -> Rulebook:
    """Parse a rulebook from TOML text; ``origin`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(T("{origin}: not valid TOML: {exc}", origin=origin, exc=exc),
                            field="rulebook",
                            file=origin) from exc
    return from_dict(data, origin=origin, default_name=default_name)


def from_dict(data: Mapping[str, Any], *, origin: str = "<rulebook>",
              default_name: str = "rulebook") -> Rulebook:
    """A rulebook from already-parsed data (the TOML document's shape)."""
    where = _Where(origin)
    unknown = sorted(set(data) - TOP_LEVEL)
    if unknown:
        raise where.fail(unknown[0], T("unknown table or key; expected one of {top_level}",
                                       top_level=', '.join(sorted(TOP_LEVEL))))
    head = _table(data.get("rulebook", {}), "rulebook", where)
    name = head.get("name", default_name)
    default_from = _date(head.get("effective_from"), "rulebook.effective_from", where)
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise where.fail("rules", T("a rulebook needs at least one [[rules]] table"))
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rules):
        code = raw.get("code") if isinstance(raw, Mapping) else None
        label: str | Text = (T("rule {code} (rules[{index}])", code=repr(code), index=index)
                             if code else f"rules[{index}]")
        fields = dict(_table(raw, "rules", _Where(origin, label)))
        if default_from is not None:
            fields.setdefault("effective_from", default_from)
        built = rule(_where=_Where(origin, label), **fields)
        if built.code in seen:
            raise _Where(origin, label).fail(
                "code", T("duplicate code, already used by rules[{seen}]", seen=seen[built.code]))
        seen[built.code] = index
        rules.append(built)
    community = dict(_table(data.get("community", {}), "community", where))
    if "allow_self_approval" in community and \
            not isinstance(community["allow_self_approval"], bool):
        raise where.fail("community.allow_self_approval", T("must be true or false"))
    if "issuer" in community:  # who signs service certificates
        check_issuer(community["issuer"], where.origin)
    if "dues" in community:  # eligibility from the books (domain/dues.py)
        community["dues"] = dues.check_table(community["dues"], {r.code: r for r in rules},
                                             where.origin)
    needing = [r for r in rules if r.requires_dues]
    if needing and "dues" not in community:
        raise _Where(origin, T("rule {code}", code=repr(needing[0].code))).fail(
            "requires_dues", T("needs a [community.dues] table naming the dues rule"))
    policies = {k: data[k] for k in POLICIES if k in data}
    for key, value in policies.items():
        _table(value, key, where)
        # Checked now, by the feature that reads it, so a bad table fails the load and
        # never reaches a community's settings.
        POLICIES[key].from_mapping(value, where=f"{where.origin}: [{key}]")
    if "categories" in data:  # the exchange's request categories, kept as plain tables
        policies["categories"] = categories_from(data["categories"],
                                                 f"{where.origin}: [[categories]]")
    return Rulebook(str(name), tuple(rules), policies, community)


def rule(*, origin: str = "<python>", _where: _Where | None = None, **fields: Any) -> Rule:
    """Build one validated rule version from keyword fields, as a ``[[rules]]`` table
    would give them (``rate=2, caps={"year": 12}, multipliers=[{"factor": 2, ...}]``);
    ``origin`` names where they came from in error messages."""
    where = _where or _Where(origin, T("rule {code}", code=repr(fields.get("code"))))
    unknown = sorted(set(fields) - RULE_FIELDS)
    if unknown:
        raise where.fail(unknown[0], T("unknown field"))
    code = fields.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise where.fail("code", T("a lowercase code of letters, digits, '_', '-' or '.'"))
    unit = _choice(fields.get("unit", "points"), "unit", UNITS, where)
    basis = _choice(fields.get("basis"), "basis", BASES, where)
    rate = _number(fields.get("rate"), "rate", where, required=True)
    assert rate is not None
    built = Rule(
        code=code,
        name_zh=_text(fields.get("name_zh", code), "name_zh", where),
        name_en=_text(fields.get("name_en", code), "name_en", where),
        unit=unit, basis=basis, rate=rate,
        effective_from=_date(fields.get("effective_from"), "effective_from", where),
        round_to=_number(fields.get("round_to"), "round_to", where, positive=True),
        rounding=_choice(fields.get("rounding", "down"), "rounding", ROUNDINGS, where),
        min_quantity=_number(fields.get("min_quantity"), "min_quantity", where),
        max_quantity=_number(fields.get("max_quantity"), "max_quantity", where,
                             positive=True),
        caps=_caps(fields.get("caps", {}), where),
        multipliers=tuple(_multiplier(m, i, where)
                          for i, m in enumerate(_list(fields.get("multipliers", []),
                                                      "multipliers", where))),
        eligible_roles=_names(fields.get("eligible_roles", []), "eligible_roles", where),
        ineligible_tags=_names(fields.get("ineligible_tags", []), "ineligible_tags", where),
        approval=_bool(fields.get("approval", False), "approval", where),
        streak=_streak(fields.get("streak"), where),
        min_attendance=_number(fields.get("min_attendance"), "min_attendance", where),
        period=_choice(fields.get("period", "month"), "period", PERIODS[1:], where),
        due_day=_int(fields.get("due_day"), "due_day", where, 1, 28),
        late_rate=_number(fields.get("late_rate", 0), "late_rate", where) or Fraction(0),
        usual_max=_number(fields.get("usual_max"), "usual_max", where, positive=True),
        service=_bool(fields.get("service", False), "service", where),
        requires_dues=_bool(fields.get("requires_dues", False), "requires_dues", where),
    )
    _consistent(built, where)
    return built


def _consistent(r: Rule, where: _Where) -> None:
    if r.min_quantity is not None and r.max_quantity is not None \
            and r.min_quantity > r.max_quantity:
        raise where.fail("min_quantity", T("is above max_quantity ({max_quantity})",
                                           max_quantity=r.max_quantity))
    if r.min_attendance is not None and not 0 < r.min_attendance <= 1:
        raise where.fail("min_attendance", T("a share between 0 and 1, e.g. 0.6"))
    if r.min_attendance is not None and not r.timed:
        raise where.fail("min_attendance", T("only for per_hour rules"))
    if r.service and not r.timed:
        raise where.fail("service", T("volunteer service is counted in hours: only for per_hour "
                                      "rules"))
    if r.due_day is not None and (r.basis != "per_period" or r.period != "month"):
        raise where.fail("due_day", T("only for per_period rules with period = 'month'"))
    for period, cap in r.caps.items():
        if cap < r.rate:
            raise where.fail(f"caps.{period}",
                             T("cap {cap} is below the rate {rate}: one unit of the activity "
                               "could never be credited in full", cap=cap, rate=_show(r.rate)))
    if r.streak is not None and r.streak.bonus and any(
            cap < r.streak.bonus for _, cap in r.caps.items()):
        raise where.fail("streak.bonus", T("is above a cap of the rule"))


# -- field parsers ----------------------------------------------------------------------------


def _table(value: Any, field: str, where: _Where) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise where.fail(field, T("must be a table"))
    return value


def _list(value: Any, field: str, where: _Where) -> list[Any]:
    if not isinstance(value, list):
        raise where.fail(field, T("must be a list"))
    return value


def _text(value: Any, field: str, where: _Where) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise where.fail(field, T("must be non-empty text of at most 200 characters"))
    return value


def _names(value: Any, field: str, where: _Where) -> tuple[str, ...]:
    items = _list(value, field, where)
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise where.fail(field, T("must be a list of names"))
    return tuple(items)


def _bool(value: Any, field: str, where: _Where) -> bool:
    if not isinstance(value, bool):
        raise where.fail(field, T("must be true or false"))
    return value


def _choice(value: Any, field: str, choices: Sequence[str], where: _Where) -> str:
    if value not in choices:
        raise where.fail(field, T("{value!r} is not one of {choices}", value=value,
                                  choices=', '.join(choices)))
    return str(value)


def _number(value: Any, field: str, where: _Where, *, required: bool = False,
            positive: bool = False) -> Fraction | None:
    if value is None:
        if required:
            raise where.fail(field, T("is required"))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction | str):
        raise where.fail(field, T("must be a number, got {value!r}", value=value))
    try:
        number = Fraction(str(value)) if not isinstance(value, Fraction) else value
    except (ValueError, ZeroDivisionError):
        raise where.fail(field, T("must be a number, got {value!r}", value=value)) from None
    if number < 0 or (positive and number == 0):
        raise where.fail(field, T("must be {value}, got {number}",
                                  value='> 0' if positive else '≥ 0', number=_show(number)))
    return number


def _int(value: Any, field: str, where: _Where, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise where.fail(field, T("must be a whole number from {low} to {high}", low=low,
                                  high=high))
    return value


def _date(value: Any, field: str, where: _Where) -> date | None:
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise where.fail(field, T("must be a date like 2024-01-01, got {value!r}", value=value))


def _caps(value: Any, where: _Where) -> Caps:
    table = _table(value, "caps", where)
    unknown = sorted(set(table) - set(PERIODS))
    if unknown:
        raise where.fail(f"caps.{unknown[0]}", T("caps are per {periods}",
                                                 periods=', '.join(PERIODS)))
    caps = {p: _int(table.get(p), f"caps.{p}", where, 1, 10**12) for p in PERIODS}
    return Caps(**caps)


def _multiplier(value: Any, index: int, where: _Where) -> Multiplier:
    field = f"multipliers[{index}]"
    table = _table(value, field, where)
    unknown = sorted(set(table) - {"factor", "weekdays", "dates", "tags", "roles"})
    if unknown:
        raise where.fail(f"{field}.{unknown[0]}", T("unknown field"))
    factor = _number(table.get("factor"), f"{field}.factor", where, required=True,
                     positive=True)
    assert factor is not None
    days = []
    for day in _list(table.get("weekdays", []), f"{field}.weekdays", where):
        if isinstance(day, str) and day.lower()[:3] in WEEKDAYS:
            days.append(WEEKDAYS.index(day.lower()[:3]) + 1)
        elif isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 7:
            days.append(day)
        else:
            raise where.fail(f"{field}.weekdays", T("{day!r} is not a weekday (1 = Monday … 7, "
                                                    "or 'mon' … 'sun')", day=day))
    ranges = []
    for pair in _list(table.get("dates", []), f"{field}.dates", where):
        if not isinstance(pair, list) or len(pair) != 2 or None in pair:
            raise where.fail(f"{field}.dates", T("each range is [first_day, last_day]"))
        start = _date(pair[0], f"{field}.dates", where)
        end = _date(pair[1], f"{field}.dates", where)
        assert start is not None and end is not None
        if end < start:
            raise where.fail(f"{field}.dates", T("range ends before it starts: {pair}", pair=pair))
        ranges.append((start, end))
    return Multiplier(factor, tuple(days), tuple(ranges),
                      _names(table.get("tags", []), f"{field}.tags", where),
                      _names(table.get("roles", []), f"{field}.roles", where))


def _streak(value: Any, where: _Where) -> Streak | None:
    if value is None:
        return None
    table = _table(value, "streak", where)
    unknown = sorted(set(table) - {"every", "bonus"})
    if unknown:
        raise where.fail(f"streak.{unknown[0]}", T("unknown field"))
    every = _int(table.get("every"), "streak.every", where, 1, 10_000)
    bonus = _int(table.get("bonus"), "streak.bonus", where, 1, 10**9)
    if every is None or bonus is None:
        raise where.fail("streak", T("needs 'every' (weeks) and 'bonus' (points)"))
    return Streak(every, bonus)


# -- back to plain data -------------------------------------------------------------------------


def to_dict(r: Rule) -> dict[str, Any]:
    """A rule version as JSON-friendly data that ``rule(**data)`` builds back."""
    out: dict[str, Any] = {
        "code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "unit": r.unit,
        "basis": r.basis, "rate": _num(r.rate), "rounding": r.rounding,
        "approval": r.approval, "eligible_roles": list(r.eligible_roles),
        "ineligible_tags": list(r.ineligible_tags), "period": r.period,
        "late_rate": _num(r.late_rate),
        "caps": {p: v for p, v in r.caps.items()},
        "multipliers": [_multiplier_dict(m) for m in r.multipliers],
    }
    for name in ("round_to", "min_quantity", "max_quantity", "min_attendance", "usual_max"):
        value = getattr(r, name)
        if value is not None:
            out[name] = _num(value)
    if r.effective_from is not None:
        out["effective_from"] = r.effective_from.isoformat()
    if r.due_day is not None:
        out["due_day"] = r.due_day
    if r.streak is not None:
        out["streak"] = {"every": r.streak.every, "bonus": r.streak.bonus}
    if r.service:  # only when set, so definitions stored before the flag compare equal
        out["service"] = True
    if r.requires_dues:  # the same
        out["requires_dues"] = True
    return out


def _multiplier_dict(m: Multiplier) -> dict[str, Any]:
    out: dict[str, Any] = {"factor": _num(m.factor)}
    if m.weekdays:
        out["weekdays"] = list(m.weekdays)
    if m.dates:
        out["dates"] = [[a.isoformat(), b.isoformat()] for a, b in m.dates]
    if m.tags:
        out["tags"] = list(m.tags)
    if m.roles:
        out["roles"] = list(m.roles)
    return out


def _num(value: Fraction) -> int | float | str:
    """An exact number as JSON: an int, a short decimal, or "p/q" when neither is exact."""
    if value.denominator == 1:
        return value.numerator
    as_float = float(value)
    return as_float if Fraction(str(as_float)) == value else str(value)


def _show(value: Fraction) -> str:
    return str(_num(value))
