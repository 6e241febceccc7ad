"""``GET /healthz``: the process answers and the database is reachable (no key needed)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from webapi.api import bank
from webapi.views.base import blueprint

bp = blueprint("system", "Liveness and readiness.")


class Health(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    database = fields.String(required=True, metadata={"example": "sqlite"})


@bp.route("/healthz", methods=["GET"])
@bp.doc(operationId="healthz")
@bp.response(200, Health)
def healthz() -> dict[str, Any]:
    """Health check: the process answers and the database is reachable."""
    store = bank().store
    with store.read() as conn:
        conn.exec_driver_sql("SELECT 1")
    return {"status": "ok", "database": store.dialect}
