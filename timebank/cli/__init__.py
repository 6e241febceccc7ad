"""The ``timebank`` command for community workers: one click group, commands by topic.

Importing a topic module registers its commands on ``main``.
"""

from timebank.cli import (
    approvals,
    books,
    certificates,
    exchange,
    expiry,
    reporting,
    serving,
    transfer_io,
)
from timebank.cli.main import main

__all__ = ["approvals", "books", "expiry", "main", "reporting", "serving", "transfer_io"]
__all__ += ["certificates"]
__all__ += ["exchange"]
