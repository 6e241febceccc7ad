"""Reports for the notice board and the community office: monthly (quarterly, yearly)
points per member, leaderboards, participation rates, and their CSV / XLSX / HTML forms.

They read the running totals kept as awards post (``earnings_monthly``), so a report
costs a few thousand rows whatever the length of the history.
"""

from timebank.reports.leaderboard import Leaderboard, LeaderLine
from timebank.reports.monthly import MemberLine, PeriodReport, RuleColumn, UnitTotal
from timebank.reports.participation import Participation, UnitParticipation
from timebank.reports.periods import Period, parse_period
from timebank.reports.service import Reports

__all__ = [
    "LeaderLine", "Leaderboard", "MemberLine", "Participation", "Period", "PeriodReport",
    "Reports", "RuleColumn", "UnitParticipation", "UnitTotal", "parse_period",
]
