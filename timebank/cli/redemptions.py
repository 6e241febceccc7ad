"""``timebank redeem`` and ``timebank redemption list|fulfil|cancel|return``: gifts for
points at the desk (兑换), as ``/redemptions`` does over HTTP.

``timebank redeem --community sjhy --member m1 --gift oil --gift rice:2`` spends at once;
``--hold`` reserves points and stock until ``redemption fulfil`` or ``cancel``. The
idempotency key is derived from the arguments and the day (``--key`` overrides it): the
same command typed twice the same day redeems once and says so, so a second identical
redemption on purpose needs its own ``--key``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from timebank.cli.guards import MAX_COUNT, storable
from timebank.cli.idempotency import KEY, derived
from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import COMMUNITY, common
from timebank.cli.tables import line, show, unit_name
from timebank.domain.catalogue import STATUSES
from timebank.domain.redemptions import Redemption
from timebank.i18n import N_, translate

STATUS = {"held": N_("held"), "fulfilled": N_("fulfilled"), "cancelled": N_("cancelled"),
          "returned": N_("returned")}
DONE = N_("redemption #{id} (receipt {receipt}) for {member}: {status}, {total} {unit}; "
          "available after: {balance}")
REPLAYED = N_("(the same redemption was already made today: nothing taken again; give "
              "--key to redeem the same again on purpose)")
BAD_ITEM = N_("{value!r} is not GIFT or GIFT:QUANTITY (e.g. oil:2)")
ITEMS = (N_("gift"), N_("quantity"), N_("unit price"), N_("total"))
LISTING = (N_("id"), N_("receipt"), N_("member"), N_("status"), N_("total"), N_("unit"),
           N_("service day"), N_("items"))


def status_name(status: str, lang: str) -> str:
    return translate(STATUS[status], lang) if status in STATUS else status


def _items(values: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    items = []
    for value in values:
        gift, sep, qty = value.partition(":")
        if not gift.strip() or (sep and not (qty.strip().isdigit()
                                             and int(qty) <= MAX_COUNT)):
            raise click.BadParameter(translate(BAD_ITEM, lang, value=value),
                                     param_hint="--gift")
        items.append({"gift": gift.strip(), "quantity": int(qty) if sep else 1})
    return items


def _print(done: Redemption, lang: str) -> None:
    line(lang, DONE, id=done.id, receipt=done.receipt, member=done.member,
         status=status_name(done.status, lang), total=done.total,
         unit=unit_name(done.unit, lang),
         balance=done.balance_after)
    show(lang, ITEMS, ((i.gift, i.quantity, i.unit_price, i.total) for i in done.items))


@main.command("redeem")
@COMMUNITY
@click.option("--member", required=True, help="The member's code.")
@click.option("--gift", "gifts", multiple=True, required=True,
              help="GIFT or GIFT:QUANTITY (repeatable).")
@click.option("--service-day", default=None, help="The open service day it belongs to.")
@click.option("--hold", is_flag=True,
              help="Reserve points and stock until `redemption fulfil` (or cancel).")
@click.option("--actor", default="cli", show_default=True, help="Who serves at the desk.")
@KEY
@common
@click.pass_context
@storable
def redeem(ctx: click.Context, community: str, member: str, gifts: tuple[str, ...],
           service_day: str | None, hold: bool, actor: str, key: str | None,
           lang: str | None) -> None:
    """Redeem gifts for a member (兑换): points spent and stock handed out at once."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    items = _items(gifts, lang)
    bank = open_bank(ctx)
    newest = bank.redemptions.find(community, member=member, limit=1)
    done = bank.redemptions.redeem(
        community, member, items, hold=hold, service_day=service_day, actor=actor,
        key=key or derived("redeem", community, member=member, items=items, hold=hold,
                           service_day=service_day, day=date.today().isoformat()))
    _print(done, lang)
    if newest and done.id <= newest[0].id:
        line(lang, REPLAYED)


@main.group("redemption")
def redemption() -> None:
    """Redemptions (兑换记录): list them, hand over or cancel a held one, take one back."""


@redemption.command("list")
@COMMUNITY
@click.option("--member", default=None, help="One member's (code).")
@click.option("--status", type=click.Choice(STATUSES), default=None,
              help="Only redemptions in this state.")
@click.option("--service-day", default=None, help="One service day's (code).")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="At most this many.")
@common
@click.pass_context
@storable
def redemption_list(ctx: click.Context, community: str, member: str | None,
                    status: str | None, service_day: str | None, limit: int,
                    lang: str | None) -> None:
    """Redemptions, newest first."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    found = open_bank(ctx).redemptions.find(community, member=member, status=status,
                                            service_day=service_day, limit=limit)
    show(lang, LISTING, ((r.id, r.receipt, r.member, status_name(r.status, lang), r.total,
                          unit_name(r.unit, lang), r.service_day,
                          ", ".join(f"{i.gift}×{i.quantity}" for i in r.items))
                         for r in found))


REDEMPTION_ID = click.argument("redemption_id", type=click.IntRange(1, 2**62))
ACTOR = click.option("--actor", default="cli", show_default=True, help="Who does it.")


@redemption.command("fulfil")
@REDEMPTION_ID
@COMMUNITY
@ACTOR
@KEY
@common
@click.pass_context
@storable
def fulfil(ctx: click.Context, redemption_id: int, community: str, actor: str,
           key: str | None, lang: str | None) -> None:
    """Hand over held redemption ID: its points are spent (at most once)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    _print(open_bank(ctx).redemptions.fulfil(
        community, redemption_id, actor=actor,
        key=key or derived("redemption.fulfil", community, id=redemption_id)), lang)


@redemption.command("cancel")
@REDEMPTION_ID
@COMMUNITY
@ACTOR
@KEY
@common
@click.pass_context
@storable
def cancel(ctx: click.Context, redemption_id: int, community: str, actor: str,
           key: str | None, lang: str | None) -> None:
    """Cancel held redemption ID: its points and stock go back (at most once)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    _print(open_bank(ctx).redemptions.cancel(
        community, redemption_id, actor=actor,
        key=key or derived("redemption.cancel", community, id=redemption_id)), lang)


@redemption.command("return")
@REDEMPTION_ID
@COMMUNITY
@click.option("--reason", required=True, help="Why the gift came back.")
@ACTOR
@KEY
@common
@click.pass_context
@storable
def return_(ctx: click.Context, redemption_id: int, community: str, reason: str,
            actor: str, key: str | None, lang: str | None) -> None:
    """Take back fulfilled redemption ID: its spend is reversed, the items go back."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    _print(open_bank(ctx).redemptions.return_redemption(
        community, redemption_id, reason=reason, actor=actor,
        key=key or derived("redemption.return", community, id=redemption_id)), lang)
