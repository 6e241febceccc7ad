"""Reports for the notice board and the community office: monthly (quarterly, yearly)
points per member, leaderboards, participation rates, and their CSV / XLSX / HTML forms.

They read the running totals kept as awards post (``earnings_monthly``), so a report
costs a few thousand rows whatever the length of the history. The modules here hold the
reports' values and their pure assembly; the use cases and the ``Reports`` facade are in
``timebank.services.reports``.
"""

from typing import Any

from timebank.reports.leaderboard import Leaderboard, LeaderLine
from timebank.reports.monthly import MemberLine, PeriodReport, RuleColumn, UnitTotal
from timebank.reports.participation import Participation, UnitParticipation
from timebank.reports.periods import Period, parse_period

__all__ = [
    "LeaderLine", "Leaderboard", "MemberLine", "Participation", "Period", "PeriodReport",
    "Reports", "RuleColumn", "UnitParticipation", "UnitTotal", "parse_period",
]


def __getattr__(name: str) -> Any:
    # ``Reports`` is imported on first use: the service imports this package's modules.
    if name == "Reports":
        from timebank.services.reports import Reports
        return Reports
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
