"""Limits every request field has, said in the OpenAPI document, so that a request the
document calls valid is not refused for them (issue 10: "say the limits in the schema").

Fields say their own limits where they are declared (lengths, ranges, enums, the days
of ``Day`` and ``Moment``, the names of roles and tags); this module adds the one rule
that holds for every string of every request (``webapi.inputs``): no NUL character and
no lone surrogate, which no database stores. The NUL is refused by a pattern added to
each string schema of a request (bodies and parameters, and the components they use)
that has no pattern, enum or format of its own; the surrogate is said in the document's
description. Response schemas are left as they are.
"""

from __future__ import annotations

from typing import Any

# What ``webapi.inputs`` refuses in any string: NUL (said by the pattern), and a UTF-16
# surrogate standing alone (not Unicode text at all, and a range of surrogates is a
# pattern that regular-expression engines outside JavaScript refuse: said in prose).
STORABLE_TEXT = "^[^\\x00]*$"
# Text that must not be blank either (a name, a tag): one character other than a space.
# (the spaces are those ``str.strip`` removes: ``\\s`` differs between engines)
_SPACE = ("\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a"
          "\\u2028\\u2029\\u202f\\u205f\\u3000")


def nonblank(also: str = "") -> str:
    """A pattern for text with a character other than a space, and none of NUL and
    ``also`` (characters as they go in a regular expression's class)."""
    return f"^[^\\x00{also}]*[^\\x00{also}{_SPACE}][^\\x00{also}]*$"


NONBLANK_TEXT = nonblank()
STORABLE_NOTE = "No string may hold a NUL character or a lone surrogate."


def apply(spec: dict[str, Any]) -> dict[str, Any]:
    """Add ``STORABLE_TEXT`` to the string schemas of requests (in place); ``spec``."""
    info = spec.setdefault("info", {})
    info["description"] = f"{info.get('description', '')}\n\n{STORABLE_NOTE}".strip()
    components = spec.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for path in spec.get("paths", {}).values():
        for method, operation in path.items():
            for parameter in (path.get("parameters", []) if method == "parameters"
                              else operation.get("parameters", [])):
                _walk(parameter.get("schema"), components, seen)
            if method == "parameters":
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _walk(media.get("schema"), components, seen)
    return spec


def _walk(schema: Any, components: dict[str, Any], seen: set[str]) -> None:
    if isinstance(schema, list):
        for item in schema:
            _walk(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _walk(components.get(name), components, seen)
        return
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        schema["pattern"] = STORABLE_TEXT
    for key in ("items", "additionalProperties", "not"):
        _walk(schema.get(key), components, seen)
    for key in ("allOf", "anyOf", "oneOf"):
        _walk(schema.get(key), components, seen)
    for value in (schema.get("properties") or {}).values():
        _walk(value, components, seen)
