"""Reports as they may be posted or handed out (上墙公示): names masked (张*明), no member
codes, and no household, which would name the family as surely as the name does; a
member living in a household is shown under its building instead.

Pure: the caller hands over ``public``, household code → (building code, building name),
read in one query (``uow.reports.public_units``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from timebank.domain.masking import mask_name
from timebank.reports.leaderboard import Leaderboard
from timebank.reports.monthly import PeriodReport, UnitTotal

Public = Mapping[str, tuple[str | None, str | None]]


def public_unit(unit: str | None, unit_name: str | None,
                public: Public) -> tuple[str | None, str | None]:
    """The unit a masked line may show: a household's building, any other unit as it is."""
    if unit is not None and unit in public:
        return public[unit]
    return unit, unit_name


def mask_period(report: PeriodReport, public: Public) -> PeriodReport:
    """``report`` with every line masked, and its per-unit totals with each household
    folded into its building (a report of one building lists its households); the
    totals themselves unchanged."""
    lines = tuple(attrs.evolve(line, member="", name=mask_name(line.name),
                               unit=unit, unit_name=unit_name)
                  for line in report.lines
                  for unit, unit_name in [public_unit(line.unit, line.unit_name, public)])
    unit, unit_name = public_unit(report.unit, report.unit_name, public)
    return attrs.evolve(report, lines=lines, units=public_totals(report.units, public),
                        unit=unit, unit_name=unit_name)


def public_totals(totals: Sequence[UnitTotal], public: Public) -> tuple[UnitTotal, ...]:
    """Per-unit totals as they may be posted: a household's row is added to its
    building's (one row per building, in the order first seen), others stay."""
    merged: dict[str | None, UnitTotal] = {}
    for row in totals:
        unit, name = public_unit(row.unit, row.name, public)
        seen = merged.get(unit)
        merged[unit] = UnitTotal(unit, name or "", row.members, row.total) if seen is None \
            else attrs.evolve(seen, members=seen.members + row.members,
                              total=seen.total + row.total)
    return tuple(merged.values())


def mask_board(board: Leaderboard, public: Public) -> Leaderboard:
    """``board`` with households replaced by buildings (names and codes already masked)."""
    lines = tuple(attrs.evolve(line, member=None, name=mask_name(line.name),
                               unit=unit, unit_name=unit_name)
                  for line in board.lines
                  for unit, unit_name in [public_unit(line.unit, line.unit_name, public)])
    return attrs.evolve(board, lines=lines, masked=True)
