"""The one recording pipeline behind every way of recording a contribution.

Members, rule versions, cap usage, streak weeks and the neighbours needed for anomaly
flags are fetched with a few queries per call; each contribution is valued by the pure
steps of ``timebank.domain.recording``; awards above the storage cap are cut to what fits;
rows are written in bulk, the awards of auto-approved rules posted in the same
transaction through ``uow.ledger.post_many``, and the monthly running totals move with
them. ``services/contributions.py`` holds the use cases that call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import attrs

from timebank.domain import recording
from timebank.domain.anomalies import DayMinutes, Span
from timebank.domain.contributions import (
    ContributionInput,
    ContributionResult,
    Resolved,
    award_meta,
    award_reason,
)
from timebank.domain.ledger import EntryKind, SystemAccount, move
from timebank.domain.rule_versions import Versions, timed_codes
from timebank.domain.rules import Valuation
from timebank.domain.transfers import storage_note
from timebank.services.dues import check_dues
from timebank.services.transfers import policy_of as transfer_policy
from timebank.services.transfers import storage_fit
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, utcnow


def record_all(uow: UnitOfWork, inputs: Sequence[ContributionInput],
               recorded_by: str, import_id: int | None = None) -> list[ContributionResult]:
    """Validate, value, flag and write ``inputs``: one result each, in order."""
    now = utcnow()
    for input_ in inputs:  # cheap checks first: nothing is read for a malformed call
        recording.check_shape(input_)
    tz = uow.community.timezone
    today = local_date(now, tz)
    people = uow.contributions.earners({i.member for i in inputs})
    versions = uow.rules.versions()
    midnights: dict[date, datetime] = {}
    items = [recording.resolve(index, input_, people, versions, tz, today, midnights)
             for index, input_ in enumerate(inputs)]
    check_dues(uow, items, versions)  # reads only when a rule requires dues paid
    valued = recording.value(items, *_history(uow, items))
    flags = recording.flags(items, now, _neighbours(uow, items, versions))

    valued, cut = _storage_cap(uow, items, valued)
    ids = uow.contributions.new_ids(len(items))
    entry_of = _award(uow, items, valued, ids, recorded_by)
    uow.contributions.add(items, valued, ids, entry_of, recorded_by=recorded_by, now=now,
                          import_id=import_id)
    uow.contributions.add_flags((ids[item.index], flag) for item in items
                                for flag in flags.get(item.index, ()))
    uow.contributions.earn(recording.monthly_totals(
        (item, value) for item, value in zip(items, valued, strict=True) if item.auto))
    return [ContributionResult(cid, item.member_code, item.rule.code, item.status,
                               value.points, item.rule.unit, value.capped, entry_of.get(cid),
                               tuple(f.kind for f in flags.get(item.index, ())),
                               value.clipped, item.index in cut)
            for item, value, cid in zip(items, valued, ids, strict=True)]


def _storage_cap(uow: UnitOfWork, items: Sequence[Resolved], valued: Sequence[Valuation]
                 ) -> tuple[list[Valuation], set[int]]:
    """``valued`` with the awards of auto-approved ``items`` cut to what the community's
    storage cap lets each member hold (in input order), and the indexes cut. Nothing is
    read when the community has no storage cap for the units."""
    policy = transfer_policy(uow.community)
    out, cut = list(valued), set()
    for unit in sorted({i.rule.unit for i in items if i.auto and policy.caps(i.rule.unit)}):
        paying = [i for i in items if i.auto and i.rule.unit == unit and out[i.index].points]
        if not paying:
            continue
        accounts = uow.ledger.open_member_accounts(sorted({i.member_id for i in paying}),
                                                   unit)
        fitted = storage_fit(uow, unit, [(accounts[i.member_id], out[i.index].points)
                                         for i in paying])
        for item, fits in zip(paying, fitted, strict=True):
            value = out[item.index]
            if fits < value.points:
                out[item.index] = attrs.evolve(value, points=fits, capped=True, notes=(
                    *value.notes, storage_note(value.points, fits, policy.storage_cap or 0)))
                cut.add(item.index)
    return out, cut


def _history(uow: UnitOfWork, items: Sequence[Resolved]
             ) -> tuple[recording.Usage, recording.Weeks]:
    """Points already counted toward the caps of ``items`` and their streak weeks."""
    capped = [i for i in items if i.rule.caps.items()]
    streaky = [i for i in items if i.rule.streak is not None]
    counted: Iterable[tuple[int, str, date, int]] = ()
    active: Iterable[tuple[int, str, date]] = ()
    periodic = {i.rule.code for i in capped if i.rule.basis == "per_period"}
    by_day = [i for i in capped if i.rule.code not in periodic]
    if by_day:
        counted = uow.contributions.points_by_day(
            {i.member_id for i in by_day}, {i.rule.code for i in by_day},
            *recording.cap_window(by_day))
    if periodic:  # their caps count the period paid for (dues paid in advance)
        by_period = [i for i in capped if i.rule.code in periodic]
        counted = [*counted, *recording.counted_days(uow.contributions.points_by_period(
            {i.member_id for i in by_period}, periodic, *recording.cap_window(by_period)))]
    if streaky:
        active = uow.contributions.days_active({i.member_id for i in streaky},
                                               {i.rule.code for i in streaky})
    return recording.cap_usage(counted), recording.streak_weeks(active)


def _neighbours(uow: UnitOfWork, items: Sequence[Resolved], versions: Versions
                ) -> tuple[Sequence[Span], Sequence[DayMinutes]]:
    """The members' stored timed contributions (of any timed rule) around the days of
    the timed ``items``: what overlaps and long days are checked against."""
    timed = [i for i in items if i.rule.timed]
    if not timed:
        return (), ()
    return uow.contributions.timed_near({i.member_id for i in timed}, timed_codes(versions),
                                        *recording.flag_window(timed))


def _award(uow: UnitOfWork, items: Sequence[Resolved], valued: Sequence[Valuation],
           ids: Sequence[int], actor: str) -> dict[int, int]:
    """Post the awards of the auto-approved ``items`` in one batch: contribution id →
    its award's entry id."""
    paying = [(item, value, cid) for item, value, cid in zip(items, valued, ids, strict=True)
              if item.auto and value.points > 0]
    if not paying:
        return {}
    accounts: dict[str, dict[int, int]] = {}
    sources: dict[str, int] = {}
    for unit in sorted({item.rule.unit for item, _, _ in paying}):
        accounts[unit] = uow.ledger.open_member_accounts(
            sorted({i.member_id for i, _, _ in paying if i.rule.unit == unit}), unit)
        sources[unit] = uow.ledger.system_account(SystemAccount.ISSUANCE, unit)
    rules = {item.version_id: item.rule for item, _, _ in paying}
    reasons = {vid: award_reason(rule.name_zh, rule.name_en) for vid, rule in rules.items()}
    posted = uow.ledger.post_many([
        NewEntry(EntryKind.AWARD, move(sources[item.rule.unit],
                                       accounts[item.rule.unit][item.member_id],
                                       item.rule.unit, value.points),
                 reasons[item.version_id], actor, item.occurred_at,
                 award_meta(cid, item.rule.code, None), earning=1)
        for item, value, cid in paying])
    return {cid: done.entry_id for (_, _, cid), done in zip(paying, posted, strict=True)}
