"""``request ...`` and ``offer ...``: the exchange (互助) at the community office.

A clerk posts a request for an elder, records who took it, confirms the minutes (or
settles a dispute), and lists offers by category and building. Writes take ``--key``
(an idempotency key; a fresh one is made and printed when it is left out, so a retyped
command can be replayed safely with the printed key).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from timebank.cli.main import db_option, lang_of, lang_option, main, open_bank
from timebank.i18n import N_, translate

out = Console()
TEXT = {  # catalogue ids
    "posted": N_("request #{id} posted, {minutes} minutes held (payer {payer})"),
    "state": N_("request #{id}: {status}; volunteers {volunteers}"),
    "paid": N_("request #{id} done: {minutes} minutes paid, {released} released "
               "(entry {entry})"),
    "expired": N_("{n} requests expired"),
    "expired_in": N_("{community}: {n} open request(s) past their date expired, their "
                     "minutes released"),
    "would_expire_in": N_("{community}: {n} open request(s) past their date would expire"),
    "offer": N_("offer #{id} ({member}, {category}): {status}"),
    "key": N_("idempotency key: {key}"),
}
REQUEST_COLUMNS = (N_("id"), N_("status"), N_("member"), N_("title"), N_("category"),
                   N_("minutes"), N_("needed_on"), N_("volunteers"), N_("matches"))
OFFER_COLUMNS = (N_("id"), N_("member"), N_("category"), N_("text"), N_("availability"),
                 N_("grid/building"))


def say(ctx: click.Context, name: str, **values: Any) -> None:
    out.print(translate(TEXT[name], lang_of(ctx), **values), markup=False)


def _key(ctx: click.Context, key: str | None) -> str:
    if key is None:
        key = f"cli-{uuid.uuid4().hex}"
        say(ctx, "key", key=key)
    return key


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def expire_requests(bank: Any, community: str, day: date, lang: str, *,
                    dry_run: bool = False) -> str:
    """For ``timebank expire``: expire the open requests needed before ``day`` (or, on a
    dry run, count them) and say how many."""
    if dry_run:
        return translate(TEXT["would_expire_in"], lang, community=community,
                         n=len(bank.requests.due(community, day)))
    ids = bank.requests.expire(community, today=day, actor="cli")
    return translate(TEXT["expired_in"], lang, community=community, n=len(ids))


def common(fn: Any) -> Any:
    fn = click.option("--community", "code", required=True, help="Community code.")(fn)
    return db_option(lang_option(click.pass_context(fn)))


def keyed(fn: Any) -> Any:
    return click.option("--key", default=None, help="Idempotency key of this write.")(fn)


@main.group()
def request() -> None:
    """Requests between members (互助需求)."""


@request.command("post")
@common
@keyed
@click.option("--member", required=True, help="The member served.")
@click.option("--title", required=True, help="What is needed, in a few words.")
@click.option("--category", required=True, help="A code of `timebank request categories`.")
@click.option("--minutes", type=int, required=True, help="Estimated minutes (held now).")
@click.option("--needed-on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day it is needed (YYYY-MM-DD).")
@click.option("--place", default="", help="Where (an address or a building).")
@click.option("--pool", is_flag=True, help="Paid from the community's donation pool.")
@click.option("--volunteers", type=int, default=1, help="A group job: up to N volunteers.")
def post(ctx: click.Context, code: str, key: str | None, member: str, title: str,
         category: str, minutes: int, needed_on: datetime | None, place: str, pool: bool,
         volunteers: int) -> None:
    """Post a request for a member and hold its minutes."""
    r = open_bank(ctx).requests.post(
        code, member, title, category, minutes, key=_key(ctx, key), needed_on=_day(needed_on),
        place=place, funded_by="pool" if pool else "member", max_volunteers=volunteers,
        actor="cli")
    say(ctx, "posted", id=r.id, minutes=r.minutes_held, payer=r.payer)


def _state(ctx: click.Context, r: Any) -> None:
    say(ctx, "state", id=r.id, status=r.status, volunteers=", ".join(r.volunteers) or "-")


@request.command("claim")
@common
@click.argument("request_id", type=int)
@click.option("--member", required=True, help="The volunteer.")
def claim(ctx: click.Context, code: str, request_id: int, member: str) -> None:
    """Record that a volunteer took the request (接单)."""
    _state(ctx, open_bank(ctx).requests.claim(code, request_id, member, actor="cli"))


@request.command("withdraw")
@common
@click.argument("request_id", type=int)
@click.option("--member", required=True, help="The volunteer giving the claim back.")
def withdraw(ctx: click.Context, code: str, request_id: int, member: str) -> None:
    """A volunteer gives the claim back."""
    _state(ctx, open_bank(ctx).requests.withdraw(code, request_id, member, actor="cli"))


@request.command("confirm")
@common
@keyed
@click.argument("request_id", type=int)
@click.option("--minutes", type=int, required=True, help="The real minutes.")
def confirm(ctx: click.Context, code: str, key: str | None, request_id: int,
            minutes: int) -> None:
    """Confirm the minutes for the requester: they move to the volunteer(s)."""
    s = open_bank(ctx).requests.confirm(code, request_id, minutes, key=_key(ctx, key),
                                        actor="cli")
    say(ctx, "paid", id=s.id, minutes=s.minutes, released=s.released, entry=s.entry_id)


@request.command("dispute")
@common
@click.argument("request_id", type=int)
@click.option("--reason", required=True, help="Why (kept in the request's history).")
def dispute(ctx: click.Context, code: str, request_id: int, reason: str) -> None:
    """Record the requester's dispute."""
    _state(ctx, open_bank(ctx).requests.dispute(code, request_id, reason, actor="cli"))


