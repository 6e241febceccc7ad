"""Exchange (互助): requests and offers between members, as plain values and pure rules.

A member (or a clerk for her) posts a request; its estimated minutes are held on the
payer (the member, or the community's donation pool for members in need) from the
start, so a request is never paid with time that is gone. One or more volunteers claim
it; the requester (or a clerk) confirms the real minutes, which move payer → volunteers
in one ``exchange`` entry; or disputes, and the community office settles. Nothing here
touches storage: categories, the policy, the lifecycle's transitions, how minutes are
split among volunteers and how near an offer is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from timebank.domain.ledger import MAX_AMOUNT
from timebank.errors import InvalidState, RulebookError, ValidationError
from timebank.i18n import N_, T, Text

STATUSES = ("open", "claimed", "disputed", "done", "cancelled", "expired")
# What can be done to a request, as the messages name it (catalogue ids).
ACTS = {"claim": N_("claim"), "withdraw from": N_("withdraw from"), "confirm": N_("confirm"),
        "dispute": N_("dispute"), "settle": N_("settle"), "cancel": N_("cancel")}
FINAL = frozenset({"done", "cancelled", "expired"})
HELD = frozenset({"open", "claimed", "disputed"})  # the hold still reserves the estimate
FUNDERS = ("member", "pool")
OFFER_STATUSES = ("listed", "withdrawn")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@attrs.frozen
class Category:
    code: str
    name_zh: str
    name_en: str


DEFAULT_CATEGORIES = (
    Category("meals", "助餐", "Meals"),
    Category("cleaning", "助洁", "Cleaning"),
    Category("clinic", "助医", "Clinic visits"),
    Category("company", "陪伴", "Companionship"),
    Category("errands", "代买", "Shopping and errands"),
    Category("repairs", "维修", "Repairs"),
    Category("other", "其他", "Other"),
)


def _bad(where: str, field: str, what: str | Text) -> RulebookError:
    return RulebookError(T("{where}: {field} {what}", where=where, field=field, what=what),
                         field=field, where=where)


def categories_from(raw: Any, where: str = "[[categories]]") -> list[dict[str, str]]:
    """A rulebook's ``[[categories]]``, checked: a non-empty list of tables with a unique
    ``code`` and both names. Returned as plain tables, as community settings store it."""
    if not isinstance(raw, list) or not raw:
        raise _bad(where, "categories", T("must be a non-empty list of tables"))
    seen: set[str] = set()
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise _bad(where, f"categories[{index}]", T("must be a table"))
        extra = sorted(set(item) - {"code", "name_zh", "name_en"})
        if extra:
            raise _bad(where, f"categories[{index}].{extra[0]}", T("is not a category field"))
        code = item.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise _bad(where, f"categories[{index}].code",
                       T("must be a short lower-case code, got {code!r}", code=code))
        if code in seen:
            raise _bad(where, f"categories[{index}].code", T("duplicates {code!r}", code=code))
        seen.add(code)
        names = {}
        for name in ("name_zh", "name_en"):
            value = item.get(name, code if name == "name_en" else None)
            if not isinstance(value, str) or not value.strip() or len(value) > 100:
                raise _bad(where, f"categories[{index}].{name}", T("must be non-empty text"))
            names[name] = value
        out.append({"code": code, **names})
    return out


def categories_of(settings: Mapping[str, Any]) -> tuple[Category, ...]:
    """The community's categories (its rulebook's, else the default list)."""
    raw = settings.get("categories")
    if not raw:
        return DEFAULT_CATEGORIES
    return tuple(Category(c["code"], c["name_zh"], c["name_en"]) for c in raw)


def check_category(settings: Mapping[str, Any], code: object) -> str:
    known = [c.code for c in categories_of(settings)]
    if code not in known:
        raise ValidationError(T("category must be one of {known}, got {code!r}",
                                known=', '.join(known), code=code),
                              field="category")
    return str(code)


@attrs.frozen
class ExchangePolicy:
    """``max_minutes``: the most one request may be paid; ``max_volunteers``: the largest
    group job; ``pool_tags``: tags that let a member be served from the donation pool."""

    max_minutes: int = 480
    max_volunteers: int = 10
    pool_tags: tuple[str, ...] = ("elderly_alone", "low_income")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "exchange") -> ExchangePolicy:
        if not isinstance(data, Mapping):
            raise _bad(where, "exchange", T("must be a table"))
        extra = sorted(set(data) - {"max_minutes", "max_volunteers", "pool_tags"})
        if extra:
            raise _bad(where, extra[0], T("is not an exchange setting"))
        fields: dict[str, Any] = {}
        for name, high in (("max_minutes", MAX_AMOUNT), ("max_volunteers", 1000)):
            if name in data:
                value = data[name]
                if isinstance(value, bool) or not isinstance(value, int) or \
                        not 0 < value <= high:
                    raise _bad(where, name, T("must be a whole number from 1 to {high}",
                                              high=high))
                fields[name] = value
        if "pool_tags" in data:
            tags = data["pool_tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise _bad(where, "pool_tags", T("must be a list of tags"))
            fields["pool_tags"] = tuple(tags)
        return cls(**fields)

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> ExchangePolicy:
        return cls.from_mapping(settings.get("exchange") or {})


def check_minutes(value: object, field: str = "minutes", *, low: int = 1,
                  high: int = MAX_AMOUNT) -> int:
    """Whole minutes from ``low`` to ``high`` (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(T("{field} must be a whole number from {low} to {high}, got "
                                "{value!r}", field=field, low=low, high=high, value=value),
                              field=field)
    return value


def check_status(current: str, allowed: Sequence[str], act: str) -> None:
    """A request changes only from the states ``act`` starts from (else InvalidState)."""
    if current not in allowed:
        raise InvalidState(T("cannot {act} a request that is {current}",
                             act=T(ACTS.get(act, act)), current=current), state=current)


def split(minutes: int, shares: int) -> list[int]:
    """``minutes`` shared among ``shares`` volunteers as evenly as whole minutes allow;
    the first claims take the odd minutes."""
    base, rest = divmod(minutes, shares)
    return [base + (1 if i < rest else 0) for i in range(shares)]


def nearness(a: str | None, b: str | None) -> int:
    """0: the same building (or household), 1: the same grid, 2: anywhere else, from two
    unit paths (``/grid/building/household/``)."""
    if not a or not b:
        return 2
    pa, pb = a.strip("/").split("/"), b.strip("/").split("/")
    common = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        common += 1
    return 0 if common >= 2 else 1 if common == 1 else 2


@attrs.frozen
class Offer:
    id: int
    member: str
    category: str
    text: str
    availability: str
    status: str
    unit: str | None = None
    created_at: datetime | None = None


@attrs.frozen
class RequestEvent:
    at: datetime
    kind: str
    member: str | None
    minutes: int | None
    reason: str
    actor: str


@attrs.frozen
class ExchangeRequest:
    """A request as the API shows it: ``minutes`` is the estimate, ``minutes_held`` what
    its hold still reserves, ``minutes_paid`` what the confirmation or settlement paid."""

    id: int
    status: str
    member: str
    title: str
    category: str
    minutes: int
    minutes_held: int
    payer: str
    funded_by: str
    needed_on: date | None
    place: str
    max_volunteers: int
    volunteers: tuple[str, ...]
    minutes_paid: int | None = None
    entry_id: int | None = None
    offer: int | None = None
    reason: str = ""
    created_at: datetime | None = None
    matches: tuple[Offer, ...] = ()
    history: tuple[RequestEvent, ...] = ()


@attrs.frozen
class Settlement:
    """A confirmation or a settlement: the minutes paid, the entry that paid them (None
    when nothing moved), each volunteer's share, and what went back to the payer."""

    id: int
    status: str
    minutes: int
    entry_id: int | None
    payer: str
    shares: dict[str, int]
    released: int


@attrs.frozen
class StoredRequest:
    """A request row as a state change reads it (locked): the whole row, so the change
    can answer with ``shown`` instead of reading the request back."""

    id: int
    status: str
    requester: str
    requester_id: int
    minutes: int
    funded_by: str
    payer_account: int
    hold_id: int | None
    max_volunteers: int
    volunteers: tuple[str, ...]  # active claims, in claim order
    volunteer_ids: tuple[int, ...]
    needed_on: date | None
    title: str = ""
    # Each volunteer's account in minutes (None: not opened yet).
    volunteer_accounts: tuple[int | None, ...] = ()
    category: str = ""
    place: str = ""
    offer: int | None = None
    reason: str = ""
    created_at: datetime | None = None
    minutes_paid: int | None = None
    entry_id: int | None = None

    @property
    def payer(self) -> str:
        return "pool" if self.funded_by == "pool" else self.requester

    def shown(self, **changes: Any) -> ExchangeRequest:
        """The request as the API shows it, after ``changes`` (``status``, ``volunteers``,
        ``reason``, ...) written by the state change holding the lock."""
        now = attrs.evolve(self, **changes)
        return ExchangeRequest(
            now.id, now.status, now.requester, now.title, now.category, now.minutes,
            now.minutes if now.status in HELD else 0, now.payer, now.funded_by,
            now.needed_on, now.place, now.max_volunteers, now.volunteers, now.minutes_paid,
            now.entry_id, now.offer, now.reason, now.created_at)
