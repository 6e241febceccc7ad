"""``timebank contribution reverse ID --reason ...``: undo an approved contribution from
the command line, as ``POST /contributions/{id}/reverse`` does over HTTP.

The idempotency key defaults to one derived from the id, so running the same command
twice reverses once and answers the same the second time.
"""

from __future__ import annotations

from datetime import date, datetime

import click
from rich.console import Console

from timebank.cli.guards import storable
from timebank.cli.idempotency import KEY, derived
from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang, say
from timebank.cli.reporting import COMMUNITY, common
from timebank.cli.tables import line, unit_name
from timebank.i18n import N_, translate

out = Console(soft_wrap=True)


@main.group("contribution")
def contribution() -> None:
    """Contributions (贡献记录): record one, undo an approved one."""


@contribution.command("reverse")
@COMMUNITY
@click.argument("contribution_id", type=click.IntRange(1, 2**62))
@click.option("--reason", required=True, help="Why it is undone (at most 500 characters).")
@click.option("--actor", default="cli", show_default=True, help="Who undoes it.")
@click.option("--key", default=None,
              help="Idempotency key (default: one per contribution id).")
@common
@click.pass_context
def reverse(ctx: click.Context, community: str, contribution_id: int, reason: str,
            actor: str, key: str | None, lang: str | None) -> None:
    """Reverse approved contribution ID: its award is taken back and it leaves the
    monthly totals (撤销已通过的贡献记录)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    done = open_bank(ctx).contributions.reverse(
        community, contribution_id, actor=actor, reason=reason,
        key=key or f"cli-reverse-contribution-{contribution_id}")
    out.print(say("contribution_reversed", lang, id=done.id, member=done.member,
                  rule=done.rule, points=done.points, unit=done.unit),
              markup=False, highlight=False)


RECORDED = N_("recorded contribution #{id} ({member}, {rule}): {status}, {points} {unit}")
CAPPED = N_("(points cut by the rule's cap)")
CLIPPED = N_("(quantity cut to the rule's maximum)")
FLAGGED = N_("flags: {flags} (look at it before approving)")
REPLAYED = N_("(the same contribution was already recorded: nothing written again; give "
              "--key to record the same again on purpose)")
STATUS = {"pending": N_("pending approval"), "approved": N_("approved"),
          "rejected": N_("rejected"), "reversed": N_("reversed")}


@contribution.command("record")
@COMMUNITY
@click.option("--member", required=True, help="The member's code.")
@click.option("--rule", required=True, help="A rule's code (see `timebank rules list`).")
@click.option("--quantity", default=None, help="Hours or items, e.g. 2 or 1.5.")
@click.option("--on", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The local day it happened (default: today).")
@click.option("--period", default=None, help="per_period rules: the period paid for.")
@click.option("--note", default="", help="A note for the approver.")
@click.option("--tag", "tags", multiple=True, help="e.g. blizzard (repeatable).")
@click.option("--recorded-by", default="cli", show_default=True,
              help="Who records it (another person approves it).")
@KEY
@common
@click.pass_context
@storable
def record(ctx: click.Context, community: str, member: str, rule: str,
           quantity: str | None, day: datetime | None, period: str | None, note: str,
           tags: tuple[str, ...], recorded_by: str, key: str | None,
           lang: str | None) -> None:
    """Record one contribution (录入贡献记录): rules that need approval leave it pending."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    occurred = (day.date() if day is not None else date.today())
    bank = open_bank(ctx)
    before = {c.id for c in bank.contributions.list(
        community, member=member, rule=rule, from_=occurred, to=occurred, limit=1000)}
    done = bank.contributions.record(
        community, member, rule, quantity=quantity, occurred_on=occurred, period=period,
        note=note, tags=tags, recorded_by=recorded_by,
        key=key or derived("contribution.record", community, member=member, rule=rule,
                           quantity=quantity, day=occurred.isoformat(), period=period,
                           note=note, tags=sorted(tags), recorded_by=recorded_by))
    line(lang, RECORDED, id=done.id, member=done.member, rule=done.rule,
         status=translate(STATUS.get(done.status, done.status), lang), points=done.points,
         unit=unit_name(done.unit, lang))
    if done.capped:
        line(lang, CAPPED)
    if done.clipped:
        line(lang, CLIPPED)
    if done.flags:
        line(lang, FLAGGED, flags=", ".join(done.flags))
    if done.id in before:
        line(lang, REPLAYED)