@request.command("settle")
@common
@keyed
@click.argument("request_id", type=int)
@click.option("--minutes", type=int, required=True, help="0 to the estimate.")
@click.option("--reason", required=True, help="Why (kept in the request's history).")
def settle(ctx: click.Context, code: str, key: str | None, request_id: int, minutes: int,
           reason: str) -> None:
    """Settle a dispute (the community office)."""
    s = open_bank(ctx).requests.settle(code, request_id, minutes, reason,
                                       key=_key(ctx, key), actor="cli")
    say(ctx, "paid", id=s.id, minutes=s.minutes, released=s.released, entry=s.entry_id)


@request.command("cancel")
@common
@click.argument("request_id", type=int)
@click.option("--reason", required=True, help="Why (kept in the request's history).")
def cancel(ctx: click.Context, code: str, request_id: int, reason: str) -> None:
    """Cancel a request; its minutes go back."""
    _state(ctx, open_bank(ctx).requests.cancel(code, request_id, reason, actor="cli"))


@request.command("expire")
@common
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Expire as of this local day (default: today).")
def expire(ctx: click.Context, code: str, today: datetime | None) -> None:
    """Expire open requests past their date; their minutes go back."""
    ids = open_bank(ctx).requests.expire(code, today=_day(today), actor="cli")
    say(ctx, "expired", n=len(ids))


@request.command("list")
@common
@click.option("--status", default=None, help="Only requests in this state.")
@click.option("--category", default=None, help="Only this category.")
@click.option("--member", default=None, help="Only requests posted by this member.")
@click.option("--unit", default=None, help="Requesters living under this grid/building.")
def list_requests(ctx: click.Context, code: str, **filters: Any) -> None:
    """Requests (open ones by date, with the nearest offers)."""
    lang = lang_of(ctx)
    table = Table(*(translate(h, lang) for h in REQUEST_COLUMNS))
    for r in open_bank(ctx).requests.find(code, limit=1000, **filters):
        table.add_row(str(r.id), r.status, r.member, r.title, r.category, str(r.minutes),
                      str(r.needed_on or ""), ", ".join(r.volunteers),
                      ", ".join(f"{o.member}#{o.id}" for o in r.matches))
    out.print(table)


@request.command("show")
@common
@click.argument("request_id", type=int)
def show(ctx: click.Context, code: str, request_id: int) -> None:
    """One request with its history."""
    r = open_bank(ctx).requests.get(code, request_id)
    _state(ctx, r)
    for e in r.history:
        out.print(f"{e.at:%Y-%m-%d %H:%M} {e.kind} {e.member or ''} "
                  f"{e.minutes if e.minutes is not None else ''} {e.reason}", markup=False)


@request.command("categories")
@common
def categories(ctx: click.Context, code: str) -> None:
    """The community's request categories."""
    for c in open_bank(ctx).requests.categories(code):
        out.print(f"{c.code}\t{c.name_zh}\t{c.name_en}", markup=False)


@main.group()
def offer() -> None:
    """What members can do for neighbours (服务项目)."""


@offer.command("add")
@common
@click.option("--member", required=True, help="The member who offers.")
@click.option("--category", required=True, help="The offer's category.")
@click.option("--text", required=True, help="What the member offers to do.")
@click.option("--availability", default="", help="When the member is available.")
def add_offer(ctx: click.Context, code: str, member: str, category: str, text: str,
              availability: str) -> None:
    """List what a member can do."""
    o = open_bank(ctx).offers.add(code, member, category, text, availability)
    say(ctx, "offer", id=o.id, member=o.member, category=o.category, status=o.status)


@offer.command("withdraw")
@common
@click.argument("offer_id", type=int)
def withdraw_offer(ctx: click.Context, code: str, offer_id: int) -> None:
    """Take an offer off the list."""
    o = open_bank(ctx).offers.withdraw(code, offer_id)
    say(ctx, "offer", id=o.id, member=o.member, category=o.category, status=o.status)


@offer.command("list")
@common
@click.option("--category", default=None, help="Only this category.")
@click.option("--unit", default=None, help="Offerers living under this grid/building.")
def list_offers(ctx: click.Context, code: str, **filters: Any) -> None:
    """Listed offers, by category and unit."""
    lang = lang_of(ctx)
    table = Table(*(translate(h, lang) for h in OFFER_COLUMNS))
    for o in open_bank(ctx).offers.find(code, limit=1000, **filters):
        table.add_row(str(o.id), o.member, o.category, o.text, o.availability, o.unit or "")
    out.print(table)
