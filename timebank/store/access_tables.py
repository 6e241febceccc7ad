"""Placeholder: filled in by its feature."""

from timebank.store.tables import metadata  # noqa: F401
