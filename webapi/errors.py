"""The one error handler: every failure under the API prefix becomes problem+json.

``{"type", "title", "status", "detail", "code", "errors"?}`` with the status chosen from
the library's ``TimebankError.code`` (API.md's table). Handlers are installed on the API's
blueprints only, and routing failures (404, 405) are answered by a before-request hook
that looks only at paths under the API prefix, so a host application's own routes and
error handlers are left exactly as they were.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from timebank.errors import TimebankError
from timebank.i18n import N_, T, Text, render, translate
from timebank.store.db import unavailable
from webapi.i18n import content_language, field_message, request_lang

log = logging.getLogger("webapi")
PROBLEM_JSON = "application/problem+json"

STATUS = {
    "validation_error": 422,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "insufficient_points": 409,
    "out_of_stock": 409,
    "limit_exceeded": 409,
    "not_eligible": 409,
    "invalid_state": 409,
    "idempotency_conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "internal_error": 500,
    "unavailable": 503,
    # Answered by the HTTP server before the app sees the request (webapi.server_errors).
    "bad_request": 400,
    "uri_too_long": 414,
    "headers_too_large": 431,
    "not_implemented": 501,
}
TITLES = {
    "validation_error": N_("Invalid input"),
    "unauthorized": N_("Missing or unknown API key"),
    "forbidden": N_("Not allowed"),
    "not_found": N_("Not found"),
    "method_not_allowed": N_("Method not allowed"),
    "insufficient_points": N_("Insufficient points"),
    "out_of_stock": N_("Out of stock"),
    "limit_exceeded": N_("Limit exceeded"),
    "not_eligible": N_("Not eligible"),
    "invalid_state": N_("Invalid state"),
    "idempotency_conflict": N_("Idempotency key conflict"),
    "payload_too_large": N_("Payload too large"),
    "unsupported_media_type": N_("Unsupported media type"),
    "rate_limited": N_("Too many requests"),
    "internal_error": N_("Internal error"),
    "unavailable": N_("Storage unavailable"),
    "bad_request": N_("Bad request"),
    "uri_too_long": N_("URI too long"),
    "headers_too_large": N_("Request header fields too large"),
    "not_implemented": N_("Not implemented"),
}
# Werkzeug statuses the API answers under its own codes (400: a body webargs could not
# read, e.g. malformed JSON, is a validation error like any other bad input).
HTTP_CODES = {400: "validation_error", 401: "unauthorized", 403: "forbidden",
              404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
              415: "unsupported_media_type", 422: "validation_error", 503: "unavailable"}


def problem(code: str, detail: str | Text, *, status: int | None = None,
            errors: Mapping[str, Sequence[str | Text]] | None = None,
            extra: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
    status = status or STATUS.get(code, 500)
    lang = request_lang()
    title = (translate(TITLES[code], lang) if code in TITLES
             else code.replace("_", " ").capitalize())
    body: dict[str, Any] = {"type": f"urn:timebank:problem:{code}", "title": title,
                            "status": status, "detail": render(detail, lang), "code": code}
    if errors:
        body["errors"] = {field: [render(m, lang) if isinstance(m, Text)
                                   else field_message(m, lang) for m in messages]
                          for field, messages in errors.items()}
    if extra:
        body.update({k: v for k, v in _jsonable(extra).items() if k not in body})
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Content-Language"] = content_language(lang)
    response.vary.add("Accept-Language")
    return response


def _jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(value), default=str))


def from_timebank_error(exc: TimebankError) -> Response:
    details = dict(exc.details)
    field = details.pop("field", None)
    detail = exc.render(request_lang())
    if exc.code == "validation_error":  # only the details the class says are shown
        shown = {name: details[name] for name in getattr(exc, "shown", ()) if name in details}
        return problem(exc.code, detail, errors={str(field or "body"): [detail]},
                       extra=shown or None)
    extra = {"field": field, **details} if field else details
    retry = {"Retry-After": "1"} if exc.code == "unavailable" else None
    return problem(exc.code, detail, extra=extra, headers=retry)


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages as ``{"field.sub": ["message", ...]}``; the request
    location (json, query, headers) is dropped, a whole-body message is named ``body``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for name, inner in messages.items():
            name = str(name)
            if not prefix and name in ("json", "query", "headers", "path", "form"):
                sub = flatten(inner, "")
                out.update(sub if isinstance(inner, Mapping) else {"body": sub["body"]})
                continue
            if name == "_schema":
                name = ""
            out.update(flatten(inner, f"{prefix}.{name}" if prefix and name else
                               name or prefix))
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        out[prefix or "body"] = [str(m) for m in messages]
    elif isinstance(messages, list | tuple):
        for inner in messages:
            out.update(flatten(inner, prefix))
    else:
        out[prefix or "body"] = [str(messages)]
    return out


def from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = HTTP_CODES.get(status) or (exc.name or "error").lower().replace(" ", "_")
    status = STATUS.get(code, status)
    data = getattr(exc, "data", None) or {}
    headers: dict[str, str] = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    if code == "validation_error":
        lang = request_lang()
        errors = flatten(data.get("messages") or data.get("errors")
                         or {"body": [exc.description or "malformed request"]})
        listed = "; ".join(f"{field}: {' '.join(field_message(m, lang) for m in msgs)}"
                           for field, msgs in list(errors.items())[:5])
        return problem(code, T("invalid input — {detail}", detail=listed), errors=errors)
    if code == "payload_too_large":
        limit = request.max_content_length
        return problem(code, T("the request body is larger than {limit} bytes", limit=limit))
    if code == "unavailable":
        return storage_unavailable(exc)
    detail: str | Text = exc.description or (Text(TITLES[code]) if code in TITLES
                                             else exc.name)
    if code == "not_found":
        detail = T("nothing at {method} {path}", method=request.method, path=request.path)
    elif code == "method_not_allowed":
        detail = T("{method} is not allowed on {path}", method=request.method,
                   path=request.path)
    return problem(code, detail, status=status, headers=headers)


def storage_unavailable(exc: Exception) -> Response:
    """The database cannot be reached (a driver error, or the health check's ping): 503,
    worth retrying."""
    log.warning("storage unavailable on %s %s: %s", request.method, request.path, exc)
    return problem("unavailable", T("the database is unavailable; try again shortly"),
                   headers={"Retry-After": "1"})


def from_unexpected(exc: Exception) -> Response:
    """Last resort: log the traceback and answer a problem+json 500 (tests show none)."""
    if isinstance(exc, HTTPException):
        return from_http_exception(exc)
    if isinstance(exc, TimebankError):
        return from_timebank_error(exc)
    if unavailable(exc):
        return storage_unavailable(exc)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem("internal_error", T("an unexpected error occurred; it has been logged"))


def install(bp: Blueprint) -> None:
    """Route every error raised by ``bp``'s views (and hooks) to the problem handlers."""
    bp.register_error_handler(TimebankError, from_timebank_error)
    bp.register_error_handler(HTTPException, from_http_exception)
    bp.register_error_handler(Exception, from_unexpected)


def routing_guard(prefix: str) -> Callable[[], Response | None]:
    """A before-request hook for the host app: a path under ``prefix`` that matched no
    route (404) or not this method (405) answers problem+json; other paths pass by."""
    def guard() -> Response | None:
        exc = request.routing_exception
        if exc is None or not isinstance(exc, NotFound | MethodNotAllowed):
            return None
        path = request.path
        if prefix and path != prefix and not path.startswith(prefix + "/"):
            return None
        return from_http_exception(exc)
    return guard
