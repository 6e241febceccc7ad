"""``review`` and ``approve``: what an import (or a rule, a unit, a month) left pending,
with its flags, and approving it in one act, four-eyes kept.

``timebank review --import 7`` lists what ``timebank approve --import 7 --approver 李四``
would approve and what it would skip (flagged ones, and those the approver recorded).
Exit status of ``approve``: 0 when it ran (whatever it skipped), 2 when it could not.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import click
from rich.console import Console

from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import COMMUNITY, common
from timebank.domain.access import Actor
from timebank.domain.approvals import ImportSummary
from timebank.i18n import N_, translate

out = Console(soft_wrap=True)
SHOWN = 50
DATE = click.DateTime(formats=["%Y-%m-%d"])

MESSAGES: dict[str, str] = {  # catalogue ids
    "summary": N_("import #{id}: {rows} rows, {added} added, {unchanged} already present, "
                  "{rejected} skipped; {pending} pending approval, {flagged} flagged."),
    "next": N_("review: timebank review --community {c} --import {id}; approve: "
               "timebank approve --community {c} --import {id} --approver NAME"),
    "approved": N_("approved {approved} ({points} points), skipped {skipped}."),
    "reason": N_("  {reason}: {n}"),
    "skip": N_("  #{id} {reason}: {detail}"),
    "more": N_("  … and {n} more"),
    "line": N_("#{id} {day} {member} {rule} {points} points, recorded by {by}{flags}"),
    "flags": N_(" FLAGS: {flags}"),
    "listed": N_("{n} pending listed{more}."),
    "more_pages": N_(" (more: raise --limit)"),
}
REASONS = {"self_approval": N_("recorded by the approver"),
           "flagged": N_("flagged"),
           "not_pending": N_("not pending"),
           "unknown": N_("no such contribution")}


def say(key: str, lang: str, **values: Any) -> str:
    return translate(MESSAGES[key], lang, **values)


def reason_text(reason: str, lang: str) -> str:
    """Why a contribution was skipped, in ``lang`` (an unknown reason as its code)."""
    return translate(REASONS[reason], lang) if reason in REASONS else reason


# The anomaly flags' stored (English) details, read back as catalogue ids with values.
FLAG_DETAILS = [(re.compile(pattern), msgid) for pattern, msgid in (
    (r"recorded (?P<days>\d+) days after it happened",
     N_("recorded {days} days after it happened")),
    (r"quantity (?P<quantity>\S+) is above the usual maximum \((?P<base>\S+)\)",
     N_("quantity {quantity} is above the usual maximum ({base})")),
    (r"quantity (?P<quantity>\S+) is above three times the maximum \((?P<base>\S+)\)",
     N_("quantity {quantity} is above three times the maximum ({base})")),
    (r"overlaps contribution (?P<other>\S+) of the same member",
     N_("overlaps contribution {other} of the same member")),
    (r"(?P<hours>\S+) hours credited on (?P<day>\S+)", N_("{hours} hours credited on {day}")),
)]
FLAG_KINDS = {"late": N_("late"), "unusual": N_("unusual"), "overlap": N_("overlap"),
              "long_day": N_("long day")}


def flag_text(kind: str, detail: str, lang: str) -> str:
    """An anomaly flag as ``kind: detail`` in ``lang`` (a detail it cannot read, as stored)."""
    for pattern, msgid in FLAG_DETAILS:
        found = pattern.fullmatch(detail)
        if found:
            detail = translate(msgid, lang, **found.groupdict())
            break
    name = translate(FLAG_KINDS[kind], lang) if kind in FLAG_KINDS and lang != "en" else kind
    return translate(N_("{kind}: {detail}"), lang, kind=name, detail=detail)


def skip_line(s: Any, lang: str) -> str:
    """One skipped contribution: its reason and what the library says of it (the flags,
    the state it is in) in ``lang``; the library's English detail only in English."""
    found = re.fullmatch(r"already (\w+)", s.detail)
    if lang == "en":
        detail = s.detail
    elif s.reason == "flagged":
        detail = "、".join(translate(FLAG_KINDS[k], lang) if k in FLAG_KINDS else k
                          for k in s.detail.split(", ") if k)
    elif s.reason == "not_pending" and found:
        detail = translate(N_("already {status}"), lang, status=found.group(1))
    else:
        detail = ""
    if not detail:
        return translate(N_("  #{id} {reason}"), lang, id=s.id, reason=reason_text(s.reason, lang))
    return say("skip", lang, id=s.id, reason=reason_text(s.reason, lang), detail=detail)


def print_import_summary(summary: Any, community: str, lang: str) -> None:
    """The lines ``timebank import`` ends with: the import's id and what it left."""
    if getattr(summary, "import_id", None) is None:
        return
    out.print(say("summary", lang, id=summary.import_id, rows=summary.rows,
                  added=summary.added, unchanged=summary.unchanged,
                  rejected=summary.rejected, pending=summary.pending,
                  flagged=summary.flagged), markup=False, highlight=False)
    if summary.pending:
        out.print(say("next", lang, c=community, id=summary.import_id), markup=False,
                  highlight=False)


