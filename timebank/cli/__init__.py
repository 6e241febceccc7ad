"""The ``timebank`` command for community workers: one click group, commands by topic."""

from timebank.cli.main import main

__all__ = ["main"]
