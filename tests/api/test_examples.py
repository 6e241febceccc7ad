"""The examples run as they are shipped, and the demo builder builds its community, on
each engine (``db_url``: a SQLite file, or a PostgreSQL schema of its own)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask

from tests.api.conftest import PREFIX
from timebank import Timebank
from webapi import create_app

EXAMPLES = Path(__file__).parents[2] / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_host_app_example_embeds_the_api_behind_its_own_login(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    example = load("host_app")
    made: list[Flask] = []
    create_host_app = example.create_host_app

    def create_and_keep(url: str) -> Flask:
        made.append(create_host_app(url))
        return made[-1]

    # The example leaves its bank open; close it here so that no PostgreSQL connection
    # is left for the garbage collector (a ResourceWarning in some later test).
    monkeypatch.setattr(example, "create_host_app", create_and_keep)
    try:
        result = example.main(db_url)
    finally:
        for app in made:
            app.extensions["timebank"].bank.close()
    assert result["adjusted"] == 201 and result["stranger"] == 401
    assert result["balance"]["balances"]["points"]["available"] == 20
    assert result["host_404"] == "<p>the host's own 404 page</p>"


def test_the_custom_rulebook_example_installs_and_caps(db_url: str) -> None:
    result = load("custom_rulebook").main(db_url)
    assert result["rules"] == ["friday_duty", "sharpening", "study_day"]
    assert result["balance"] == 12 and result["capped"] is True


def test_the_desk_spends_once_when_a_request_is_retried(tb: Timebank) -> None:
    bank = tb  # migrated and empty, on each engine; the fixture closes it
    bank.communities.create("sjhy", "世纪花园社区")
    bank.members.add("sjhy", "m1", "张三", card="SJ001")
    bank.ledger.award("sjhy", "m1", 50, key="seed", reason="seed")
    bank.gifts.create("sjhy", "soap", name="香皂", cost=12, stock=5)
    bank.service_days.open("sjhy", "d1", name="周五兑换日", day="2026-11-20")
    token = bank.keys.create("kiosk", community="sjhy").token
    client = create_app(timebank=bank).test_client()
    sent: list[str] = []

    def flaky(method: str, path: str, body: dict[str, Any], headers: dict[str, str]
              ) -> tuple[int, dict[str, Any]]:
        """Delivers every request, but loses the first answer (a dropped connection)."""
        response = client.open(PREFIX + path, method=method, json=body, headers={
            "Authorization": f"Bearer {token}", **headers})
        sent.append(headers["Idempotency-Key"])
        if len(sent) == 1:
            raise ConnectionResetError("answer lost")
        return response.status_code, response.get_json()

    desk = load("service_day_desk").Desk(flaky, service_day="d1")
    handed = desk.hand_over("SJ001", "soap")
    assert handed["http_status"] == 201 and handed["answer"]["balance_after"] == 38
    assert len(sent) == 2 and sent[0] == sent[1]
    assert bank.ledger.balance("sjhy", "m1")["points"].posted == 38
    assert bank.gifts.get("sjhy", "soap").stock == 4


def test_the_demo_builds_its_community_once(tb: Timebank) -> None:
    from timebank.demo import CODE, build

    bank = tb  # migrated and empty, on each engine; the fixture closes it
    first = build(bank, members=40)
    assert first.created and first.members == 40
    assert len(bank.units.list(CODE, kind="grid")) == 10
    assert bank.verify(CODE).ok
    assert not build(bank, members=40).created


def test_the_desk_script_exits_non_zero_and_says_why_when_the_server_refuses(
        tb: Timebank, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    tb.communities.create("sjhy", "世纪花园社区")
    client = create_app(timebank=tb).test_client()
    example = load("service_day_desk")

    def sender(base_url: str, api_key: str) -> Any:
        def send(method: str, path: str, body: dict[str, Any], headers: dict[str, str]
                 ) -> tuple[int, dict[str, Any]]:
            response = client.open(PREFIX + path, method=method, json=body, headers={
                "Authorization": f"Bearer {api_key}", **headers})
            return response.status_code, response.get_json()
        return send

    monkeypatch.setattr(example, "http_sender", sender)
    assert example.main(["http://desk.invalid/api/v1", "no-such-key", "SJ001", "soap"]) == 1
    assert "failed: HTTP 401 unauthorized" in capsys.readouterr().err


def test_the_desk_script_exits_non_zero_when_the_server_cannot_be_reached(
        capsys: pytest.CaptureFixture[str]) -> None:
    example = load("service_day_desk")
    assert example.main(["http://127.0.0.1:9/api/v1", "key", "SJ001", "soap"]) == 1
    assert "failed: could not reach http://127.0.0.1:9/api/v1" in capsys.readouterr().err
    assert example.main([]) == 2
