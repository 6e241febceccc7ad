"""Importing contributions: rows checked against the members and the rulebook a chunk at
a time, then recorded through the contribution service's ``record_many`` inside the
import's transaction (valuing, caps, awards and running totals are the service's, not
repeated here).

Every row carries an idempotency key (the file's ``key`` column, or a digest of the
row's content), so importing a file again records nothing twice. Times in the file are
local times of the community.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from timebank.errors import UnknownRule
from timebank.i18n import T, Text, render
from timebank.io.headers import CONTRIBUTIONS, HeaderMap
from timebank.io.importing import Checked, Plan
from timebank.io.rows import ContributionRecord, Problem, contribution_record
from timebank.services.contributions import ContributionInput, record_many
from timebank.services.rules import version_on
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, utcnow, zone


def contribution_plan(community: str, *, lang: str = "en",
                      actor: str = "import") -> Plan[ContributionRecord]:
    columns = {c.field: (c.zh if lang.startswith("zh") else c.en)
               for c in CONTRIBUTIONS.columns}

    def parse(hmap: HeaderMap, number: int, values: Sequence[Any]
              ) -> tuple[ContributionRecord | None, list[Problem]]:
        return contribution_record(CONTRIBUTIONS, hmap, number, values, community, lang)

    def check(uow: UnitOfWork,
              records: Sequence[ContributionRecord]) -> Checked[ContributionRecord]:
        comm = uow.community
        people = uow.imports.people({r.member for r in records})
        versions = uow.rules.versions({r.rule for r in records})
        today = local_date(utcnow(), comm.timezone)
        good, problems = [], []
        for r in records:
            problem = _problem(r, people, versions, today, comm.timezone)
            if problem is None:
                good.append(r)
            else:
                problems.append(Problem(r.row, columns[problem[0]],
                                        render(problem[1], lang)))
        return Checked(good, problems)

    def write(uow: UnitOfWork, records: Sequence[ContributionRecord]) -> tuple[int, int]:
        tz = uow.community.timezone
        done = record_many(uow, [_input(r, tz) for r in records], recorded_by=actor,
                           import_id=plan.import_id)
        return done.recorded, done.replayed

    plan = Plan(CONTRIBUTIONS, parse, check, write, actor, lang=lang)
    return plan


def _local_day(r: ContributionRecord, tz: str) -> date:
    if r.occurred_on is not None:
        return r.occurred_on
    assert r.started_at is not None
    return r.started_at.date()  # file times are local times


def _problem(r: ContributionRecord, people: dict[str, tuple[list[str], list[str]]],
             versions: Any, today: date, tz: str) -> tuple[str, str | Text] | None:
    """(field, message) for the first thing wrong with ``r``, or None."""
    if r.member not in people:
        return "member", T("unknown member {member!r}", member=r.member)
    day = _local_day(r, tz)
    if day > today:
        return ("occurred_on" if r.occurred_on else "started_at",
                T("{day} is in the future", day=day.isoformat()))
    try:
        _, rule = version_on(versions, r.rule, day)
    except UnknownRule as exc:
        return "rule", exc.text or exc.message
    roles, tags = people[r.member]
    if not rule.eligible(roles, tags):
        return "member", T("member {member!r} may not earn from rule {rule!r}",
                           member=r.member, rule=r.rule)
    if r.period is not None and rule.basis != "per_period":
        return "period", T("rule {rule!r} is not paid per period", rule=r.rule)
    if r.quantity is not None and not rule.timed and Fraction(r.quantity).denominator != 1:
        return "quantity", T("rule {rule!r} counts whole items, got {value}", rule=r.rule,
                             value=r.quantity)
    if r.quantity is None and rule.timed and r.started_at is None:
        return "quantity", T("rule {rule!r} counts hours: give the hours or the times",
                             rule=r.rule)
    return None


def _input(r: ContributionRecord, tz: str) -> ContributionInput:
    def aware(moment: datetime | None) -> datetime | None:
        if moment is None or moment.tzinfo is not None:
            return moment
        return moment.replace(tzinfo=zone(tz))
    return ContributionInput(r.member, r.rule, r.quantity, r.occurred_on,
                             aware(r.started_at), aware(r.ended_at), note=r.note,
                             period=r.period, key=r.key)
