"""Reading import files row by row, so a file of any length needs bounded memory.

CSV files come from Excel and WPS in whatever encoding the worker's computer uses:
UTF-8 with or without a BOM, UTF-16 with a BOM, or GBK / GB18030 (GB18030 decodes every
GBK file). The encoding is told from the first megabyte; a decoding failure later names
the row. XLSX files are read with openpyxl's read-only (streaming) mode.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from timebank.errors import ValidationError

SAMPLE = 1 << 20
FORMATS = ("csv", "xlsx")


def detect_encoding(sample: bytes, at_eof: bool = True) -> str:
    """The encoding of a CSV file's first bytes: a BOM decides, else UTF-8 if it decodes,
    else GB18030 (a superset of GBK and GB2312)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=at_eof)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValidationError(
        "cannot tell the file's encoding: save it as CSV UTF-8 (or GBK) and try again",
        field="file")


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
        self.encoding = encoding or detect_encoding(sample, at_eof=len(sample) < SAMPLE)
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
                raise ValidationError(f"row {self._row + 1}: not valid CSV ({exc})",
                                      field="file", row=self._row + 1) from None
            self._row += 1
            if any(v.strip() for v in values):
                yield self._row, values

    def _decoding_error(self, exc: UnicodeDecodeError) -> ValidationError:
        return ValidationError(
            f"row {self._row + 1}: the file is not valid {self.encoding} ({exc.reason}); "
            "save it as CSV UTF-8 or give the encoding", field="file", row=self._row + 1)

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
            raise ValidationError(f"{path.name} is not a readable XLSX workbook ({exc})",
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
        raise ValidationError(f"{path.name}: expected a .csv or .xlsx file", field="file")
    return chosen


def open_source(path: str | os.PathLike[str], *, fmt: str | None = None,
                encoding: str | None = None) -> Source:
    """Open ``path`` as CSV or XLSX (by its extension unless ``fmt`` is given)."""
    file = Path(path)
    if not file.is_file():
        raise ValidationError(f"no such file: {file}", field="file")
    if file_format(file, fmt) == "xlsx":
        return XlsxSource(file)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValidationError(f"unknown encoding {encoding!r}", field="encoding") from None
    return CsvSource(file, encoding)
