"""Text no database can store: refused up front with a 422 naming the field.

PostgreSQL refuses a NUL character in text, and a lone surrogate cannot be encoded as
UTF-8 on either engine. Both would otherwise reach the driver and fail there, so every
request's path, query values and JSON strings are checked before any view runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from timebank.i18n import T
from webapi.errors import from_http_exception, problem

MAX_DEPTH = 64      # nesting no schema needs; far below the parser's recursion limit
MAX_DIGITS = 1000   # an integer literal longer than this is no field's value
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"\s*:?|[\[\]{}]')


class _Huge:
    """Stands for an integer literal too long to convert (Python refuses > 4300 digits)."""


def _int(text: str) -> Any:
    return _Huge() if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def _too_deep(text: str) -> str | None:
    """The top-level field under which the JSON text nests deeper than ``MAX_DEPTH``
    ("body" if none), found by scanning tokens, so the parser never recurses that far."""
    depth, key = 0, ""
    for found in _TOKENS.finditer(text):
        token = found.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return key or "body"
        elif token in ("]", "}"):
            depth -= 1
        elif depth == 1 and token.endswith(":"):
            key = token.rstrip(": \t\r\n")[1:-1]
    return None


def _huge(value: Any, where: str, depth: int = 0) -> Iterator[str]:
    if isinstance(value, _Huge):
        yield where or "body"
    elif depth <= MAX_DEPTH and isinstance(value, dict):
        for key, item in value.items():
            yield from _huge(item, f"{where}.{key}" if where else str(key), depth + 1)
    elif depth <= MAX_DEPTH and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _huge(item, f"{where}[{index}]", depth + 1)


def hostile_body() -> Response | None:
    """A 422 naming the field of a JSON body nested too deeply or holding an integer too
    long to convert: both would otherwise raise inside the JSON parser (RecursionError,
    ValueError) when the view's schema reads the body, and answer 500."""
    if not request.is_json:
        return None
    data = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        # A chunked body is cut off silently at the limit (werkzeug's LimitedStream):
        # reaching it means the body was too large, not malformed.
        return from_http_exception(RequestEntityTooLarge())
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # the schema's parser answers it as malformed JSON
    field = _too_deep(text)
    if field is not None:
        message = T("nested more than {depth} levels deep", depth=MAX_DEPTH)
        return problem("validation_error", T("{field}: {message}", field=field, message=message),
                       errors={field: [message]})
    try:
        body = json.loads(text, parse_int=_int)
    except (ValueError, RecursionError):
        return None
    for field in _huge(body, ""):
        message = T("a number of more than {digits} digits", digits=MAX_DIGITS)
        return problem("validation_error", T("{field}: {message}", field=field, message=message),
                       errors={field: [message]})
    return None


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
    refused = hostile_body()
    if refused is not None:
        return refused
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
    message = T("text may not contain NUL characters or lone surrogates")
    return problem("validation_error", T("{field}: {message}", field=field, message=message),
                   errors={field: [message]})
