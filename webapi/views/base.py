"""What every API blueprint shares: the problem handlers, the body-size limit and the
body's media type."""

from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint

from timebank.i18n import T
from webapi import errors
from webapi.api import state
from webapi.inputs import refuse_unstorable_text


def _limit_body() -> None:
    # Per request, so the host app's own MAX_CONTENT_LENGTH (if any) stays its own.
    request.max_content_length = state().settings.max_body


def _refuse_other_media_types() -> Response | None:
    """A body on POST/PUT/PATCH must be JSON: anything else (``text/plain``, a form, no
    content type at all) answers 415 naming what was sent, not a 422 about fields the
    body was never read for."""
    if request.method not in ("POST", "PUT", "PATCH") or request.is_json:
        return None
    if not request.content_length and "chunked" not in request.headers.get(
            "Transfer-Encoding", "").lower():
        return None
    sent = request.mimetype
    return errors.problem("unsupported_media_type",
                          T("the body is sent as {sent}; send application/json", sent=sent)
                          if sent else T("the body is sent without a content type; send "
                                         "application/json"),
                          extra={"content_type": request.content_type or ""})


def blueprint(name: str, description: str, url_prefix: str = "") -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    errors.install(bp)
    bp.before_request(_limit_body)
    bp.before_request(_refuse_other_media_types)
    bp.before_request(refuse_unstorable_text)
    return bp
