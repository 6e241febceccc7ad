"""Fixtures for the HTTP API: an app over the ``tb`` fixture (SQLite and PostgreSQL), a
community with members, and a key of every role."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from timebank import Timebank
from webapi import create_app

PREFIX = "/api/v1"
_keys = itertools.count()


class Api:
    """A test client that speaks as one of the fixture's keys: ``api.as_("clerk").post(...)``."""

    def __init__(self, app: Flask, bank: Timebank, tokens: dict[str, str]) -> None:
        self.app = app
        self.bank = bank
        self.tokens = tokens
        self.client: FlaskClient = app.test_client()
        self.role: str | None = "admin"

    def as_(self, role: str | None) -> Api:
        other = Api.__new__(Api)
        other.__dict__.update(self.__dict__)
        other.role = role
        return other

    def headers(self, key: str | None = None, idem: str | bool | None = True,
                extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        token = key if key is not None else self.tokens.get(self.role or "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if idem is True:
            headers["Idempotency-Key"] = f"k{next(_keys)}"
        elif idem:
            headers["Idempotency-Key"] = idem
        return headers

    def request(self, method: str, path: str, *, json: Any = None, idem: str | bool | None =
                True, key: str | None = None, headers: dict[str, str] | None = None,
                **kwargs: Any) -> Any:
        return self.client.open(PREFIX + path, method=method, json=json,
                                headers=self.headers(key, idem, headers), **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, idem=None, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=json, idem=None, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, idem=None, **kwargs)


def make_api(bank: Timebank, community: str = "sjhy") -> Api:
    tokens = {
        "platform": bank.keys.create("admin").token,
        "admin": bank.keys.create("admin", community=community).token,
        "clerk": bank.keys.create("clerk", community=community).token,
        "kiosk": bank.keys.create("kiosk", community=community).token,
        "member": bank.keys.create("member", community=community, member="m1").token,
    }
    return Api(create_app(timebank=bank), bank, tokens)


@pytest.fixture
def api(tb: Timebank, community: str) -> Iterator[Api]:
    """The API over ``sjhy`` (members m1..m5, card of m2 is ``C2``), admin key by default."""
    tb.members.update(community, "m2", card="C2", phone="13800000002")
    tb.ledger.award(community, "m1", 100, key="seed-m1", reason="seed")
    tb.ledger.award(community, "m2", 40, key="seed-m2", reason="seed")
    yield make_api(tb, community)
