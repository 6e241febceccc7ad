"""The request's language for problem+json: ``Accept-Language``, zh-CN by default.

Only the human text changes (``title``, ``detail``, the messages under ``errors``); the
``code``, the field names and every JSON key stay the same in every language. The API
does not set or read any locale of the host application.
"""

from __future__ import annotations

import re

from flask import has_request_context, request

from timebank.i18n import DEFAULT, N_, TAGS, has, translate


def request_lang() -> str:
    """``zh`` or ``en``: the first supported language in ``Accept-Language`` by quality;
    without one (or outside a request) zh-CN."""
    if not has_request_context():
        return DEFAULT
    for tag, _quality in request.accept_languages:
        lowered = tag.lower()
        if lowered.startswith("en"):
            return "en"
        if lowered.startswith("zh"):
            return "zh"
    return DEFAULT


def content_language(lang: str) -> str:
    return TAGS.get(lang, TAGS[DEFAULT])


# marshmallow's and webargs' parametrised messages, as catalogue ids with named values.
_PATTERNS = [(re.compile(pattern), msgid) for pattern, msgid in (
    (r"^Length must be between (?P<min>\S+) and (?P<max>\S+)\.$",
     N_("Length must be between {min} and {max}.")),
    (r"^Shorter than minimum length (?P<min>\S+)\.$", N_("Shorter than minimum length {min}.")),
    (r"^Longer than maximum length (?P<max>\S+)\.$", N_("Longer than maximum length {max}.")),
    (r"^Length must be (?P<equal>\S+)\.$", N_("Length must be {equal}.")),
    (r"^Must be greater than or equal to (?P<min>\S+) and less than or equal to "
     r"(?P<max>\S+)\.$",
     N_("Must be greater than or equal to {min} and less than or equal to {max}.")),
    (r"^Must be greater than or equal to (?P<min>\S+)\.$",
     N_("Must be greater than or equal to {min}.")),
    (r"^Must be less than or equal to (?P<max>\S+)\.$",
     N_("Must be less than or equal to {max}.")),
    (r"^Must be one of: (?P<choices>.*)\.$", N_("Must be one of: {choices}.")),
    # the API's own parametrised field messages (webapi/schemas)
    (r"^must be a day between (?P<first>\S+) and (?P<last>\S+)$",
     N_("must be a day between {first} and {last}")),
    (r"^must be a time between (?P<first>\S+) and (?P<last>\S+)$",
     N_("must be a time between {first} and {last}")),
    (r"^at most (?P<limit>\d+) ids in one approval \(the limit\), got (?P<n>\d+)$",
     N_("at most {limit} ids in one approval (the limit), got {n}")),
)]

# marshmallow's and webargs' fixed messages, marked here so the catalogue holds them.
FIXED = (
    N_("Missing data for required field."), N_("Field may not be null."),
    N_("Unknown field."), N_("Invalid input type."), N_("Invalid value."),
    N_("Not a valid integer."), N_("Not a valid string."), N_("Not a valid number."),
    N_("Not a valid boolean."), N_("Not a valid list."), N_("Not a valid mapping type."),
    N_("Not a valid date."), N_("Not a valid datetime."), N_("Not a valid email address."),
    N_("String does not match expected pattern."), N_("Invalid JSON body."),
    N_("Number too large."), N_("Not a valid tuple."), N_("Invalid data."),
)


def field_message(message: str, lang: str) -> str:
    """One field message of a validation problem in ``lang``; a message the catalogue
    does not know is kept as it is."""
    if has(message, lang):
        return translate(message, lang)
    for pattern, msgid in _PATTERNS:
        found = pattern.match(message)
        if found:
            return translate(msgid, lang, **found.groupdict())
    return message
