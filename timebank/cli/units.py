"""``timebank unit add|list``: the community's org units (grids, buildings, households,
teams) from the command line, as ``POST /units`` and ``GET /units`` do over HTTP.

A unit's code is unique in its community, so adding the same unit twice is refused
(exit 2) rather than made twice.
"""

from __future__ import annotations

import click

from timebank.cli.guards import storable
from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import COMMUNITY, common
from timebank.cli.tables import line, show
from timebank.domain.members import KINDS
from timebank.i18n import N_, translate

ADDED = N_("added {kind} {code} ({name}){under}")
UNDER = N_(" under {parent}")
KIND_NAMES = {"grid": N_("grid"), "building": N_("building"), "household": N_("household"),
              "team": N_("team")}
HEADERS = (N_("code"), N_("name"), N_("kind"), N_("parent"), N_("path"))


@main.group("unit")
def unit() -> None:
    """Org units (组织单元): grids, buildings, households and teams."""


@unit.command("add")
@click.argument("code")
@COMMUNITY
@click.option("--name", required=True, help="Display name, e.g. 3号楼.")
@click.option("--kind", required=True, type=click.Choice(KINDS),
              help="grid, building (under a grid), household (under a building) or team.")
@click.option("--parent", default=None, help="The code of the unit above (none for a grid).")
@common
@click.pass_context
@storable
def unit_add(ctx: click.Context, code: str, community: str, name: str, kind: str,
             parent: str | None, lang: str | None) -> None:
    """Add unit CODE to a community."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    added = open_bank(ctx).units.create(community, code, name, kind, parent)
    line(lang, ADDED, kind=translate(KIND_NAMES[added.kind], lang), code=added.code,
         name=added.name,
         under=translate(UNDER, lang, parent=added.parent) if added.parent else "")


@unit.command("list")
@COMMUNITY
@click.option("--kind", default=None, type=click.Choice(KINDS), help="Only units of this kind.")
@click.option("--under", default=None, help="Only units below this unit (its code).")
@common
@click.pass_context
@storable
def unit_list(ctx: click.Context, community: str, kind: str | None, under: str | None,
              lang: str | None) -> None:
    """The community's units in tree order."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    units = open_bank(ctx).units.list(community, kind=kind, under=under)
    show(lang, HEADERS, ((u.code, u.name, translate(KIND_NAMES[u.kind], lang), u.parent,
                          u.path) for u in units))
