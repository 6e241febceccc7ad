"""The base of every gateway: a subject's SQL, bound to one unit of work."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timebank.store.uow import UnitOfWork


class Gateway:
    """A subject's statements, run on the unit of work's connection for its community."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.conn = uow.conn
