"""CSV and XLSX writers that stream: rows go out as they come, so an export of the whole
ledger needs no more memory than one row.

CSV is written as UTF-8 with a BOM by default, because that is what makes Excel (and WPS)
open a file with Chinese text correctly; pass ``bom=False`` for other tools. XLSX uses
openpyxl's write-only mode.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import attrs


@attrs.frozen
class Table:
    """What every export is before it has a format: a title, headers and rows.

    ``headers`` are (English, zh-CN) pairs; ``rows`` may be a one-shot iterator.
    """

    title: str
    headers: tuple[tuple[str, str], ...]
    rows: Iterable[Sequence[Any]]

    def header_row(self, lang: str = "zh") -> list[str]:
        return [zh if lang.startswith("zh") else en for en, zh in self.headers]


Target = str | os.PathLike[str] | IO[bytes]


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return value


def write_csv(table: Table, target: Target, *, lang: str = "zh", bom: bool = True) -> int:
    """Write ``table`` as CSV to a path or a binary stream; returns the rows written."""
    if isinstance(target, (str, os.PathLike)):
        with open(Path(target), "wb") as raw:
            return write_csv(table, raw, lang=lang, bom=bom)
    text = io.TextIOWrapper(target, encoding="utf-8-sig" if bom else "utf-8", newline="",
                            write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(table.header_row(lang))
        count = 0
        for row in table.rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
        text.flush()
        return count
    finally:
        text.detach()


def write_xlsx(table: Table, target: Target, *, lang: str = "zh") -> int:
    """Write ``table`` as a one-sheet XLSX workbook (write-only, streamed)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.title))
    bold = Font(bold=True)
    header = []
    for name in table.header_row(lang):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in table.rows:
        sheet.append([_xlsx_cell(v) for v in row])
        count += 1
    book.save(target)  # accepts a path or a binary stream
    return count


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, (datetime, date, int, float)) or value is None:
        return value
    return _cell(value) if not isinstance(value, str) else value


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip()
    return (cleaned or "Sheet")[:31]


def to_bytes(table: Table, fmt: str, *, lang: str = "zh") -> bytes:
    """The table as CSV or XLSX bytes (for HTTP responses)."""
    buffer = io.BytesIO()
    if fmt == "xlsx":
        write_xlsx(table, buffer, lang=lang)
    else:
        write_csv(table, buffer, lang=lang)
    return buffer.getvalue()
