"""Problem titles and details follow Accept-Language (zh-CN by default); the code and
every field name stay the same in every language."""

from __future__ import annotations

from tests.api.conftest import Api


def en(headers: dict[str, str] | None = None) -> dict[str, str]:
    return {"Accept-Language": "en-US,en;q=0.9", **(headers or {})}


def test_an_unknown_member_is_reported_in_chinese_by_default(api: Api) -> None:
    body = api.get("/members/nobody/balance").get_json()
    assert body["code"] == "not_found" and body["title"] == "未找到"
    assert body["detail"] == "找不到成员 “nobody”"


def test_the_same_problem_is_english_with_accept_language_en_and_keeps_its_fields(
        api: Api) -> None:
    zh = api.get("/members/nobody/balance")
    en_ = api.get("/members/nobody/balance", headers=en())
    assert en_.get_json()["title"] == "Not found"
    assert en_.get_json()["detail"] == "unknown member 'nobody'"
    assert set(zh.get_json()) == set(en_.get_json())
    assert zh.get_json()["code"] == en_.get_json()["code"]
    assert zh.headers["Content-Language"] == "zh-CN" and en_.headers["Content-Language"] == "en"
    assert "Accept-Language" in en_.headers["Vary"]


def test_insufficient_points_speaks_both_languages(api: Api) -> None:
    transfer = {"from": "m1", "to": "m2", "amount": 999_999, "unit": "points"}
    zh = api.post("/transfers", json=transfer).get_json()
    en_ = api.post("/transfers", json=transfer, headers=en()).get_json()
    assert zh["code"] == en_["code"] == "insufficient_points", zh
    assert zh["title"] == "积分不足" and "可用" in zh["detail"] and "需要 999999" in zh["detail"]
    assert en_["title"] == "Insufficient points" and "999999 needed" in en_["detail"]


def test_validation_messages_of_fields_are_translated_but_fields_are_not(api: Api) -> None:
    zh = api.post("/members", json={"code": "", "name": 7}).get_json()
    en_ = api.post("/members", json={"code": "", "name": 7}, headers=en()).get_json()
    assert set(zh["errors"]) == set(en_["errors"]) == {"code", "name"}
    assert zh["title"] == "输入无效" and en_["title"] == "Invalid input"
    assert zh["errors"]["name"] == ["不是有效的字符串。"]
    assert en_["errors"]["name"] == ["Not a valid string."]


def test_an_unknown_language_is_answered_in_chinese_without_error(api: Api) -> None:
    response = api.get("/members/nobody/balance", headers={"Accept-Language": "fr-FR, *"})
    assert response.status_code == 404 and response.get_json()["title"] == "未找到"
