"""Service days (服务日 / 兑换日): open a day, hand gifts out, close it and count the stock.

Opening and closing lock every gift row of the community (by id, the lock order) and
record each gift's stock and the last stock movement id. A redemption locks its gift
rows before it writes movements, so every movement falls cleanly before or after each
mark, and the reconciliation ``opening + restocked - handed_out = closing`` holds
exactly unless stock was changed outside the library (账物相符).
"""

from __future__ import annotations

from datetime import date

import attrs

from timebank.domain.catalogue import check_text
from timebank.domain.service_days import (
    HandedOut,
    ServiceDay,
    ServiceDayRecord,
    ServiceDaySummary,
    reconcile,
)
from timebank.errors import InvalidState, ValidationError
from timebank.i18n import T
from timebank.services.communities import check_code
from timebank.services.redemptions import cancel_held
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork

__all__ = ["HandedOut", "ServiceDay", "ServiceDaySummary", "ServiceDays"]


def _summary(uow: UnitOfWork, record: ServiceDayRecord) -> ServiceDaySummary:
    catalogue = uow.catalogue
    return ServiceDaySummary(
        record.day, catalogue.day_redemptions(record.id), catalogue.handed_out(record.id),
        catalogue.day_spent(record.id),
        reconcile(record, catalogue.stock(),
                  catalogue.moved(record.open_mark, record.close_mark)))


# -- use cases: primitives and a unit of work ---------------------------------------------


def open_day(uow: UnitOfWork, code: str, *, name: str, day: date | str) -> ServiceDay:
    """Open a service day; redemptions may name it until it is closed."""
    check_code(code)
    check_text(name, "name")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise ValidationError(T("day must be a date YYYY-MM-DD"), field="day") from None
    if not isinstance(day, date):
        raise ValidationError(T("day must be a date"), field="day")
    uow.catalogue.add_service_day(code, name, day, uow.catalogue.lock_stock())
    return ServiceDay(code, name, day, "open")


def close(uow: UnitOfWork, code: str, *, actor: str = "system") -> ServiceDaySummary:
    """Close the day: its holds left are released, the closing stock is counted."""
    record = uow.catalogue.service_day(code)
    if not uow.catalogue.close_service_day(record.id):
        raise InvalidState(T("service day {code!r} is already closed", code=code),
                           field="service_day",
                           state="closed")
    cancel_held(uow, uow.redemptions.held_on(record.id), actor)
    closing = uow.catalogue.lock_stock()
    mark = uow.catalogue.count_closing(record.id, closing)
    return _summary(uow, attrs.evolve(record, day=attrs.evolve(record.day, status="closed"),
                                      close_mark=mark, closing_stock=closing))


def summary(uow: UnitOfWork, code: str) -> ServiceDaySummary:
    return _summary(uow, uow.catalogue.service_day(code))


class ServiceDays:
    def __init__(self, store: Store) -> None:
        self.store = store

    def open(self, community: str, code: str, *, name: str, day: date) -> ServiceDay:
        """Open a service day; redemptions may name it until it is closed."""
        return self.store.transact(community, lambda uow: open_day(uow, code, name=name,
                                                                   day=day))

    def close(self, community: str, code: str, *, actor: str = "system"
              ) -> ServiceDaySummary:
        """Close the day: its holds left are released, the closing stock is counted."""
        return self.store.transact(community, lambda uow: close(uow, code, actor=actor))

    def get(self, community: str, code: str) -> ServiceDay:
        with self.store.reading(community) as uow:
            return uow.catalogue.service_day(code).day

    def summary(self, community: str, code: str) -> ServiceDaySummary:
        with self.store.reading(community) as uow:
            return summary(uow, code)
