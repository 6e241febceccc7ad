"""Report periods: a month ``2024-03``, a quarter ``2024-Q1`` or a year ``2024``, counted
in the community's time zone (the running totals are kept per local month)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import attrs

from timebank.errors import ValidationError
from timebank.i18n import T

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?$")


@attrs.frozen
class Period:
    label: str                # as asked: 2024-03, 2024-Q1, 2024
    kind: str                 # month, quarter, year
    first: date               # first local day
    last: date                # last local day
    months: tuple[str, ...]   # the 'YYYY-MM' months it covers


def parse_period(text: object, field: str = "period") -> Period:
    found = _PERIOD.match(text.strip()) if isinstance(text, str) else None
    if found is None or not isinstance(text, str):
        raise ValidationError(T("{field} must be YYYY-MM, YYYY-Qn or YYYY, got {text!r}",
                                field=field, text=text),
                              field=field)
    year = int(found.group(1))
    if year < 1970:
        raise ValidationError(T("{field}: {year} is too early", field=field, year=year),
                              field=field)
    if year > 9998:  # the day after the period must still be a date
        raise ValidationError(T("{field}: {year} is too late", field=field, year=year), field=field)
    if found.group(2):
        kind, start_month, count = "month", int(found.group(2)), 1
    elif found.group(3):
        kind, start_month, count = "quarter", 3 * int(found.group(3)) - 2, 3
    else:
        kind, start_month, count = "year", 1, 12
    months = tuple(f"{year:04d}-{m:02d}" for m in range(start_month, start_month + count))
    first = date(year, start_month, 1)
    end_month = start_month + count
    after = date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1)
    label = text.strip().upper() if kind == "quarter" else text.strip()
    return Period(label, kind, first, after - timedelta(days=1), months)


def parse_month(text: object, field: str = "month") -> Period:
    period = parse_period(text, field)
    if period.kind != "month":
        raise ValidationError(T("{field} must be a month YYYY-MM, got {text!r}", field=field,
                                text=text), field=field)
    return period
