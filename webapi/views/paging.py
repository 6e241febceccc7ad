"""Keyset pages: ``{"items": [...], "next": cursor}``, ``next`` null on the last page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def page(items: Sequence[Any], limit: int, key: str) -> dict[str, Any]:
    full = len(items) >= limit
    return {"items": list(items), "next": getattr(items[-1], key) if full else None}
