"""Idempotency keys for CLI writes: derived from the command's arguments, so typing the
same command twice (or re-running a script) writes once and answers the same; ``--key``
overrides it, to repeat a write on purpose.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import click

__all__ = ["KEY", "SET_KEY", "derived"]

KEY = click.option("--key", default=None,
                   help="Idempotency key (default: one derived from the arguments, so "
                        "the same command twice writes once).")

SET_KEY = click.option("--key", default=None,
                       help="Idempotency key (default: none: setting the same values "
                            "twice changes nothing).")


def derived(op: str, community: str, **arguments: Any) -> str:
    """``cli-OP-<digest>``: the same operation with the same arguments in the same
    community gives the same key, any difference another one."""
    text = json.dumps({"op": op, "community": community, **arguments}, sort_keys=True,
                      ensure_ascii=False, default=str)
    return f"cli-{op}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:32]}"
