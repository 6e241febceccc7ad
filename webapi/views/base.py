"""What every API blueprint shares: the problem handlers and the body-size limit."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from webapi import errors
from webapi.api import state
from webapi.inputs import refuse_unstorable_text


def _limit_body() -> None:
    # Per request, so the host app's own MAX_CONTENT_LENGTH (if any) stays its own.
    request.max_content_length = state().settings.max_body


def blueprint(name: str, description: str, url_prefix: str = "") -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    errors.install(bp)
    bp.before_request(_limit_body)
    bp.before_request(refuse_unstorable_text)
    return bp
