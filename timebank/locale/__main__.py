"""Maintain the catalogues: ``python -m timebank.locale update`` adds every new message
id (from ``T(...)``, ``N_(...)``, ``translate(...)`` in the code and every click help
text) to both ``.po`` files with an empty translation, and drops ids no longer used;
``python -m timebank.locale compile`` writes the ``.mo`` files. Translate the empty
entries in between (``tests/unit/test_i18n.py`` fails while one is empty)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from timebank.i18n import DOMAIN, LOCALE_DIR, LOCALES

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"T": None, "N_": None, "translate": None}


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every message id of the code and the CLI's help, with where it is used."""
    template = Catalog(project="timebank")
    for package in ("timebank", "webapi"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
                ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS):
            if isinstance(message, str) and message:
                template.add(message, locations=[(f"{package}/{filename}", lineno)],
                             flags=("python-brace-format",) if "{" in message else ())
    from timebank.cli import main
    from timebank.cli.localized import walk
    for where, text in walk(main):
        template.add(text, locations=[(where.replace(" ", "/"), 0)])
    return template


def read(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, project="timebank")
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def update() -> None:
    template = extract()
    for locale in LOCALES.values():
        catalog = read(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, sort_output=False, include_previous=False)


def compile_all() -> None:
    for locale in LOCALES.values():
        catalog = read(locale)
        with po_path(locale).with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    else:
        sys.exit("usage: python -m timebank.locale update|compile")
