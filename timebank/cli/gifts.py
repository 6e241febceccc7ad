"""``timebank gift add|list|update|restock|correct``: the gift catalogue (礼品) from the
command line, as ``/gifts`` does over HTTP.

``add`` and ``restock`` take an idempotency key derived from their arguments (``--key``
overrides it): typing the same ``gift restock`` twice restocks once and says it was
already done; a second delivery of the same size is told apart by its reason
(``--reason "3月第2批"``) or a ``--key``. ``update`` and ``correct`` set values, which
is idempotent by itself, so they pass only an explicit ``--key``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from timebank.cli.guards import COUNT, storable
from timebank.cli.idempotency import KEY, SET_KEY, derived
from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import COMMUNITY, common
from timebank.cli.tables import line, per, show, unit_name
from timebank.domain.catalogue import PERIODS
from timebank.domain.gifts import Gift
from timebank.domain.ledger import UNITS
from timebank.i18n import N_, translate

DATE = click.DateTime(formats=["%Y-%m-%d"])
ADDED = N_("added gift {code} ({name}): {cost} {unit} each, {stock} in stock")
UPDATED = N_("updated gift {code} ({name}): {cost} {unit} each, {stock} in stock")
RESTOCKED = N_("restocked gift {gift}: {quantity} more, {stock} in stock now")
CORRECTED = N_("counted gift {gift}: stock set to {stock} ({change:+d})")
UNCHANGED = N_("counted gift {gift}: {stock} in stock, as the books say")
REPLAYED = N_("(the same command was already run: nothing written again; give --key to "
              "repeat it on purpose)")
NO_CHANGE = N_("name at least one field to change")
BOTH = N_("--clear {field} and a new value for it: give one of them")
BAD_PRICE = N_("{value!r} is not TAG:PERCENT (e.g. low_income:10)")
HEADERS = (N_("code"), N_("name"), N_("cost"), N_("unit"), N_("stock"), N_("from"),
           N_("until"), N_("minimum tier"), N_("limit per member"), N_("discounts"))
CLEARABLE = ("active_from", "active_until", "min_tier", "limit_per_member", "price_rules")


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def _discounts(values: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    """``--discount low_income:10`` as price rules (percent off for members so tagged)."""
    rules = []
    for value in values:
        tag, _, pct = value.rpartition(":")
        if not tag or not pct.strip().isdigit():
            raise click.BadParameter(translate(BAD_PRICE, lang, value=value),
                                     param_hint="--discount")
        rules.append({"tag": tag.strip(), "percent_off": int(pct)})
    return rules


def _limit(gift: Gift, lang: str) -> str:
    return "" if gift.limit_per_member is None else \
        per(gift.limit_per_member, gift.limit_period, lang)


def _rules(gift: Gift) -> str:
    return ", ".join(f"{r.tag} -{r.percent_off}%" if r.percent_off is not None
                     else f"{r.tag} {r.price}" for r in gift.price_rules)


def _name(gift: Gift, lang: str) -> str:
    return gift.name_en if lang == "en" and gift.name_en else gift.name


@main.group("gift")
def gift() -> None:
    """Gifts (礼品): the catalogue members redeem points for."""


@gift.command("add")
@click.argument("code")
@COMMUNITY
@click.option("--name", required=True, help="Name, e.g. 食用油 5L.")
@click.option("--name-en", default="", help="English name.")
@click.option("--cost", type=COUNT, required=True, help="Points (or minutes) per item.")
@click.option("--unit", type=click.Choice(UNITS), default="points", show_default=True,
              help="The unit of the cost.")
@click.option("--stock", type=COUNT, default=0, show_default=True, help="Opening stock.")
@click.option("--from", "active_from", type=DATE, default=None,
              help="First local day it is offered.")
@click.option("--until", "active_until", type=DATE, default=None,
              help="Last local day it is offered.")
@click.option("--min-tier", default=None, help="A tier code of the community's policy.")
@click.option("--limit-per-member", type=COUNT, default=None,
              help="At most this many per member per --limit-period.")
@click.option("--limit-period", type=click.Choice(PERIODS), default="month",
              show_default=True, help="The period --limit-per-member counts over.")
@click.option("--discount", "discounts", multiple=True,
              help="TAG:PERCENT off for members with that tag (repeatable).")
@click.option("--actor", default="cli", show_default=True, help="Who makes the change.")
@KEY
@common
@click.pass_context
@storable
def gift_add(ctx: click.Context, code: str, community: str, name: str, name_en: str,
             cost: int, unit: str, stock: int, active_from: datetime | None,
             active_until: datetime | None, min_tier: str | None,
             limit_per_member: int | None, limit_period: str, discounts: tuple[str, ...],
             actor: str, key: str | None, lang: str | None) -> None:
    """Add gift CODE to the catalogue."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    args: dict[str, Any] = {
        "code": code, "name": name, "name_en": name_en, "cost": cost, "unit": unit,
        "stock": stock, "active_from": _day(active_from), "active_until": _day(active_until),
        "min_tier": min_tier, "limit_per_member": limit_per_member,
        "limit_period": limit_period, "price_rules": _discounts(discounts, lang)}
    done = open_bank(ctx).gifts.create(
        community, actor=actor, key=key or derived("gift.add", community, **args), **args)
    line(lang, ADDED, code=done.code, name=_name(done, lang), cost=done.cost,
         unit=unit_name(done.unit, lang), stock=done.stock)


