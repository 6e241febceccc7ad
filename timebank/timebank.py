"""``Timebank``: the one object a host system holds. It owns the store and groups the use
cases by what they act on (``tb.ledger.award(...)``, ``tb.members.add(...)``)."""

from __future__ import annotations

from collections.abc import Callable

from timebank.services.approvals import Approvals
from timebank.services.cards import Cards
from timebank.services.catalogue import Gifts
from timebank.services.certificates import Certificates
from timebank.services.communities import Communities
from timebank.services.contributions import Contributions
from timebank.services.desk import Desk
from timebank.services.districts import Districts
from timebank.services.exchange import Exchange
from timebank.services.expiry import Expiry
from timebank.services.keys import Keys
from timebank.services.ledger import Ledger
from timebank.services.members import Members
from timebank.services.offers import Offers
from timebank.services.redemptions import Redemptions
from timebank.services.reports import Reports
from timebank.services.rules import Rules
from timebank.services.service_days import ServiceDays
from timebank.services.statements import Statements
from timebank.services.tiers import Tiers
from timebank.services.transfers import Transfers
from timebank.services.units import Units
from timebank.store import migrations
from timebank.store.db import DEFAULT_URL, Store
from timebank.store.verify import Report, verify


class Timebank:
    def __init__(self, url: str = DEFAULT_URL, *, store: Store | None = None) -> None:
        self.store = store if store is not None else Store(url)
        self.communities = Communities(self.store)
        self.members = Members(self.store)
        self.ledger = Ledger(self.store)
        self.tiers = Tiers(self.store)
        self.gifts = Gifts(self.store)
        self.redemptions = Redemptions(self.store)
        self.service_days = ServiceDays(self.store)
        self.expiry = Expiry(self.store)
        self.transfers = Transfers(self.store)
        self.units = Units(self.store)
        self.rules = Rules(self.store)
        self.contributions = Contributions(self.store)
        self.certificates = Certificates(self.store)
        self.approvals = Approvals(self.store)
        self.statements = Statements(self.store)
        self.keys = Keys(self.store)
        self.cards = Cards(self.store)
        self.reports = Reports(self.store)
        self.requests = Exchange(self.store)
        self.offers = Offers(self.store)
        self.desk = Desk(self.store)
        self.districts = Districts(self.store)

    def init(self) -> None:
        """Create or upgrade the schema to the newest migration (safe to repeat)."""
        migrations.upgrade(self.store.engine)

    def schema(self) -> migrations.SchemaState:
        """The database's schema revision (None before ``init``) and the newest one."""
        return migrations.state(self.store.engine)

    def verify(self, community: str | None = None,
               progress: Callable[[int], None] | None = None) -> Report:
        """Re-check every hash chain and recompute every balance from postings, all on one
        snapshot: writes in flight are either wholly seen or not at all."""
        with self.store.snapshot() as conn:
            return verify(conn, community, progress)

    def close(self) -> None:
        self.store.dispose()
