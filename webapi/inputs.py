"""Text no database can store: refused up front with a 422 naming the field.

PostgreSQL refuses a NUL character in text, and a lone surrogate cannot be encoded as
UTF-8 on either engine. Both would otherwise reach the driver and fail there, so every
request's path, query values and JSON strings are checked before any view runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, request

from webapi.errors import problem


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strings(value: Any, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Each (field path, string) in a JSON value, keys included; bounded in depth."""
    if depth > 64:
        return
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            yield name, str(key)
            yield from _strings(item, name, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]", depth + 1)


def refuse_unstorable_text() -> Response | None:
    """A blueprint's before-request hook: a 422 naming the first field whose text no
    database can store (run after the body limit is set, so a huge body is a 413)."""
    found = [("path", request.path)] if _unstorable(request.path) else []
    found += [(name, value) for name, values in request.args.lists()
              for value in [name, *values] if _unstorable(value)]
    if not found and request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            body = None
        found = [(name, text) for name, text in _strings(body, "") if _unstorable(text)]
    if not found:
        return None
    field = found[0][0] or "body"
    message = "text may not contain NUL characters or lone surrogates"
    return problem("validation_error", f"{field}: {message}", errors={field: [message]})
