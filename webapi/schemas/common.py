"""Fields and schemas shared by several resources."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from timebank.domain.ledger import MAX_AMOUNT
from webapi.spec_limits import NONBLANK_TEXT


class UtcDateTime(fields.DateTime):
    """The library's naive-UTC datetimes, written as RFC 3339 with their offset."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# Days the API accepts: wide enough for any real record, far enough from Python's year 1
# and 9999 that a day's bounds in any time zone, or the next day, can still be computed.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
_RANGE = f"between {FIRST_DAY} and {LAST_DAY}"
# The same range said in the OpenAPI document, as a pattern on the year (a format alone
# allows years 0001-9999). A time's pattern keeps a day's margin on either side, so that
# its offset can never carry it out of range in UTC.
DAY_PATTERN = "^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"
MOMENT_PATTERN = "^(190[1-9]|19[1-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-7])-"
# A role or tag name, as ``timebank.services.members`` checks it.
NAME_PATTERN = "^[\\w.-]{1,32}$"


class Day(fields.Date):
    """A calendar day ``YYYY-MM-DD`` within ``FIRST_DAY``..``LAST_DAY`` (a 422 otherwise,
    instead of an OverflowError when a service computes the day's bounds)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = kwargs.pop("metadata", {})
        text = metadata.get("description")
        metadata["description"] = f"{text}; {_RANGE}" if text else f"a day {_RANGE}"
        metadata.setdefault("pattern", DAY_PATTERN)
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(f"must be a day {_RANGE}")
        return day  # type: ignore[no-any-return]


class Moment(fields.AwareDateTime):
    """An RFC 3339 time with its offset, on a day ``FIRST_DAY``..``LAST_DAY`` in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("description", f"RFC 3339 with an offset; {_RANGE} (in the "
                                           "document: years 1901 to 9997)")
        metadata.setdefault("pattern", MOMENT_PATTERN)
        super().__init__(default_timezone=None, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            day = moment.astimezone(UTC).date()
        except OverflowError:
            day = None
        if day is None or not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(f"must be a time {_RANGE}")
        return moment  # type: ignore[no-any-return]


UNITS = validate.OneOf(["points", "minutes"])
# A path id: an int converter bounded to the 64-bit ids both engines store, so an
# absurd id is a 404 like any other unknown one.
ID = "int(min=1, max=9223372036854775807)"


def code_field(**kwargs: Any) -> fields.String:
    """A code (community, member, gift, ...): 1 to 64 characters, not all spaces."""
    metadata = {"pattern": NONBLANK_TEXT, **kwargs.pop("metadata", {})}
    return fields.String(validate=validate.Length(1, 64), metadata=metadata, **kwargs)


def positive(**kwargs: Any) -> fields.Integer:
    """A whole, positive number of points, minutes or items."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_AMOUNT), **kwargs)


def text(limit: int = 500, minimum: int = 0, **kwargs: Any) -> fields.String:
    """Text of ``minimum`` to ``limit`` characters; required text (``minimum`` 1) must not
    be all spaces either, as the use cases check it."""
    if minimum >= 1:
        kwargs["metadata"] = {"pattern": NONBLANK_TEXT, **kwargs.get("metadata", {})}
    return fields.String(validate=validate.Length(minimum, limit), **kwargs)


class IdempotencyHeader(Schema):
    """The ``Idempotency-Key`` header, required on writes of money and stock."""

    key = fields.String(required=True, data_key="Idempotency-Key",
                        validate=validate.Length(1, 200),
                        metadata={"description": "One key per intended write: a replay "
                                  "returns the first response, a different body 409."})


class OptionalIdempotencyHeader(Schema):
    """An optional ``Idempotency-Key``; without one, each request is a new write and
    nothing is remembered for it (the view passes ``key=None``)."""

    key = fields.String(data_key="Idempotency-Key", validate=validate.Length(1, 200))


class Reason(Schema):
    reason = text(required=True, minimum=1)

