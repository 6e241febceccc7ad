"""``timebank service-day create|close|summary``: a service day (服务日 / 兑换日) at the
desk, as ``POST /service-days`` and ``GET /service-days/{code}/summary`` do over HTTP.

A day's code is unique in its community, so creating it twice is refused (exit 2). The
summary ends with the stock reconciliation (账物相符): ``opening + restocked - handed
out = closing`` for every gift; ``summary`` exits 1 when a gift's stock does not balance.
"""

from __future__ import annotations

import sys
from datetime import datetime

import click

from timebank.cli.guards import storable
from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.redemptions import status_name
from timebank.cli.reporting import COMMUNITY, common
from timebank.cli.tables import line, show, unit_name
from timebank.domain.service_days import ServiceDaySummary
from timebank.i18n import N_, translate

CREATED = N_("opened service day {code} ({name}) on {day}")
CLOSED = N_("closed service day {code}: held redemptions released, closing stock counted")
DAY = N_("service day {code} ({name}), {day}: {status}")
STATUS = {"open": N_("open"), "closed": N_("closed")}
REDEMPTIONS = N_("redemptions: {counts}")
SPENT = N_("spent: {totals}")
BALANCED = N_("stock balanced: opening + restocked - handed out = closing for every gift")
UNBALANCED = N_("stock does NOT balance for: {gifts} (moved outside the books?)")
HANDED_TITLE = N_("handed out")
STOCK_TITLE = N_("stock")
HANDED = (N_("gift"), N_("quantity"), N_("points"))
STOCK = (N_("gift"), N_("opening"), N_("restocked"), N_("handed out"), N_("closing"),
         N_("balanced"))


@main.group("service-day")
def service_day() -> None:
    """Service days (服务日): open one, close it, and count what it handed out."""


@service_day.command("create")
@click.argument("code")
@COMMUNITY
@click.option("--name", required=True, help="e.g. 三月兑换日.")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="The local day, YYYY-MM-DD.")
@common
@click.pass_context
@storable
def create(ctx: click.Context, code: str, community: str, name: str, day: datetime,
           lang: str | None) -> None:
    """Open service day CODE: redemptions may name it until it is closed."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    opened = open_bank(ctx).service_days.open(community, code, name=name, day=day.date())
    line(lang, CREATED, code=opened.code, name=opened.name, day=opened.day)


@service_day.command("close")
@click.argument("code")
@COMMUNITY
@click.option("--actor", default="cli", show_default=True, help="Who closes it.")
@common
@click.pass_context
@storable
def close(ctx: click.Context, code: str, community: str, actor: str,
          lang: str | None) -> None:
    """Close service day CODE and print its summary."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    done = open_bank(ctx).service_days.close(community, code, actor=actor)
    line(lang, CLOSED, code=code)
    _print(done, lang)


@service_day.command("summary")
@click.argument("code")
@COMMUNITY
@common
@click.pass_context
@storable
def summary(ctx: click.Context, code: str, community: str, lang: str | None) -> None:
    """What service day CODE handed out, and its stock reconciled (账物相符)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    _print(open_bank(ctx).service_days.summary(community, code), lang)


def _print(done: ServiceDaySummary, lang: str) -> None:
    day = done.day
    line(lang, DAY, code=day.code, name=day.name, day=day.day,
         status=translate(STATUS.get(day.status, day.status), lang))
    counts = ", ".join(f"{status_name(status, lang)} {n}"
                       for status, n in sorted(done.redemptions.items()))
    line(lang, REDEMPTIONS, counts=counts or "0")
    totals = ", ".join(f"{n} {unit_name(unit, lang)}" for unit, n in sorted(done.spent.items()))
    line(lang, SPENT, totals=totals or "0")
    show(lang, HANDED, ((h.gift, h.quantity, h.points) for h in done.handed_out),
         title=HANDED_TITLE)
    show(lang, STOCK, ((s.gift, s.opening, s.restocked, s.handed_out, s.closing, s.balanced)
                       for s in done.stock), title=STOCK_TITLE)
    if done.balanced:
        line(lang, BALANCED)
        return
    line(lang, UNBALANCED, gifts=", ".join(s.gift for s in done.stock if not s.balanced))
    sys.exit(1)
