"""JSON as the store writes it: compact UTF-8 text, dates and other values as ``str()``.

Stored JSON (idempotency requests and responses, entry metadata, tags, flags) is written
for every row of a bulk write, and the standard library's encoder was the largest cost of
recording an import after the database itself; orjson writes the same values about ten
times faster. It is told to hand every value it would write differently back to us
(subclasses of str, int, dict and list, dates and times, dataclasses), and a value it
refuses (an integer beyond 64 bits, a lone surrogate, a key that is not a string) is
written by ``json`` instead. So the text is what ``json.dumps(..., ensure_ascii=False,
default=str)`` writes, except that a float may be written in another exponent form
(``1e16`` for ``1e+16``) and decodes to the same number; ``tests/unit/test_jsontext.py``
checks this over generated values. Hashed text (``domain/ledger.py``) keeps the standard
library's encoder, so digests never depend on a third-party library.

Stored JSON is read back by ``loads`` (the engines' JSON deserializer): orjson where it
can, ``json`` for what it refuses (``NaN``, a lone surrogate) and for text with a run of
19 digits or more (orjson would make an integer beyond 64 bits a float), so every value
decodes as the standard library would decode it. A bulk write reads members' roles and
tags for every row: the standard library's decoder took 1.6 s of a 30 s profiled import
of 50,000 rows, this one 0.4 s.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_PLAIN = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS
          | orjson.OPT_PASSTHROUGH_DATACLASS)
_SORTED = _PLAIN | orjson.OPT_SORT_KEYS
_JSON_PLAIN = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                                default=str).encode


def _default(value: Any) -> Any:
    """A value orjson handed back, as ``json`` would write it."""
    if isinstance(value, str):  # StrEnum and other subclasses: their plain text
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list | tuple):  # subclasses, and named tuples
        return list(value)
    return str(value)  # dates, times, datetimes, dataclasses, attrs instances, ...


_LONG_TEXT = re.compile(r"\d{19}").search
_LONG_BYTES = re.compile(rb"\d{19}").search


def loads(text: str | bytes) -> Any:
    """Stored JSON text as Python values, as ``json.loads`` gives them."""
    long_run = _LONG_TEXT(text) if isinstance(text, str) else _LONG_BYTES(text)
    if long_run is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """``value`` as compact JSON text (see the module's docstring for the one difference
    from the standard library's)."""
    try:
        return orjson.dumps(value, default=_default,
                            option=_SORTED if sort_keys else _PLAIN).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return (_JSON_SORTED if sort_keys else _JSON_PLAIN)(value)
