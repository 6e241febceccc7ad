"""``certificate issue|show|revoke`` and ``anchor``: service certificates and chain heads.

``timebank anchor`` prints one JSON line per community (community, entries, head, at);
append them to a file kept elsewhere and check later with ``timebank verify --anchor
FILE``, which also reads the JSON of ``GET /audit/anchor`` or a list of them.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from timebank.cli.main import db_option, lang_of, lang_option, main, open_bank
from timebank.errors import ValidationError
from timebank.i18n import N_, T, translate
from timebank.store.anchors import Anchor

out = Console()


@main.group()
def certificate() -> None:
    """Service certificates (志愿服务记录证明)."""


def _print(cert: Any, lang: str) -> None:
    base = os.environ.get("TIMEBANK_PUBLIC_URL", "").rstrip("/")
    lines = [
        (N_("Number"), cert.number),
        (N_("Name"), f"{cert.name} ({cert.member})"),
        (N_("Period"), f"{cert.period_from} — {cert.period_to}"),
        (N_("Service minutes"), cert.service_minutes),
        (N_("Honour minutes"), cert.honour_minutes),
        (N_("Issuer"), cert.issuer.name),
        (N_("Issued on"), cert.issued_on),
        (N_("Status"), cert.status),
        (N_("Digest"), cert.digest),
        (N_("Verify at"), (base + "/api/v1" if base else "") + cert.verify_path),
    ]
    for label, value in lines:
        out.print(f"{translate(label, lang)}: {value}", markup=False, highlight=False)
    for a in (*cert.activities, *cert.honours):
        out.print(f"  {a.day} {a.rule_name} {a.minutes} {a.recorded_by} "
                  f"{a.approved_by or ''}", markup=False, highlight=False)


@certificate.command("issue")
@db_option
@lang_option
@click.option("--community", "code", required=True, help="Community code.")
@click.argument("member")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day of the period (YYYY-MM-DD).")
@click.option("--purpose", default="", help="What the certificate is for (printed on it).")
@click.option("--by", "actor", default="cli", help="Who issues it (the handler).")
@click.pass_context
def issue(ctx: click.Context, code: str, member: str, start: datetime, end: datetime,
          purpose: str, actor: str) -> None:
    """Issue a certificate of MEMBER's volunteer service in a period."""
    bank = open_bank(ctx)
    _print(bank.certificates.issue(code, member, start.date(), end.date(), purpose=purpose,
                                   actor=actor), lang_of(ctx))


@certificate.command("show")
@db_option
@lang_option
@click.argument("number")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the printable A4 page to this file.")
@click.pass_context
def show(ctx: click.Context, number: str, html_out: Path | None) -> None:
    """Show certificate NUMBER (its number names its community)."""
    bank, lang = open_bank(ctx), lang_of(ctx)
    cert = bank.certificates.show(number)
    _print(cert, lang)
    if html_out is not None:
        from timebank.reports.certificate import render_html
        base = os.environ.get("TIMEBANK_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
        html_out.write_text(render_html(cert, base + "/api/v1" + cert.verify_path, lang),
                            encoding="utf-8")


@certificate.command("revoke")
@db_option
@lang_option
@click.argument("number")
@click.option("--reason", required=True, help="Why it is revoked (kept on record).")
@click.option("--by", "actor", default="cli", help="Who revokes it (the handler).")
@click.pass_context
def revoke(ctx: click.Context, number: str, reason: str, actor: str) -> None:
    """Revoke certificate NUMBER (it stays on record, answering "revoked")."""
    bank = open_bank(ctx)
    _print(bank.certificates.revoke(number, reason=reason, actor=actor), lang_of(ctx))


@main.command()
@db_option
@click.option("--community", "code", default=None, help="One community only.")
@click.pass_context
def anchor(ctx: click.Context, code: str | None) -> None:
    """Print each community's chain head as a JSON line, to keep outside the database."""
    for found in open_bank(ctx).certificates.anchor(code):
        click.echo(json.dumps({"community": found.community, "entries": found.entries,
                               "head": found.head, "at": found.at.isoformat() + "Z"},
                              ensure_ascii=False))


def read_anchors(path: Path) -> list[Anchor]:
    """Anchors from a file: JSON lines, one JSON object, or a JSON list."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValidationError(T("{path}: cannot read ({strerror})", path=path,
                                strerror=exc.strerror), field="anchor") from exc
    try:
        data = json.loads(text) if text.startswith("[") else [
            json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise ValidationError(T("{path}: not JSON: {exc}", path=path, exc=exc),
                              field="anchor") from exc
    found = []
    for item in data if isinstance(data, list) else [data]:
        try:
            found.append(Anchor(str(item["community"]), int(item["entries"]),
                                str(item["head"]), datetime.now()))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(T("{path}: an anchor has community, entries and head",
                                    path=path),
                                  field="anchor") from exc
    return found


__all__ = ["anchor", "certificate", "read_anchors"]
