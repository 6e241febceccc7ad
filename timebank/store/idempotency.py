"""Idempotency keys: a replayed request returns its first result and writes nothing.

A key is claimed by inserting it: the unique index on (community, key) decides, so two
racing requests with one key cannot both do the work. On PostgreSQL the second insert
waits for the first transaction and then sees its committed row. The request is stored
as the caller sent it (every field, sign and order), so any difference is a conflict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.errors import IdempotencyConflict, ValidationError
from timebank.i18n import T
from timebank.store import jsontext
from timebank.store.fast import Statement, among, insert_rows
from timebank.store.tables import idempotency_keys
from timebank.timeutil import utcnow

MAX_KEY = 200
CHUNK = 5000

# JSON as it is stored: dates and other values as text, keys sorted.
def _stored_text(value: Any) -> str:
    return jsontext.dumps(value, sort_keys=True)


def canonical(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as JSON would store it, so a stored and a fresh request compare equal."""
    return dict(json.loads(_stored_text(request)))


def check_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        raise ValidationError(
            T("an idempotency key is a non-empty string of at most {max_key} characters",
              max_key=MAX_KEY),
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


@attrs.frozen
class Claim:
    """A claimed key (``id`` to answer on), or a replay (``stored`` response)."""

    id: int | None
    stored: Mapping[str, Any] | None = None


_SET_RESPONSE = Statement(idempotency_keys.update()
                          .where(idempotency_keys.c.id == sa.bindparam("p_id"))
                          .values(response=sa.bindparam("p_response")))
# INSERT ... ON CONFLICT (community_id, key) DO NOTHING: the same SQL on both engines.
_CLAIM = Statement(sa.text(
    "INSERT INTO idempotency_keys (community_id, key, request, created_at) "
    "VALUES (:p_community, :p_key, :p_request, :p_created) "
    "ON CONFLICT (community_id, key) DO NOTHING RETURNING id"))
_STORED = Statement(
    sa.select(idempotency_keys.c.request, idempotency_keys.c.response)
    .where(idempotency_keys.c.community_id == sa.bindparam("p_community"),
           idempotency_keys.c.key == sa.bindparam("p_key")))


def claim(conn: Connection, community_id: int, key: str, request: Mapping[str, Any]) -> Claim:
    """Claim ``key`` for ``request``; a key already used answers its stored response, or
    raises ``IdempotencyConflict`` naming the first field that differs."""
    check_key(key)
    request_text = _stored_text(request)
    claimed = _CLAIM.one(conn, {"p_community": community_id, "p_key": key,
                                "p_request": request_text, "p_created": utcnow()})
    if claimed is not None:
        return Claim(int(claimed[0]))
    row = _STORED.one(conn, {"p_community": community_id, "p_key": key})
    assert row is not None
    stored_request, response = row
    field = differing_field(stored_request, json.loads(request_text))
    if field is not None:
        raise IdempotencyConflict(
            T("idempotency key {key!r} was first used with a different {field!r}", key=key,
              field=field),
            field=field)
    return Claim(None, response or {})


def answer(conn: Connection, claim_id: int | None, response: Any) -> None:
    """Store the response a replay of the claimed key will get."""
    _SET_RESPONSE.run(conn, {"p_id": claim_id, "p_response": _stored_text(response)})


def claimed(conn: Connection, community_id: int, requests: Mapping[str, Mapping[str, Any]]
            ) -> dict[str, dict[str, Any]]:
    """The stored responses of those ``requests`` (key → request) whose key is already
    used; raises ``IdempotencyConflict`` when a key was used for a different request."""
    found: dict[str, dict[str, Any]] = {}
    keys = list(requests)
    for start in range(0, len(keys), CHUNK):
        rows = conn.execute(
            sa.select(idempotency_keys.c.key, idempotency_keys.c.request,
                      idempotency_keys.c.response)
            .where(idempotency_keys.c.community_id == community_id,
                   among(idempotency_keys.c.key, keys[start:start + CHUNK],
                         conn.dialect.name))).all()
        for key, request, response in rows:
            field = differing_field(request, canonical(requests[key]))
            if field is not None:
                raise IdempotencyConflict(
                    T("idempotency key {key!r} was first used with a different {field!r}",
                      key=key, field=field),
                    field=field, key=key)
            found[key] = dict(response or {})
    return found


def store_many(conn: Connection, community_id: int,
               answered: Sequence[tuple[str, Mapping[str, Any], Any]]) -> None:
    """Store fresh keys with their requests and responses in bulk (keys must be new:
    see ``claimed``; a reused one fails the transaction on the unique index)."""
    now = utcnow()
    insert_rows(conn, idempotency_keys, [
        {"community_id": community_id, "key": key, "request": request, "response": response,
         "created_at": now} for key, request, response in answered])
