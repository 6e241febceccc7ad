"""A unit of work: one transaction, the community it acts for, and the store's gateways.

A use case is a function taking primitives and a ``UnitOfWork`` (``Store.transact`` runs
it in a write transaction, retried on PostgreSQL conflicts; ``Store.reading`` opens a
read snapshot). Everything it needs from the database it asks a gateway for
(``uow.ledger``, ``uow.members``, ...), so no SQL and no connection leave ``store/``.

``once`` makes a write idempotent with a typed codec: the first run returns the
use case's own result and stores it as JSON; a replay decodes the stored JSON back into
the same attrs type, so both answers are equal without a dict round trip on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from cattrs.preconf.json import make_converter
from sqlalchemy.engine import Connection

from timebank import i18n
from timebank.domain.community import CommunityRef
from timebank.errors import ValidationError
from timebank.store import fused, idempotency
from timebank.store.approvals import ApprovalsGateway
from timebank.store.catalogue import CatalogueGateway
from timebank.store.certificates import CertificatesGateway
from timebank.store.communities import CommunitiesGateway
from timebank.store.contributions import ContributionsGateway
from timebank.store.districts import DistrictsGateway
from timebank.store.exchange import ExchangeGateway
from timebank.store.fused import NamedEntry
from timebank.store.history import HistoryGateway
from timebank.store.imports import ImportsGateway
from timebank.store.keys import KeysGateway
from timebank.store.ledger import LedgerGateway
from timebank.store.members import MembersGateway
from timebank.store.posting import Posted
from timebank.store.redemptions import RedemptionsGateway
from timebank.store.reports import ReportsGateway
from timebank.store.rules import RulesGateway

if TYPE_CHECKING:
    from timebank.store.db import Store

T = TypeVar("T")

# Results are attrs classes of primitives, dates and tuples: JSON both ways.
codec = make_converter()


class UnitOfWork:
    """One transaction for one community (or none: platform acts such as creating one)."""

    def __init__(self, store: Store, conn: Connection, community: str | None) -> None:
        self.store = store
        self.conn = conn
        self.dialect = conn.dialect.name
        self.community_code = community

    # -- the community -------------------------------------------------------------------

    @cached_property
    def community(self) -> CommunityRef:
        """The community with its settings, read once per transaction."""
        if self.community_code is None:
            raise ValidationError(i18n.T("this act needs a community"), field="community")
        return self.communities.get(self.community_code)

    @property
    def community_id(self) -> int:
        """The community's id, from a per-process cache: ids never change, so the hot
        path skips reading the community row. An id read here enters the cache only
        when the transaction commits (``Store.transact``), so a rolled-back community is
        never remembered."""
        if "community" in self.__dict__:
            return self.community.id
        code = self.community_code
        if code is None:
            raise ValidationError(i18n.T("this act needs a community"), field="community")
        found = self.store.community_ids.get(code)
        if found is None:
            found = self.community.id
        return found

    def act_for(self, community: CommunityRef) -> None:
        """Act for a community this transaction has just created (no read back)."""
        self.__dict__["community"] = community

    def learned(self) -> tuple[str, int] | None:
        """The community code and id this unit of work read, for the store's cache."""
        ref = self.__dict__.get("community")
        return (ref.code, ref.id) if ref is not None else None

    # -- idempotency ---------------------------------------------------------------------

    def once(self, key: str | None, request: Mapping[str, Any], work: Callable[[], T],
             result: type[T]) -> T:
        """Run ``work`` once per key and return its result, first or replayed.

        ``request`` is what the caller sent, exactly: a replay with any field changed is
        an ``IdempotencyConflict``. Without a key the work simply runs (nothing stored).
        """
        if key is None:
            return work()
        claim = idempotency.claim(self.conn, self.community_id, key, request)
        if claim.stored is not None:
            return codec.structure(claim.stored, result)
        done = work()
        idempotency.answer(self.conn, claim.id, codec.unstructure(done))
        return done

    def once_posting(self, key: str | None, request: Mapping[str, Any], named: NamedEntry,
                     build: Callable[[Posted, Mapping[int, str]], T], work: Callable[[], T],
                     result: type[T]) -> T:
        """``once`` for a use case whose work is one entry over named accounts (an award,
        a spend, a transfer): on PostgreSQL the claim, the guarded moves, the chain link
        and the stored answer take two statements (``fused.post_once``), and ``build``
        makes the result from what was posted. Where that path declines (a replay, an
        account to open, an unknown member; it has then written nothing), and on
        SQLite, ``work`` runs through ``once`` as before: the same results and errors."""
        if key is not None and self.dialect == "postgresql" and \
                self.conn.dialect.driver == "psycopg":
            idempotency.check_key(key)

            def respond(posted: Posted, names: Mapping[int, str]) -> tuple[T, str]:
                done = build(posted, names)
                return done, idempotency._stored_text(codec.unstructure(done))
            found = fused.post_once(self.conn, self.community_id, self.ledger.community_code(),
                                    key, idempotency._stored_text(request), named, respond)
            if found is not None:
                return found
        return self.once(key, request, work, result)

    def replays(self, requests: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """For a bulk write: the stored (JSON) responses of the keys already used, each
        checked against its request (key → request)."""
        return idempotency.claimed(self.conn, self.community_id, requests)

    def remember(self, answered: Sequence[tuple[str, Mapping[str, Any], Any]]) -> None:
        """For a bulk write: store fresh keys with their requests and results (attrs
        results, or their JSON form already built, which a large batch builds faster)."""
        idempotency.store_many(self.conn, self.community_id, [
            (key, request, result if isinstance(result, dict) else codec.unstructure(result))
            for key, request, result in answered])

    # -- gateways, one per subject -------------------------------------------------------

    @cached_property
    def ledger(self) -> LedgerGateway:
        return LedgerGateway(self)

    @cached_property
    def history(self) -> HistoryGateway:
        return HistoryGateway(self)

    @cached_property
    def communities(self) -> CommunitiesGateway:
        return CommunitiesGateway(self)

    @cached_property
    def members(self) -> MembersGateway:
        return MembersGateway(self)

    @cached_property
    def rules(self) -> RulesGateway:
        return RulesGateway(self)

    @cached_property
    def contributions(self) -> ContributionsGateway:
        return ContributionsGateway(self)

    @cached_property
    def certificates(self) -> CertificatesGateway:
        return CertificatesGateway(self)

    @cached_property
    def catalogue(self) -> CatalogueGateway:
        return CatalogueGateway(self)

    @cached_property
    def redemptions(self) -> RedemptionsGateway:
        return RedemptionsGateway(self)

    @cached_property
    def keys(self) -> KeysGateway:
        return KeysGateway(self)

    @cached_property
    def reports(self) -> ReportsGateway:
        return ReportsGateway(self)

    @cached_property
    def imports(self) -> ImportsGateway:
        return ImportsGateway(self)

    @cached_property
    def approvals(self) -> ApprovalsGateway:
        return ApprovalsGateway(self)

    @cached_property
    def exchange(self) -> ExchangeGateway:
        return ExchangeGateway(self)

    @cached_property
    def districts(self) -> DistrictsGateway:
        return DistrictsGateway(self)