def _day(value: datetime | None) -> Any:
    return value.date() if value is not None else None


FILTERS = [
    click.option("--import", "import_id", type=int, default=None, help="An import's id."),
    click.option("--rule", default=None, help="A rule's code."),
    click.option("--unit", default=None, help="An org unit's code (its members)."),
    click.option("--from", "since", type=DATE, default=None, help="First local day."),
    click.option("--to", "until", type=DATE, default=None, help="Last local day."),
    click.option("--recorded-by", default=None, help="Who recorded them."),
]


def filters(fn: Any) -> Any:
    for option in reversed(FILTERS):
        fn = option(fn)
    return fn


@main.command("approve")
@COMMUNITY
@filters
@click.option("--ids", default=None, help="Contribution ids, comma-separated.")
@click.option("--approver", required=True, help="Who approves (not who recorded them).")
@click.option("--include-flagged", is_flag=True, help="Approve flagged ones too.")
@click.option("--key", default=None, help="Idempotency key (default: a new one).")
@common
@click.pass_context
def approve(ctx: click.Context, community: str, import_id: int | None, rule: str | None,
            unit: str | None, since: datetime | None, until: datetime | None,
            recorded_by: str | None, ids: str | None, approver: str,
            include_flagged: bool, key: str | None, lang: str | None) -> None:
    """Approve pending contributions in bulk (批量审核): each checked as a single approval
    is; flagged ones and the approver's own are skipped with the reason."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    named = None
    if ids is not None:
        try:
            named = [int(i) for i in ids.split(",") if i.strip()]
        except ValueError:
            raise click.UsageError(translate(N_("--ids takes whole numbers separated by commas"),
                                             lang)) from None
    if named is None and all(v is None for v in (import_id, rule, unit, since, until,
                                                  recorded_by)):
        raise click.UsageError(translate(N_("name what to approve: --import, --rule, --unit, "
                                            "--from/--to, --recorded-by or --ids"), lang))
    bank = open_bank(ctx)
    done = bank.approvals.approve_many(
        community, approver=Actor.operator(approver),
        key=key or f"cli-approve-{uuid.uuid4()}", ids=named,
        import_id=import_id, rule=rule, unit=unit, from_=_day(since), to=_day(until),
        recorded_by=recorded_by, include_flagged=include_flagged)
    out.print(say("approved", lang, approved=done.approved, points=done.points,
                  skipped=len(done.skipped)), markup=False, highlight=False)
    for reason, n in sorted(Counter(s.reason for s in done.skipped).items()):
        out.print(say("reason", lang, reason=reason_text(reason, lang), n=n),
                  markup=False, highlight=False)
    for s in done.skipped[:SHOWN]:
        out.print(skip_line(s, lang), markup=False, highlight=False)
    if len(done.skipped) > SHOWN:
        out.print(say("more", lang, n=len(done.skipped) - SHOWN))


@main.command("review")
@COMMUNITY
@filters
@click.option("--flagged", is_flag=True, help="Only the flagged ones.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True,
              help="List at most this many.")
@common
@click.pass_context
def review(ctx: click.Context, community: str, import_id: int | None, rule: str | None,
           unit: str | None, since: datetime | None, until: datetime | None,
           recorded_by: str | None, flagged: bool, limit: int, lang: str | None) -> None:
    """List pending contributions with their flags (审核前查看): what ``approve`` with the
    same filter would look at."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    if unit is not None or recorded_by is not None:
        raise click.UsageError(translate(N_("review lists by --import, --rule, --from/--to, "
                                            "--flagged"), lang))
    bank = open_bank(ctx)
    if import_id is not None:
        summary: ImportSummary = bank.approvals.import_summary(community, import_id)
        out.print(say("summary", lang, id=summary.id, rows=summary.rows,
                      added=summary.added, unchanged=summary.unchanged,
                      rejected=summary.rejected, pending=summary.still_pending,
                      flagged=summary.flagged), markup=False, highlight=False)
    found = bank.contributions.list(
        community, status="pending", rule=rule, from_=_day(since), to=_day(until),
        flagged=True if flagged else None, limit=limit + 1, import_=import_id)
    for c in found[:limit]:
        flags = "; ".join(flag_text(f.kind, f.detail, lang) for f in c.flags)
        out.print(say("line", lang, id=c.id, day=c.occurred_on, member=c.member,
                      rule=c.rule, points=c.points, by=c.recorded_by,
                      flags=say("flags", lang, flags=flags) if flags else ""),
                  markup=False, highlight=False)
    out.print(say("listed", lang, n=min(len(found), limit),
                  more=say("more_pages", lang) if len(found) > limit else ""),
              markup=False, highlight=False)
