"""``review`` and ``approve``: what an import (or a rule, a unit, a month) left pending,
with its flags, and approving it in one act, four-eyes kept.

``timebank review --import 7`` lists what ``timebank approve --import 7 --approver 李四``
would approve and what it would skip (flagged ones, and those the approver recorded).
Exit status of ``approve``: 0 when it ran (whatever it skipped), 2 when it could not.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import click
from rich.console import Console

from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import COMMUNITY, common
from timebank.domain.approvals import ImportSummary

out = Console(soft_wrap=True)
SHOWN = 50
DATE = click.DateTime(formats=["%Y-%m-%d"])

MESSAGES: dict[str, dict[str, str]] = {
    "summary": {
        "zh": "导入批次 #{id}:读取 {rows} 行,新增 {added} 条,已存在 {unchanged} 条,"
              "跳过 {rejected} 行;待审核 {pending} 条,其中有异常标记 {flagged} 条。",
        "en": "import #{id}: {rows} rows, {added} added, {unchanged} already present, "
              "{rejected} skipped; {pending} pending approval, {flagged} flagged."},
    "next": {"zh": "审核:timebank review --community {c} --import {id};批量通过:"
                   "timebank approve --community {c} --import {id} --approver 姓名",
             "en": "review: timebank review --community {c} --import {id}; approve: "
                   "timebank approve --community {c} --import {id} --approver NAME"},
    "approved": {"zh": "已通过 {approved} 条(共 {points} 分),跳过 {skipped} 条。",
                 "en": "approved {approved} ({points} points), skipped {skipped}."},
    "reason": {"zh": "  {reason}:{n} 条", "en": "  {reason}: {n}"},
    "skip": {"zh": "  #{id} {reason}:{detail}", "en": "  #{id} {reason}: {detail}"},
    "more": {"zh": "  ……另有 {n} 条未列出", "en": "  … and {n} more"},
    "line": {"zh": "#{id} {day} {member} {rule} {points} 分 记录人 {by}{flags}",
             "en": "#{id} {day} {member} {rule} {points} points, recorded by {by}{flags}"},
    "flags": {"zh": " 异常:{flags}", "en": " FLAGS: {flags}"},
    "listed": {"zh": "共列出 {n} 条待审核记录{more}。", "en": "{n} pending listed{more}."},
    "more_pages": {"zh": "(还有更多,加大 --limit 查看)", "en": " (more: raise --limit)"},
}
REASONS = {"self_approval": {"zh": "本人录入,须由他人审核", "en": "recorded by the approver"},
           "flagged": {"zh": "有异常标记", "en": "flagged"},
           "not_pending": {"zh": "不是待审核状态", "en": "not pending"},
           "unknown": {"zh": "不存在", "en": "no such contribution"}}


def say(key: str, lang: str, **values: Any) -> str:
    return MESSAGES[key][lang].format(**values)


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
            raise click.UsageError("--ids takes whole numbers separated by commas") from None
    if named is None and all(v is None for v in (import_id, rule, unit, since, until,
                                                  recorded_by)):
        raise click.UsageError("name what to approve: --import, --rule, --unit, --from/--to,"
                               " --recorded-by or --ids")
    bank = open_bank(ctx)
    done = bank.approvals.approve_many(
        community, approver=approver, key=key or f"cli-approve-{uuid.uuid4()}", ids=named,
        import_id=import_id, rule=rule, unit=unit, from_=_day(since), to=_day(until),
        recorded_by=recorded_by, include_flagged=include_flagged)
    out.print(say("approved", lang, approved=done.approved, points=done.points,
                  skipped=len(done.skipped)), markup=False, highlight=False)
    for reason, n in sorted(Counter(s.reason for s in done.skipped).items()):
        out.print(say("reason", lang, reason=REASONS.get(reason, {}).get(lang, reason), n=n),
                  markup=False, highlight=False)
    for s in done.skipped[:SHOWN]:
        out.print(say("skip", lang, id=s.id, reason=REASONS.get(s.reason, {}).get(
            lang, s.reason), detail=s.detail), markup=False, highlight=False)
    if len(done.skipped) > SHOWN:
        out.print(say("more", lang, n=len(done.skipped) - SHOWN))


@main.command("review")
@COMMUNITY
@filters
@click.option("--flagged", is_flag=True, help="Only the flagged ones.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True)
@common
@click.pass_context
def review(ctx: click.Context, community: str, import_id: int | None, rule: str | None,
           unit: str | None, since: datetime | None, until: datetime | None,
           recorded_by: str | None, flagged: bool, limit: int, lang: str | None) -> None:
    """List pending contributions with their flags (审核前查看): what ``approve`` with the
    same filter would look at."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    if unit is not None or recorded_by is not None:
        raise click.UsageError("review lists by --import, --rule, --from/--to, --flagged")
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
        flags = "; ".join(f"{f.kind}: {f.detail}" for f in c.flags)
        out.print(say("line", lang, id=c.id, day=c.occurred_on, member=c.member,
                      rule=c.rule, points=c.points, by=c.recorded_by,
                      flags=say("flags", lang, flags=flags) if flags else ""),
                  markup=False, highlight=False)
    out.print(say("listed", lang, n=min(len(found), limit),
                  more=say("more_pages", lang) if len(found) > limit else ""),
              markup=False, highlight=False)
