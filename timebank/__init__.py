"""timebank: volunteer time-bank and points-redemption library for residents' communities."""

from timebank.domain.access import Actor
from timebank.errors import TimebankError
from timebank.timebank import Timebank

__all__ = ["Actor", "Timebank", "TimebankError"]
__version__ = "0.1.0"
