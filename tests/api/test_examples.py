"""The examples run as they are shipped, and the demo builder builds its community."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

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


def test_the_host_app_example_embeds_the_api_behind_its_own_login(tmp_path) -> None:
    result = load("host_app").main(f"sqlite:///{tmp_path / 'host.db'}")
    assert result["adjusted"] == 201 and result["stranger"] == 401
    assert result["balance"]["balances"]["points"]["available"] == 20
    assert result["host_404"] == "<p>the host's own 404 page</p>"


def test_the_custom_rulebook_example_installs_and_caps(tmp_path) -> None:
    result = load("custom_rulebook").main(f"sqlite:///{tmp_path / 'rules.db'}")
    assert result["rules"] == ["friday_duty", "sharpening", "study_day"]
    assert result["balance"] == 12 and result["capped"] is True


def test_the_desk_spends_once_when_a_request_is_retried(tmp_path) -> None:
    bank = Timebank(f"sqlite:///{tmp_path / 'desk.db'}")
    bank.init()
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
    bank.close()


def test_the_demo_builds_its_community_once(tmp_path) -> None:
    from timebank.demo import CODE, build

    bank = Timebank(f"sqlite:///{tmp_path / 'demo.db'}")
    bank.init()
    first = build(bank, members=40)
    assert first.created and first.members == 40
    assert len(bank.units.list(CODE, kind="grid")) == 10
    assert bank.verify(CODE).ok
    assert not build(bank, members=40).created
    bank.close()
