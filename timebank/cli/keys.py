"""``timebank keys list|revoke``: the API keys given out, and taking one back.

A listing never shows a token (only its first characters, to tell keys apart). A revoked
key fails over HTTP from the next request on: the server reads the key on every request
(``webapi.auth.bearer_resolver``), so a revoke from this command needs no restart.
"""

from __future__ import annotations

import click

from timebank.cli.guards import storable
from timebank.cli.main import open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import common
from timebank.cli.serving import keys
from timebank.cli.tables import line, show
from timebank.i18n import N_, translate
from timebank.timeutil import local_text

HEADERS = (N_("id"), N_("role"), N_("community"), N_("member"), N_("holder"),
           N_("starts with"), N_("label"), N_("created"), N_("revoked"))
PLATFORM = N_("(platform)")
REVOKED = N_("revoked key #{id}: it no longer opens the HTTP API")


@keys.command("list")
@click.option("--community", default=None,
              help="Only this community's keys (default: every key, the platform's too).")
@click.option("--revoked", is_flag=True, help="List revoked keys too.")
@common
@click.pass_context
@storable
def keys_list(ctx: click.Context, community: str | None, revoked: bool,
              lang: str | None) -> None:
    """The keys given out, by id (never the keys themselves); times in the community's
    zone with --community, else in UTC."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    found = bank.keys.list(community=community, revoked=revoked)
    tz = bank.communities.get(community).timezone if community is not None else "UTC"
    show(lang, HEADERS, ((k.id, k.role, k.community or translate(PLATFORM, lang), k.member,
                          k.holder, f"{k.prefix}…", k.label, local_text(k.created_at, tz),
                          local_text(k.revoked_at, tz) if k.revoked_at else "")
                         for k in found))


@keys.command("revoke")
@click.argument("key_id", type=click.IntRange(1, 2**62))
@click.option("--community", default=None,
              help="Refuse unless the key is this community's.")
@common
@click.pass_context
@storable
def keys_revoke(ctx: click.Context, key_id: int, community: str | None,
                lang: str | None) -> None:
    """Revoke key ID (see `keys list`): the HTTP API refuses it from now on."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    open_bank(ctx).keys.revoke(key_id, community=community, check=True)
    line(lang, REVOKED, id=key_id)
