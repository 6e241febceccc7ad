"""The ``timebank`` command for community workers: one click group, commands by topic.

Importing a topic module registers its commands on ``main``.
"""

from timebank.cli import (
    approvals,
    books,
    certificates,
    contributions,
    districts,
    exchange,
    expiry,
    gifts,
    honours,
    keys,
    members,
    redemptions,
    reporting,
    rulebooks,
    rules,
    service_days,
    serving,
    transfer_io,
    units,
)
from timebank.cli.main import main

__all__ = ["approvals", "books", "expiry", "main", "reporting", "serving", "transfer_io"]
__all__ += ["certificates"]
__all__ += ["exchange"]
__all__ += ["contributions"]
__all__ += ["rulebooks"]
__all__ += ["districts"]
__all__ += ["gifts", "keys", "members", "redemptions", "rules", "service_days", "units"]
__all__ += ["honours"]
