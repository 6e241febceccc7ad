"""Dues and honours over HTTP on both engines: a contribution (one or a batch) names the
month it pays for; a member behind on dues answers 409 ``not_eligible`` naming the unpaid
months; ``GET /honours`` lists honour hours for clerks and admins only."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_api
from tests.integration.test_dues import BOOK
from timebank.domain.rulebook import loads


@pytest.fixture
def dapi(tb, community):
    tb.rules.install(community, loads(BOOK))
    tb.members.update(community, "m1", roles=["party_member"])
    tb.members.update(community, "m2", roles=["party_member"])
    return make_api(tb, community)


def test_april_dues_paid_in_march_earn_april_s_point_over_http(dapi):
    clerk = dapi.as_("clerk")
    march = clerk.post("/contributions", {"member": "m1", "rule": "dues",
                                          "occurred_on": "2025-03-05"})
    april = clerk.post("/contributions", {"member": "m1", "rule": "dues",
                                          "occurred_on": "2025-03-05", "period": "2025-04"})
    assert march.status_code == april.status_code == 201, april.get_json()
    assert (april.get_json()["points"], april.get_json()["capped"]) == (1, False)
    stored = clerk.get(f"/contributions/{april.get_json()['id']}").get_json()
    assert stored["period"] == "2025-04"


def test_a_batch_names_the_period_it_pays_for(dapi):
    done = dapi.as_("clerk").post("/contributions/batch", {
        "rule": "dues", "members": ["m1", "m2"], "occurred_on": "2025-03-05",
        "period": "2025-04"})
    assert done.status_code == 201, done.get_json()
    ids = [c["id"] for c in done.get_json()["contributions"]]
    assert {dapi.get(f"/contributions/{i}").get_json()["period"] for i in ids} == {"2025-04"}


@pytest.mark.parametrize("period", ["2025-4", "2025-13", "April", 202504])
def test_a_malformed_period_is_a_422_naming_the_field(dapi, period):
    answer = dapi.as_("clerk").post("/contributions", {
        "member": "m1", "rule": "dues", "occurred_on": "2025-03-05", "period": period})
    assert answer.status_code == 422
    assert "period" in answer.get_json()["errors"]


def test_a_member_behind_on_dues_is_refused_with_the_unpaid_months_then_pays(dapi):
    clerk = dapi.as_("clerk")
    shift = {"member": "m1", "rule": "duty_shift", "quantity": 2,
             "occurred_on": "2025-03-20"}
    refused = clerk.post("/contributions", shift, idem="shift-1")
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["code"] == "not_eligible" and body["unpaid"] == ["2025-01", "2025-02",
                                                                  "2025-03"]
    assert "2025-01, 2025-02, 2025-03" in body["detail"]
    english = clerk.post("/contributions", shift, idem="shift-1",
                         headers={"Accept-Language": "en"}).get_json()
    assert "unpaid" in english["detail"] and "dues" in english["detail"]
    for month in ("2025-01", "2025-02"):
        paid = clerk.post("/contributions", {"member": "m1", "rule": "dues",
                                             "occurred_on": "2025-03-20", "period": month})
        assert paid.status_code == 201
    done = clerk.post("/contributions", shift, idem="shift-1")
    assert done.status_code == 201 and done.get_json()["points"] == 2


def test_honours_are_listed_for_clerks_and_admins_with_filters(dapi, community):
    bank = dapi.bank
    bank.contributions.record(community, "m1", "patrol", key="p", quantity=2,
                              occurred_on="2025-03-01", recorded_by="clerk-a")
    made = dapi.as_("clerk").post("/honours", {"activity_date": "2025-03-01",
                                               "rule": "patrol", "members": ["m1"],
                                               "minutes": 30, "reason": "带队"})
    assert made.status_code == 201, made.get_json()
    listed = dapi.as_("clerk").get("/honours?status=pending&member=m1")
    assert listed.status_code == 200
    body = listed.get_json()
    assert [h["id"] for h in body["items"]] == [made.get_json()["id"]]
    assert body["items"][0]["members"] == ["m1"] and body["next"] is None
    assert dapi.get("/honours?status=approved").get_json()["items"] == []
    assert dapi.get("/honours?from=2025-04-01").get_json()["items"] == []
    assert dapi.as_("member").get("/honours").status_code == 403
    assert dapi.as_("kiosk").get("/honours").status_code == 403
    assert dapi.get("/honours?status=lost").status_code == 422
    assert dapi.get("/honours?from=2025-04-01&to=2025-03-01").status_code == 422
    assert dapi.get("/honours?member=ghost").status_code == 404
