"""Reading import files row by row, so a file of any length needs bounded memory.

CSV files come from Excel and WPS in whatever encoding the worker's computer uses:
UTF-8 with or without a BOM, UTF-16 with a BOM, or GBK / GB18030 (GB18030 decodes every
GBK file). The encoding is told from the first megabyte, and the file is refused,
named, when it cannot be told; a decoding failure later names the row. XLSX files are
read with openpyxl's read-only (streaming) mode.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from timebank.errors import ValidationError
from timebank.i18n import T

SAMPLE = 1 << 20
FORMATS = ("csv", "xlsx")


def detect_encoding(sample: bytes, at_eof: bool = True, name: str = "") -> str:
    """The encoding of a CSV file's first bytes (up to a megabyte): a BOM decides, else
    the one of UTF-8 and GB18030 (a superset of GBK and GB2312) that decodes them, and
    when both do (a short GBK text can be valid UTF-8: ``磨`` in GBK reads as ``ĥ``), the
    one whose reading is plainly text a community writes. When that is not plain, the
    file is refused, named, rather than misread."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    readings: dict[str, str] = {}
    for encoding in ("utf-8", "gb18030"):
        try:
            readings[encoding] = codecs.getincrementaldecoder(encoding)().decode(
                sample, final=at_eof)
        except UnicodeDecodeError:
            continue
    if not readings:
        raise ValidationError(
            T("cannot tell the encoding of {name}: save it as CSV UTF-8 (or GBK) and try "
              "again", name=name or "-"), field="file")
    if len(readings) == 1 or sample.isascii():
        return next(iter(readings))
    utf8, gb = _plain_share(readings["utf-8"], _plain_utf8), \
        _plain_share(readings["gb18030"], _plain_gb)
    if utf8 >= PLAIN and utf8 - gb >= MARGIN:
        return "utf-8"
    if gb >= PLAIN and gb - utf8 >= MARGIN:
        return "gb18030"
    raise ValidationError(
        T("{name} reads as UTF-8 ({utf8}) and as GBK ({gbk}) alike: give its encoding "
          "(--encoding utf-8 or --encoding gbk)", name=name or "-",
          utf8=_excerpt(readings["utf-8"]), gbk=_excerpt(readings["gb18030"])),
        field="encoding")


PLAIN = 0.5    # the share of a reading's non-ASCII characters that must look like text
MARGIN = 0.3   # ... and by how much one reading must beat the other


def _plain_utf8(ch: str) -> bool:
    """A character a community's UTF-8 file plausibly holds: CJK (a valid three-byte
    sequence is strong evidence), CJK and general punctuation, full-width forms, and the
    accented Latin letters of names (José)."""
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
            or 0x2010 <= o <= 0x203F or 0xC0 <= o <= 0xFF or o == 0xB7)


def _plain_gb(ch: str) -> bool:
    """A character a GBK file plausibly holds: a common hanzi (GB2312 level 1) or a
    common symbol; misread UTF-8 turns into rare characters."""
    try:
        raw = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(raw) == 2 and (0xB0 <= raw[0] <= 0xD7 or 0xA1 <= raw[0] <= 0xA3)


def _plain_share(text: str, plain: Any) -> float:
    odd = [ch for ch in text if ord(ch) > 127]
    return sum(1 for ch in odd if plain(ch)) / len(odd) if odd else 1.0


def _excerpt(text: str) -> str:
    """The first non-ASCII stretch of a reading, short, to show the worker both."""
    found = re.search(r"[^\x00-\x7f]{1,12}", text)
    return found.group(0) if found else ""


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read through it (for the progress bar)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)


