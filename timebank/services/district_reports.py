"""District reports (通存通兑): the period report, the leaderboard and participation over
all communities of a district, per community and in total, on one read snapshot.

The period report and the board are set-based reads of the running totals
(``earnings_monthly``) for every community at once: their cost grows with the month's
earners, never with the history. Participation is each community's own report
(``services.reports.participation_rate``, with its rulebook's eligibility), read on the
same snapshot and added up.
"""

from __future__ import annotations

from timebank.domain.ledger import check_unit
from timebank.errors import UnknownRule
from timebank.i18n import T
from timebank.reports.district import (
    DistrictBoard,
    DistrictParticipation,
    DistrictPeriod,
    district_board,
    district_participation,
    district_period,
)
from timebank.reports.leaderboard import check_limit
from timebank.reports.participation import TARGET
from timebank.reports.periods import Period
from timebank.services.reports import participation_rate
from timebank.store.uow import UnitOfWork


def period(uow: UnitOfWork, code: str, when: Period, ledger_unit: str = "points"
           ) -> DistrictPeriod:
    """Per community: members, earners, contributions and points by rule; in total."""
    check_unit(ledger_unit)
    district = uow.districts.named(code)
    found = uow.districts.communities_of(district.id)
    ids = [i for i, _, _ in found]
    return district_period(
        district.code, district.name, when, ledger_unit, found,
        uow.districts.earned_by_community(ids, when.months, ledger_unit),
        uow.districts.earners_by_community(ids, when.months, ledger_unit),
        uow.districts.members_by_community(ids))


def leaderboard(uow: UnitOfWork, code: str, when: Period, *, ledger_unit: str = "points",
                limit: int = 20, mask: bool = True) -> DistrictBoard:
    """The district's ``limit`` top earners, each with its community; names masked and
    codes left out unless ``mask=False``."""
    check_unit(ledger_unit)
    check_limit(limit)
    district = uow.districts.named(code)
    ids = [i for i, _, _ in uow.districts.communities_of(district.id)]
    return district_board(district.code, when, ledger_unit,
                          uow.districts.top_in_district(ids, when.months, ledger_unit,
                                                        limit), mask=mask)


def participation(uow: UnitOfWork, code: str, when: Period, rule: str, *,
                  target: float = TARGET) -> DistrictParticipation:
    """``rule``'s participation in each community whose rulebook has it, and in total."""
    district = uow.districts.named(code)
    found, without = [], []
    for _, community, _ in uow.districts.communities_of(district.id):
        try:
            found.append(participation_rate(UnitOfWork(uow.store, uow.conn, community),
                                            when, rule, None, target=target))
        except UnknownRule:
            without.append(community)
    if not found:
        raise UnknownRule(T("no community of district {district!r} has rule {rule!r}",
                            district=district.code, rule=rule), field="rule")
    return district_participation(district.code, when, rule, target, found, without)
