"""The ``timebank`` command for community workers: one click group, commands by topic.

Importing a topic module registers its commands on ``main``.
"""

from timebank.cli import books, expiry, reporting, serving, transfer_io
from timebank.cli.main import main

__all__ = ["books", "expiry", "main", "reporting", "serving", "transfer_io"]