class Source:
    """Rows of one file: ``headers`` then ``rows()`` as (row number, values); the header
    is row 1, as a spreadsheet shows it. ``progress()`` is (done, total) in the reader's
    own measure (bytes for CSV, rows for XLSX); total is None when unknown."""

    headers: list[Any]
    path: Path

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        raise NotImplementedError

    def progress(self) -> tuple[int, int | None]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CsvSource(Source):
    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.size = os.path.getsize(path)
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
        sample = self._file.read(SAMPLE)
        self._file.seek(0)
        try:
            self.encoding = encoding or detect_encoding(
                sample, at_eof=len(sample) < SAMPLE, name=path.name)
        except ValidationError:
            self._file.close()
            raise
        self._raw = _Counting(self._file)
        self._buffered = io.BufferedReader(self._raw, 1 << 16)
        self._reader = csv.reader(self._lines(), _dialect(sample, self.encoding))
        self._row = 1
        try:
            self.headers = next(self._reader, [])
        except UnicodeDecodeError as exc:
            raise self._decoding_error(exc) from None

    def _lines(self) -> Iterator[str]:
        """Decoded lines; decoding line by line lets an error name its row exactly."""
        if self.encoding == "utf-16":  # no byte-wise line splitting for UTF-16
            yield from io.TextIOWrapper(self._buffered, encoding="utf-16", newline="")
            return
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        first = True
        for raw in self._buffered:
            line = raw.decode(encoding)
            if first:
                line, first = line.removeprefix("\ufeff"), False
            yield line

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        while True:
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise self._decoding_error(exc) from None
            except csv.Error as exc:
                raise ValidationError(T("row {row}: not valid CSV ({exc})", row=self._row + 1,
                                        exc=exc),
                                      field="file", row=self._row + 1) from None
            self._row += 1
            if any(v.strip() for v in values):
                yield self._row, values

    def _decoding_error(self, exc: UnicodeDecodeError) -> ValidationError:
        return ValidationError(
            T("row {row}: the file is not valid {encoding} ({reason}); save it as CSV UTF-8 or "
              "give the encoding", row=self._row + 1, encoding=self.encoding,
              reason=exc.reason), field="file", row=self._row + 1)

    def progress(self) -> tuple[int, int | None]:
        return self._raw.count, self.size

    def close(self) -> None:
        self._file.close()


def _dialect(sample: bytes, encoding: str) -> type[csv.Dialect]:
    """Comma by default; a semicolon- or tab-separated export is recognised too."""
    text = sample[:8192].decode(encoding, errors="ignore").lstrip("\ufeff")
    first = text.splitlines()[0] if text else ""
    if first.count("\t") > first.count(","):
        return csv.excel_tab
    if first.count(";") > first.count(","):
        class Semicolon(csv.excel):
            delimiter = ";"
        return Semicolon
    return csv.excel


class XlsxSource(Source):
    def __init__(self, path: Path) -> None:
        import openpyxl

        self.path = path
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise ValidationError(T("{name} is not a readable XLSX workbook ({exc})",
                                    name=path.name, exc=exc),
                                  field="file") from None
        sheet = self._book.worksheets[0]
        self._total = sheet.max_row if isinstance(sheet.max_row, int) else None
        self._iter = sheet.iter_rows(values_only=True)
        self._row = 1
        self.headers = list(next(self._iter, ()))

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        for values in self._iter:
            self._row += 1
            if any(v is not None and str(v).strip() for v in values):
                yield self._row, list(values)

    def progress(self) -> tuple[int, int | None]:
        return self._row, self._total

    def close(self) -> None:
        self._book.close()


def file_format(path: Path, fmt: str | None = None) -> str:
    chosen = (fmt or path.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ValidationError(T("{name}: expected a .csv or .xlsx file", name=path.name),
                              field="file")
    return chosen


def open_source(path: str | os.PathLike[str], *, fmt: str | None = None,
                encoding: str | None = None) -> Source:
    """Open ``path`` as CSV or XLSX (by its extension unless ``fmt`` is given)."""
    file = Path(path)
    if not file.is_file():
        raise ValidationError(T("no such file: {file}", file=file), field="file")
    if file_format(file, fmt) == "xlsx":
        return XlsxSource(file)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValidationError(T("unknown encoding {encoding!r}", encoding=encoding),
                                  field="encoding") from None
    return CsvSource(file, encoding)
