"""``GET /healthz``: the process answers and the database is reachable (no key needed)."""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import ServiceUnavailable

from webapi.api import bank
from webapi.schemas.system import Health
from webapi.views.base import blueprint

bp = blueprint("system", "Liveness and readiness.")


@bp.route("/healthz", methods=["GET"])
@bp.doc(operationId="healthz")
@bp.response(200, Health)
def healthz() -> dict[str, Any]:
    """Health check: the process answers and the database is reachable."""
    store = bank().store
    if not store.ping():
        raise ServiceUnavailable("the database does not answer")
    return {"status": "ok", "database": store.dialect}
