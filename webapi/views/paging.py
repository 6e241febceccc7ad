"""Pages: ``{"items": [...], "next": cursor}``, ``next`` null on the last page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def page(items: Sequence[Any], limit: int, key: str) -> dict[str, Any]:
    """A keyset page: ``next`` is the last item's ``key``, to pass as ``after``."""
    full = len(items) >= limit
    return {"items": list(items), "next": getattr(items[-1], key) if full else None}


def offset_page(items: Sequence[Any], limit: int, offset: int) -> dict[str, Any]:
    """An offset page: ``next`` is the offset of the page after this one."""
    full = len(items) >= limit
    return {"items": list(items), "next": offset + len(items) if full else None}
