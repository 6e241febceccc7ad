"""``timebank member list``: the community's members by code, optionally those living in
a unit (or below it), holding a role or tag, or serving in a team, as ``GET /members``
does over HTTP. ``member add`` and ``member show`` live in ``cli/reporting.py``.
"""

from __future__ import annotations

import click

from timebank.cli.guards import storable
from timebank.cli.main import open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import COMMUNITY, common, member
from timebank.cli.tables import show
from timebank.i18n import N_

HEADERS = (N_("code"), N_("name"), N_("phone"), N_("card"), N_("roles"), N_("unit"),
           N_("teams"))


@member.command("list")
@COMMUNITY
@click.option("--unit", default=None, help="Only members living in this unit or below it.")
@click.option("--role", default=None, help="Only members with this role, e.g. volunteer.")
@click.option("--team", default=None, help="Only members of this team (its code).")
@click.option("--tag", default=None, help="Only members with this tag, e.g. low_income.")
@click.option("--after", default=None, help="Start after this member code (next page).")
@click.option("--limit", type=click.IntRange(1, 1000), default=200, show_default=True,
              help="At most this many.")
@common
@click.pass_context
@storable
def member_list(ctx: click.Context, community: str, unit: str | None, role: str | None,
                team: str | None, tag: str | None, after: str | None, limit: int,
                lang: str | None) -> None:
    """The community's members by code."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    found = open_bank(ctx).members.list(community, unit=unit, role=role, team=team, tag=tag,
                                        after=after, limit=limit)
    show(lang, HEADERS, ((m.code, m.name, m.phone, m.card, ", ".join(m.roles), m.unit,
                          ", ".join(m.teams)) for m in found))
