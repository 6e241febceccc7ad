"""Every table module, imported so ``metadata`` knows the whole schema (for Alembic)."""

from timebank.store import tables
from timebank.store.tables import metadata

__all__ = ["metadata", "tables"]
