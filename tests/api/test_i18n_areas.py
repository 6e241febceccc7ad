"""One representative problem per area, asked twice: zh-CN by default, English with
``Accept-Language: en``. The text changes; the status, the ``code``, the ``type``, every
JSON key and the field names under ``errors`` do not. Both engines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.api.conftest import Api, make_api
from timebank import Timebank

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b(the|is|are|not|no|cannot|may|has|of|for|to|a)\b")
EN = {"Accept-Language": "en"}


@pytest.fixture
def red(tb: Timebank) -> Iterator[Api]:
    """``sjhy`` on the red_vest rulebook, members m1..m3, m1 with 300 minutes."""
    tb.communities.create("sjhy", "世纪花园社区", rulebook="red_vest")
    for i in range(1, 4):
        tb.members.add("sjhy", f"m{i}", f"居民{i}")
    tb.ledger.award("sjhy", "m1", 300, unit="minutes", key="min-m1")
    yield make_api(tb, "sjhy")


def messages(problem: dict[str, Any]) -> list[str]:
    return [m for listed in problem.get("errors", {}).values() for m in listed]


def both(ask: Callable[[dict[str, str]], Any], status: int, code: str
         ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same problem in Chinese (no header) and in English; the parts that must not
    follow the language are checked to be the same."""
    zh_r, en_r = ask({}), ask(EN)
    zh, en = zh_r.get_json(), en_r.get_json()
    assert (zh_r.status_code, en_r.status_code) == (status, status), (zh, en)
    assert zh["code"] == en["code"] == code
    assert zh["type"] == en["type"] == f"urn:timebank:problem:{code}"
    assert set(zh) == set(en)
    assert set(zh.get("errors", {})) == set(en.get("errors", {}))
    assert (zh_r.headers["Content-Language"], en_r.headers["Content-Language"]) == \
        ("zh-CN", "en")
    for text in (zh["title"], zh["detail"], *messages(zh)):
        for field in zh.get("errors", {}):  # a field's name is English in every language
            text = text.replace(f"{field}:", "")
        assert CJK.search(text) and not ENGLISH.search(text), text
    for text in (en["title"], en["detail"], *messages(en)):
        assert not CJK.search(text), text
    return zh, en


def test_a_member_key_on_a_clerk_route_is_forbidden_in_either_language(red: Api) -> None:
    zh, en = both(lambda h: red.as_("member").get("/members", headers=h), 403, "forbidden")
    assert zh["title"] == "无权操作" and zh["detail"] == "成员角色不能执行此操作"
    assert en["title"] == "Not allowed" and en["detail"] == "the member role may not do this"
    assert zh["role"] == en["role"] == "member"


def test_a_bad_rule_is_refused_in_either_language_naming_the_same_field(red: Api) -> None:
    rule = {"basis": "per_hour", "rate": 5, "caps": {"day": 1}}
    zh, en = both(lambda h: red.put("/rules/errand", json=rule, headers=h), 422,
                  "validation_error")
    assert zh["title"] == "输入无效" and "上限 1 低于计分标准 5" in zh["detail"]
    assert en["title"] == "Invalid input" and "cap 1 is below the rate 5" in en["detail"]
    assert set(zh["errors"]) == {"caps.day"}
    assert red.get("/rules/errand").get_json()["rate"] != 5  # nothing written


def test_claiming_ones_own_request_is_refused_in_either_language(red: Api) -> None:
    made = red.as_("member").post("/requests", {
        "member": "m1", "title": "买菜", "category": "errands", "minutes": 60,
        "needed_on": "2030-01-05", "place": "3栋"})
    rid = made.get_json()["id"]
    zh, en = both(lambda h: red.as_("clerk").post(f"/requests/{rid}/claim",
                                                  {"member": "m1"}, headers=h),
                  403, "forbidden")
    assert zh["detail"] == "成员不能接自己发布的需求"
    assert en["detail"] == "a member cannot claim their own request"
    assert zh["field"] == en["field"] == "member"
    assert red.as_("clerk").get(f"/requests/{rid}").get_json()["status"] == "open"


def test_a_certificate_for_an_empty_period_is_refused_in_either_language(red: Api) -> None:
    period = {"member": "m1", "from": "2025-06-01", "to": "2025-06-30"}
    zh, en = both(lambda h: red.as_("clerk").post("/certificates", period, headers=h),
                  422, "validation_error")
    assert "2025-06-01 至 2025-06-30" in zh["detail"] and "零时长不出具证明" in zh["detail"]
    assert "no certificate is issued for zero hours" in en["detail"]
    assert set(zh["errors"]) == {"from"}


def test_a_bad_field_names_the_field_in_english_and_explains_it_in_either_language(
        red: Api) -> None:
    body = {"member": "m1", "from": "2025-06-30", "to": "2025-06-01"}
    zh, en = both(lambda h: red.as_("clerk").post("/certificates", body, headers=h),
                  422, "validation_error")
    assert zh["errors"]["to"] == ["期间的结束日期早于开始日期"]
    assert en["errors"]["to"] == ["the period ends before it starts"]