@gift.command("list")
@COMMUNITY
@click.option("--active-on", type=DATE, default=None,
              help="Only gifts offered on this local day.")
@common
@click.pass_context
@storable
def gift_list(ctx: click.Context, community: str, active_on: datetime | None,
              lang: str | None) -> None:
    """The catalogue by code, with stock, prices and limits."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    gifts = open_bank(ctx).gifts.catalogue(
        community, active_on=active_on.date() if active_on else None)
    show(lang, HEADERS, ((g.code, _name(g, lang), g.cost, unit_name(g.unit, lang), g.stock,
                          g.active_from, g.active_until, g.min_tier, _limit(g, lang),
                          _rules(g)) for g in gifts))


@gift.command("update")
@click.argument("code")
@COMMUNITY
@click.option("--name", default=None, help="Name, e.g. 食用油 5L.")
@click.option("--name-en", default=None, help="English name.")
@click.option("--cost", type=COUNT, default=None, help="Points (or minutes) per item.")
@click.option("--unit", type=click.Choice(UNITS), default=None,
              help="The unit of the cost.")
@click.option("--from", "active_from", type=DATE, default=None,
              help="First local day it is offered.")
@click.option("--until", "active_until", type=DATE, default=None,
              help="Last local day it is offered.")
@click.option("--min-tier", default=None, help="A tier code of the community's policy.")
@click.option("--limit-per-member", type=COUNT, default=None,
              help="At most this many per member per --limit-period.")
@click.option("--limit-period", type=click.Choice(PERIODS), default=None,
              help="The period --limit-per-member counts over.")
@click.option("--discount", "discounts", multiple=True,
              help="TAG:PERCENT off (repeatable; replaces the gift's discounts).")
@click.option("--clear", "cleared", multiple=True, type=click.Choice(CLEARABLE),
              help="Remove a field's value (repeatable).")
@click.option("--actor", default="cli", show_default=True, help="Who makes the change.")
@SET_KEY
@common
@click.pass_context
@storable
def gift_update(ctx: click.Context, code: str, community: str, cleared: tuple[str, ...],
                discounts: tuple[str, ...], actor: str, key: str | None, lang: str | None,
                active_from: datetime | None, active_until: datetime | None,
                **values: Any) -> None:
    """Change the named fields of gift CODE only (stock moves by restock and correct)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    changes: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
    for name, value in (("active_from", active_from), ("active_until", active_until)):
        if value is not None:
            changes[name] = _day(value)
    if discounts:
        changes["price_rules"] = _discounts(discounts, lang)
    for name in cleared:
        if name in changes:
            raise click.UsageError(translate(BOTH, lang, field=name))
        changes[name] = [] if name == "price_rules" else None
    if not changes:
        raise click.UsageError(translate(NO_CHANGE, lang))
    # Setting values is idempotent by itself, and a key derived from them would turn
    # "cost 8, cost 10, cost 8 again" into a replay: only an explicit --key is passed.
    done = open_bank(ctx).gifts.update(community, code, changes, actor=actor, key=key)
    line(lang, UPDATED, code=done.code, name=_name(done, lang), cost=done.cost,
         unit=unit_name(done.unit, lang), stock=done.stock)


def _seen(bank: Any, community: str, code: str) -> set[int]:
    return {m.id for m in bank.gifts.movements(community, code)}


@gift.command("restock")
@click.argument("code")
@COMMUNITY
@click.option("--quantity", type=COUNT, required=True, help="How many items came in.")
@click.option("--reason", required=True, help="e.g. the delivery: 3月第2批.")
@click.option("--actor", default="cli", show_default=True, help="Who makes the change.")
@KEY
@common
@click.pass_context
@storable
def gift_restock(ctx: click.Context, code: str, community: str, quantity: int, reason: str,
                 actor: str, key: str | None, lang: str | None) -> None:
    """Add items to gift CODE's stock, recorded with the reason."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    before = _seen(bank, community, code)
    done = bank.gifts.restock(
        community, code, quantity, reason=reason, actor=actor,
        key=key or derived("gift.restock", community, code=code, quantity=quantity,
                           reason=reason))
    line(lang, RESTOCKED, gift=done.gift, quantity=done.quantity, stock=done.stock_after)
    if done.movement_id in before:
        line(lang, REPLAYED)


@gift.command("correct")
@click.argument("code")
@COMMUNITY
@click.option("--counted", type=COUNT, required=True, help="The items counted on the shelf.")
@click.option("--reason", required=True, help="e.g. 月末盘点.")
@click.option("--actor", default="cli", show_default=True, help="Who makes the change.")
@SET_KEY
@common
@click.pass_context
@storable
def gift_correct(ctx: click.Context, code: str, community: str, counted: int, reason: str,
                 actor: str, key: str | None, lang: str | None) -> None:
    """A stocktake: set gift CODE's stock to what was counted, the difference recorded."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    before = _seen(bank, community, code)
    # A count sets the stock, so typing it twice changes nothing the second time; a key
    # derived from it would wrongly skip the same count a week later: only --key is used.
    done = bank.gifts.correct(community, code, counted, reason=reason, actor=actor, key=key)
    if done.movement_id is None:
        line(lang, UNCHANGED, gift=done.gift, stock=done.stock_after)
        return
    line(lang, CORRECTED, gift=done.gift, stock=done.stock_after, change=done.quantity)
    if done.movement_id in before:
        line(lang, REPLAYED)
