"""Idempotency keys: a replayed request returns its first result and writes nothing.

A key is claimed by inserting it: the unique index on (community, key) decides, so two
racing requests with one key cannot both do the work. On PostgreSQL the second insert
waits for the first transaction and then sees its committed row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.errors import IdempotencyConflict, ValidationError
from timebank.store.fast import Statement
from timebank.store.tables import idempotency_keys
from timebank.timeutil import utcnow

MAX_KEY = 200


# JSON as it is stored: dates and other values as text, keys sorted.
_stored_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                                default=str).encode


def canonical(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as JSON would store it, so a stored and a fresh request compare equal."""
    return json.loads(_stored_text(request))


def check_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        raise ValidationError(
            f"an idempotency key is a non-empty string of at most {MAX_KEY} characters",
            field="idempotency_key")
    return key


def differing_field(first: Mapping[str, Any], second: Mapping[str, Any]) -> str | None:
    """The first field (in sorted order) whose value differs between two requests."""
    for name in sorted(set(first) | set(second)):
        if first.get(name, _MISSING) != second.get(name, _MISSING):
            return name
    return None


_MISSING = object()


def insert_ignoring_conflicts(conn: Connection, table: sa.Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the connection's dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


_SET_RESPONSE = Statement(idempotency_keys.update()
                          .where(idempotency_keys.c.id == sa.bindparam("p_id"))
                          .values(response=sa.bindparam("p_response")))
# INSERT ... ON CONFLICT (community_id, key) DO NOTHING: the same SQL on both engines.
_CLAIM = Statement(sa.text(
    "INSERT INTO idempotency_keys (community_id, key, request, created_at) "
    "VALUES (:p_community, :p_key, :p_request, :p_created) "
    "ON CONFLICT (community_id, key) DO NOTHING RETURNING id"))


def once(conn: Connection, community_id: int, key: str, request: Mapping[str, Any],
         work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` once per key; return its (JSON-shaped) result, first or replayed."""
    check_key(key)
    request_text = _stored_text(request)
    claimed = _CLAIM.one(conn, {"p_community": community_id, "p_key": key,
                                "p_request": request_text, "p_created": utcnow()})
    if claimed is None:
        return replay(conn, community_id, key, json.loads(request_text))
    response_text = _stored_text(work())
    _SET_RESPONSE.run(conn, {"p_id": claimed[0], "p_response": response_text})
    # What a replay will read back, so the first answer and a replayed one are alike.
    return dict(json.loads(response_text))


def replay(conn: Connection, community_id: int, key: str,
           req: Mapping[str, Any]) -> dict[str, Any]:
    """The stored result for ``key``, if ``req`` is the request it was first used for."""
    row = conn.execute(
        sa.select(idempotency_keys.c.request, idempotency_keys.c.response)
        .where(idempotency_keys.c.community_id == community_id,
               idempotency_keys.c.key == key)
    ).one()
    field = differing_field(row.request, req)
    if field is not None:
        raise IdempotencyConflict(
            f"idempotency key {key!r} was first used with a different {field!r}",
            field=field)
    return dict(row.response)
