"""``honour list|propose|approve``: honour hours (荣誉时长) from the command line, as
``GET /honours``, ``POST /honours`` and ``POST /honours/{id}/approve`` do over HTTP.

Writes take an idempotency key derived from their arguments (or ``--key``), so running
the same command twice proposes or approves once.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import click
from rich.console import Console
from rich.table import Table

from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import COMMUNITY, common
from timebank.domain.certificates import Honour
from timebank.i18n import N_, translate

out = Console(soft_wrap=True)

HEADERS = (N_("id"), N_("status"), N_("activity day"), N_("rule"), N_("minutes"),
           N_("participants"), N_("reason"), N_("proposed by"), N_("approved by"))
STATUS = {"pending": N_("pending approval"), "approved": N_("approved")}
NONE_FOUND = N_("no honour hours match.")
PROPOSED = N_("honour #{id}: {minutes} minutes each for {members} ({rule}, {day}), "
              "{status}")


def _derived(*parts: object) -> str:
    text = json.dumps(parts, ensure_ascii=False, default=str, sort_keys=True)
    return "cli-honour-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _said(honour: Honour, lang: str) -> str:
    return translate(PROPOSED, lang, id=honour.id, minutes=honour.minutes,
                     members=", ".join(honour.members), rule=honour.rule,
                     day=honour.activity_date.isoformat(),
                     status=translate(STATUS.get(honour.status, honour.status), lang))


@main.group("honour")
def honour() -> None:
    """Honour hours (荣誉时长): list, propose, approve."""


@honour.command("list")
@COMMUNITY
@click.option("--status", type=click.Choice(["pending", "approved"]), default=None,
              help="Only honours in this state.")
@click.option("--member", default=None, help="Only honours naming this participant.")
@click.option("--rule", default=None, help="Only honours of this rule.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First activity day (YYYY-MM-DD).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last activity day (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="At most this many.")
@common
@click.pass_context
def list_honours(ctx: click.Context, community: str, status: str | None,
                 member: str | None, rule: str | None, start: datetime | None,
                 end: datetime | None, limit: int, lang: str | None) -> None:
    """List honour hours by id, pending and approved (荣誉时长列表)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    found = open_bank(ctx).certificates.honours(
        community, status=status, member=member, rule=rule,
        from_=start.date() if start else None, to=end.date() if end else None, limit=limit)
    if not found:
        out.print(translate(NONE_FOUND, lang), markup=False, highlight=False)
        return
    table = Table()
    for header in HEADERS:  # wrapped, never cut: a narrow terminal still shows it all
        table.add_column(translate(header, lang), overflow="fold")
    for h in found:
        table.add_row(str(h.id), translate(STATUS.get(h.status, h.status), lang),
                      h.activity_date.isoformat(), h.rule, str(h.minutes),
                      ", ".join(h.members), h.reason, h.proposed_by, h.approved_by or "")
    out.print(table)


@honour.command("propose")
@COMMUNITY
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The activity's local day (YYYY-MM-DD).")
@click.option("--rule", required=True, help="The activity's service rule.")
@click.option("--member", "members", multiple=True, required=True,
              help="A participant's code (repeat for each).")
@click.option("--minutes", type=click.IntRange(1, 1440), required=True,
              help="Honour minutes for each participant.")
@click.option("--reason", required=True, help="Why (at most 500 characters).")
@click.option("--by", "actor", default="cli", show_default=True, help="Who proposes them.")
@click.option("--key", default=None, help="Idempotency key (default: from the arguments).")
@common
@click.pass_context
def propose(ctx: click.Context, community: str, day: datetime, rule: str,
            members: tuple[str, ...], minutes: int, reason: str, actor: str,
            key: str | None, lang: str | None) -> None:
    """Propose honour minutes for an activity's participants; a second person approves
    them (提出荣誉时长)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    done = open_bank(ctx).certificates.propose_honour(
        community, day.date(), rule, list(members), minutes, reason, actor=actor,
        key=key or _derived("propose", community, day.date(), rule, sorted(members),
                            minutes, reason, actor))
    out.print(_said(done, lang), markup=False, highlight=False)


@honour.command("approve")
@COMMUNITY
@click.argument("honour_id", type=click.IntRange(1, 2**62))
@click.option("--by", "approver", required=True,
              help="Who approves (not the one who proposed them).")
@click.option("--key", default=None, help="Idempotency key (default: from the arguments).")
@common
@click.pass_context
def approve(ctx: click.Context, community: str, honour_id: int, approver: str,
            key: str | None, lang: str | None) -> None:
    """Approve proposed honour hours HONOUR_ID (批准荣誉时长)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    done = open_bank(ctx).certificates.approve_honour(
        community, honour_id, approver=approver,
        key=key or _derived("approve", community, honour_id, approver))
    out.print(_said(done, lang), markup=False, highlight=False)


__all__ = ["honour"]
