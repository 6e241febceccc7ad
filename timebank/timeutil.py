"""Time: stored as naive UTC; days, weeks, months and caps counted in a community's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from timebank.errors import ValidationError
from timebank.i18n import T

DEFAULT_TIMEZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def utc_naive(moment: datetime) -> datetime:
    """A naive UTC datetime for storage; a naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(T("unknown time zone {name!r}", name=name), field="timezone") from exc


def local_date(moment: datetime, tz: str) -> date:
    """The calendar day ``moment`` (naive = UTC) falls on in the zone ``tz``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone(tz)).date()


def start_of_day_utc(day: date, tz: str) -> datetime:
    """Midnight of ``day`` in ``tz``, as naive UTC: the instant a local day begins."""
    return utc_naive(datetime.combine(day, time.min, tzinfo=zone(tz)))


def local_text(moment: datetime, tz: str | ZoneInfo) -> str:
    """``moment`` (naive = UTC) as a person reads it: the wall clock in ``tz`` with its
    offset, ``2026-11-01 00:00:00 +08:00``, so no export leaves a time unlabelled."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(zone(tz) if isinstance(tz, str) else tz)
    offset = local.strftime("%z") or "+0000"
    return f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"
