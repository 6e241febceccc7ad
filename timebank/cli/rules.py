"""``timebank rules list|show``: the community's rules in force (积分规则), as ``GET /rules``
and ``GET /rules/{code}`` do over HTTP; ``show`` adds every version of the rule.

Changing a rule stays a rulebook's (``timebank rulebook install``) or an integrator's
(``PUT /rules/{code}``) act: these commands only read.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import click

from timebank.cli.guards import storable
from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang
from timebank.cli.reporting import COMMUNITY, common
from timebank.cli.tables import line, per, show, unit_name
from timebank.domain.rule_versions import BEGINNING
from timebank.domain.rules import Rule
from timebank.i18n import N_, translate

BASIS = {"per_hour": N_("per hour"), "per_item": N_("per item"),
         "per_occurrence": N_("per occurrence"), "per_period": N_("per period")}
LISTING = (N_("code"), N_("name"), N_("unit"), N_("basis"), N_("rate"), N_("caps"),
           N_("needs approval"), N_("in force from"))
VERSIONS = (N_("in force from"), N_("basis"), N_("rate"), N_("caps"), N_("needs approval"))
VERSIONS_TITLE = N_("versions of rule {code}")
FIELDS = {
    "code": N_("code"), "name": N_("name"), "unit": N_("unit"), "basis": N_("basis"),
    "rate": N_("rate"), "caps": N_("caps"), "approval": N_("needs approval"),
    "from": N_("in force from"), "eligible": N_("who may earn it"),
    "min_max": N_("quantity from … to"), "multipliers": N_("multipliers"),
    "service": N_("counts as volunteer service")}
EVERYONE = N_("everyone")
START = N_("the start")
FIELD_LINE = N_("{field}: {value}")


def number(value: Fraction | int | None) -> str:
    """A rate or quantity as people write it: 2, 1.5, 0.333…"""
    if value is None:
        return ""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4g}"


def _caps(rule: Rule, lang: str) -> str:
    return ", ".join(per(n, period, lang) for period, n in rule.caps.items())


def _since(rule: Rule, lang: str) -> str:
    day = rule.effective_from
    return translate(START, lang) if day in (None, BEGINNING) else str(day)


def _name(rule: Rule, lang: str) -> str:
    return rule.name_en if lang == "en" and rule.name_en else rule.name_zh


def _basis(rule: Rule, lang: str) -> str:
    return translate(BASIS[rule.basis], lang) if rule.basis in BASIS else rule.basis


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@main.group("rules")
def rules() -> None:
    """Rules (积分规则): what a community's contributions earn."""


@rules.command("list")
@COMMUNITY
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The rules in force on this local day (default: today).")
@common
@click.pass_context
@storable
def rules_list(ctx: click.Context, community: str, on: datetime | None,
               lang: str | None) -> None:
    """The rules in force, by code."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    found = open_bank(ctx).rules.list(community, on=_day(on))
    show(lang, LISTING, ((r.code, _name(r, lang), unit_name(r.unit, lang), _basis(r, lang),
                          number(r.rate), _caps(r, lang), r.approval, _since(r, lang))
                         for r in found))


@rules.command("show")
@click.argument("code")
@COMMUNITY
@common
@click.pass_context
@storable
def rules_show(ctx: click.Context, code: str, community: str, lang: str | None) -> None:
    """Rule CODE as in force today, and every version of it."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    rule = bank.rules.get(community, code)
    versions = bank.rules.history(community, code)
    low, high = number(rule.min_quantity), number(rule.max_quantity)
    values = {
        "code": rule.code, "name": _name(rule, lang), "unit": unit_name(rule.unit, lang),
        "basis": _basis(rule, lang), "rate": number(rule.rate), "caps": _caps(rule, lang),
        "approval": translate(N_("yes"), lang) if rule.approval else translate(N_("no"), lang),
        "from": _since(rule, lang),
        "eligible": ", ".join(rule.eligible_roles) or translate(EVERYONE, lang),
        "min_max": f"{low} … {high}" if low or high else "",
        "multipliers": ", ".join(f"×{number(m.factor)}" for m in rule.multipliers),
        "service": translate(N_("yes"), lang) if rule.service else translate(N_("no"), lang)}
    for name, value in values.items():
        if value not in ("", None):
            line(lang, FIELD_LINE, field=translate(FIELDS[name], lang), value=value)
    show(lang, VERSIONS, ((_since(v, lang), _basis(v, lang), number(v.rate), _caps(v, lang),
                           v.approval) for v in versions), title=VERSIONS_TITLE, code=code)
