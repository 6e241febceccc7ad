"""``POST /contributions/approve`` and ``GET /imports/{id}`` over HTTP, on both engines:
a clerk's import approved by another key in one act, reviewed first, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from timebank.io.contribution_import import contribution_plan
from timebank.io.importing import run_import
from timebank.timeutil import local_date, utcnow


def import_sheet(api, tmp_path, actor: str) -> int:
    """Six errands imported by ``actor`` (one of them 40 days old: flagged late)."""
    bank = api.bank
    bank.rules.install("sjhy", "red_vest")
    day = local_date(utcnow(), "Asia/Shanghai")
    rows = [(f"m{1 + i % 5}", day - timedelta(days=40 if i == 2 else 1 + i)) for i in range(6)]
    path = tmp_path / f"{actor}.csv".replace(":", "-")
    path.write_text("member,rule,quantity,occurred_on\n" + "".join(
        f"{m},errand,1,{d}\n" for m, d in rows), encoding="utf-8")
    report = run_import(bank.store, "sjhy", path, contribution_plan("sjhy", actor=actor))
    assert report.ok
    return report.import_id


@pytest.fixture
def sheet(api, tmp_path):
    """An import by clerk A (not the fixture's clerk key)."""
    return import_sheet(api, tmp_path, "clerk-A")


def test_a_clerk_reviews_then_approves_an_import_and_a_replay_approves_nothing(api, sheet):
    clerk = api.as_("clerk")
    summary = clerk.get(f"/imports/{sheet}")
    assert summary.status_code == 200
    got = summary.get_json()
    assert (got["rows"], got["added"], got["pending"], got["flagged"]) == (6, 6, 6, 1)
    flagged = clerk.get(f"/contributions?status=pending&import={sheet}&flagged=true")
    assert flagged.status_code == 200
    [item] = flagged.get_json()["items"]
    assert item["flags"][0]["kind"] == "late"

    first = clerk.post("/contributions/approve", {"import": sheet}, idem="bulk-1")
    assert first.status_code == 200
    body = first.get_json()
    assert body["approved"] == 5 and body["skipped"] == [
        {"id": item["id"], "reason": "flagged", "detail": "late"}]
    replay = clerk.post("/contributions/approve", {"import": sheet}, idem="bulk-1")
    assert replay.status_code == 200 and replay.get_json() == body
    conflict = clerk.post("/contributions/approve", {"import": sheet, "rule": "errand"},
                          idem="bulk-1")
    assert conflict.status_code == 409 and conflict.get_json()["code"] == "idempotency_conflict"
    assert clerk.get(f"/imports/{sheet}").get_json()["still_pending"] == 1


def test_an_approver_who_recorded_them_all_is_answered_200_with_all_skipped(api, tmp_path):
    clerk = api.as_("clerk")
    actor = api.bank.keys.resolve(api.tokens["clerk"]).actor
    mine = import_sheet(api, tmp_path, actor)
    answer = clerk.post("/contributions/approve", {"import": mine, "include_flagged": True})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["approved"] == 0 and len(body["skipped"]) == 6
    assert {s["reason"] for s in body["skipped"]} == {"self_approval"}
    assert clerk.get(f"/imports/{mine}").get_json()["still_pending"] == 6


def test_bad_bulk_approvals_get_their_codes(api, sheet):
    clerk = api.as_("clerk")
    missing = clerk.post("/contributions/approve", {"import": 999_999})
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    assert clerk.get("/imports/999999").status_code == 404
    nothing = clerk.post("/contributions/approve", {"rule": "patrol"})
    assert nothing.status_code == 200 and nothing.get_json() == {
        "approved": 0, "points": 0, "approver": nothing.get_json()["approver"], "skipped": [],
        "capped": []}
    too_many = clerk.post("/contributions/approve", {"ids": list(range(1, 100_002))})
    assert too_many.status_code == 422
    problem = too_many.get_json()
    assert problem["code"] == "validation_error" and "100000" in str(problem["errors"]["ids"])
    no_key = clerk.post("/contributions/approve", {"import": sheet}, idem=None)
    assert no_key.status_code == 422
    empty = clerk.post("/contributions/approve", {})
    assert empty.status_code == 422
    both = clerk.post("/contributions/approve", {"ids": [1], "rule": "errand"})
    assert both.status_code == 422
    assert api.as_("member").post("/contributions/approve", {"import": sheet}).status_code \
        == 403
    assert api.as_("kiosk").get(f"/imports/{sheet}").status_code == 403
