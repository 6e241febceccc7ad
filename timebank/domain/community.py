"""A community as the use cases see it: its id and code, its time zone, its settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs


@attrs.frozen
class CommunityRef:
    """Who a unit of work acts for. ``settings`` holds the rulebook's policies (tiers,
    expiry, transfers, redemptions) as the community row stores them."""

    id: int
    code: str
    timezone: str
    settings: Mapping[str, Any] = attrs.field(factory=dict)
