"""Redemptions as plain values: the result a desk gets, the member it redeems for, a
stored redemption as a state change finds it, and how long a hold lasts."""

from __future__ import annotations

import attrs

from timebank.domain.catalogue import receipt_code
from timebank.domain.community import CommunityRef
from timebank.errors import InvalidState, RulebookError
from timebank.i18n import T

DEFAULT_HOLD_MINUTES = 60


@attrs.frozen
class RedemptionItem:
    gift: str
    quantity: int
    unit_price: int
    total: int


@attrs.frozen
class Redemption:
    """``balance_after`` is the member's available balance (posted − held) in ``unit``
    after this redemption's last change; ``receipt`` a short code for the desk."""

    id: int
    status: str
    total: int
    unit: str
    balance_after: int
    receipt: str
    items: tuple[RedemptionItem, ...]
    member: str
    service_day: str | None = None



@attrs.frozen
class Redeemer:
    """The member a redemption is for, with the tags its price rules look at."""

    id: int
    code: str
    tags: tuple[str, ...]


@attrs.frozen
class StoredItem:
    """An item of a stored redemption, with the gift row its stock goes back to."""

    gift_id: int
    item: RedemptionItem


@attrs.frozen
class StoredRedemption:
    """A redemption as a state change finds it (its row locked): what the change needs
    (the hold, the spend, the member's account) and what its answer repeats."""

    id: int
    status: str
    member: str
    unit: str
    total: int
    hold_id: int | None
    entry_id: int | None
    service_day: str | None
    account_id: int | None

    def check_status(self, start: str) -> None:
        """Refuse a change that does not start from ``start``: each happens once."""
        if self.status != start:
            raise InvalidState(T("redemption {id} is {status}, not {start}", id=self.id,
                                 status=self.status, start=start),
                               field="redemption", state=self.status)

    def after(self, status: str, balance_after: int, items: tuple[RedemptionItem, ...]
            ) -> Redemption:
        """The redemption as the change leaves it."""
        return Redemption(self.id, status, self.total, self.unit, balance_after,
                          receipt_code(self.id), items, self.member, self.service_day)


def hold_minutes(comm: CommunityRef) -> int:
    """How long a hold lasts before the job releases it (settings ``redemptions``)."""
    value = (comm.settings.get("redemptions") or {}).get("hold_minutes", DEFAULT_HOLD_MINUTES)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RulebookError(T("community {comm} settings.redemptions: hold_minutes must be a "
                              "positive whole number", comm=comm.code), field="hold_minutes")
    return value
