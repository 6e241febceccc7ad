"""The sentences the CLI prints: catalogue ids by name, rendered in zh-CN or en.

The language is ``--lang`` if given, else ``TIMEBANK_LANG``, else the locale (``LANG``
starting with ``en`` gives English); zh-CN is the default, and so is a language the
catalogue does not have. The texts themselves live in the gettext catalogues
(``timebank/locale``, see ``timebank/i18n.py``); library errors are rendered in the
same language through ``TimebankError.render``.
"""

from __future__ import annotations

import os
from typing import Any

from timebank.i18n import LANGS, N_, normalize, translate

__all__ = ["LANGS", "MESSAGES", "pick_lang", "say"]

# name -> English template (the catalogue id).
MESSAGES: dict[str, str] = {
    "import_ok": N_("imported: {rows} rows read, {added} added, {unchanged} already present."),
    "import_skipped": N_("{rejected} bad rows skipped (the others were imported):"),
    "import_refused": N_("nothing imported: {rejected} bad rows. Fix them and import again, or "
                         "use --skip-bad-rows:"),
    "header_problem": N_("the file's header row is not right; nothing imported:"),
    "problem": N_("row {row} [{column}]: {message}"),
    "more_problems": N_("… and {n} more problems"),
    "ignored_columns": N_("columns not understood, ignored: {columns}"),
    "written": N_("wrote {rows} rows to {path}"),
    "poster_written": N_("poster written to {path} (open it in a browser and print)"),
    "xlsx_needs_output": N_("the xlsx format needs --output FILE"),
    "member_added": N_("added member {code} ({name})"),
    "nobody": N_("no points in this period."),
    "participation": N_("{rule}: {participated} of {eligible} eligible members took part, "
                        "{percent} ({verdict} {target})"),
    "met": N_("meets"),
    "not_met": N_("below"),
    "importing": N_("importing"),
    "schema_ready": N_("schema is up to date at {url}"),
    "schema_created": N_("created the schema at revision {revision}: {url}"),
    "schema_upgraded": N_("upgraded the schema from revision {before} to {revision}: {url}"),
    "schema_missing": N_("the database has not been initialised: run `timebank init` first"),
    "schema_behind": N_("the database schema is at revision {current}, this timebank needs "
                        "{head}: run `timebank init` first"),
    "community_created": N_("created community {code} ({name}, {timezone})"),
    "verifying": N_("verifying entries"),
    "verify_ok": N_("ok: {n} entries checked, every balance matches"),
    "verify_bad": N_("BAD {where}: {what}"),
    "first_bad": N_("first bad entry: {entry}"),
    "nothing": N_("nothing"),
    "no_expiry": N_("{community}: no expiry policy"),
    "expired": N_("{community}: expired {totals} from {members} member(s) earned before {cutoff}"),
    "would_expire": N_("{community}: would expire {totals} from {members} member(s) earned "
                       "before {cutoff} (dry run, nothing written)"),
    "expire_future": N_("{community}: {day} is after the community's today ({today}); nothing "
                        "expired. Use --force to expire ahead, or --dry-run to preview"),
    "key_created": N_("{role} key #{id} for {scope}{member} (shown only once):"),
    "platform": N_("the platform"),
    "qr_written": N_("member card QR code written to {path}"),
    "serving": N_("serving the timebank API on {base} (docs: {base}/docs)"),
    "demo_docs": N_("docs:  {url}"),
    "demo_try": N_("try:   {command}"),
    "demo_key": N_("admin key for the demo community (shown only once):"),
    "error_line": N_("error ({code}): {message}"),
    "amount_points": N_("{n} points"),
    "amount_minutes": N_("{n} minutes"),
    "demo_created": N_("created demo community {community} ({name}): {members} members, "
                       "{contributions} contributions"),
    "demo_found": N_("found demo community {community} ({name}): {members} members"),
    "expire_member": N_("  {member}: {amount}"),
    "rulebook_installed": N_("installed rulebook {book} in {community} ({rules} rules){since}"),
    "replaced_from": N_("; changed rules follow the book from {day}"),
    "contribution_reversed": N_("reversed contribution #{id} ({member}, {rule}): {points} "
                                "{unit} taken back"),
}


def pick_lang(option: str | None = None) -> str:
    """``zh`` or ``en``: the option, then ``TIMEBANK_LANG``, then ``LANG``; zh-CN default."""
    for value in (option, os.environ.get("TIMEBANK_LANG"), os.environ.get("LANG")):
        if value:
            lowered = value.lower()
            if lowered.startswith(("en", "zh")):
                return normalize(lowered)
            if value is option:
                break
    return "zh"


def say(key: str, lang: str, **values: Any) -> str:
    return translate(MESSAGES[key], lang, **values)
