"""Every table module, imported so ``metadata`` knows the whole schema (for Alembic)."""

from timebank.store import (  # noqa: F401
    access_tables,
    catalogue_tables,
    contribution_tables,
    tables,
)
from timebank.store.tables import metadata

__all__ = ["metadata"]
