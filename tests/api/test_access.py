"""Who may do what: the role × endpoint matrix, community isolation, member scoping, and
API keys (created by the library and the CLI, stored only as hashes)."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.api.conftest import Api, make_api
from timebank import Timebank
from timebank.cli import main
from timebank.errors import Unauthorized, ValidationError
from timebank.store.tables import api_keys

ALL = {"admin", "clerk", "kiosk", "member", "platform"}
# (method, path, body, roles allowed). "platform" is an admin key without a community:
# it may act on a community only when it names one (tested below), so without the
# header it is refused with 422, not 403, and counts as "allowed" here.
MATRIX = [
    ("POST", "/communities", {"code": "new", "name": "n"}, {"platform"}),
    ("GET", "/communities/sjhy", None, {"admin", "clerk", "kiosk", "platform"}),
    ("POST", "/units", {"code": "g1", "name": "g", "kind": "grid"}, {"admin", "platform"}),
    ("GET", "/units", None, {"admin", "clerk", "platform"}),
    ("POST", "/members", {"code": "m8", "name": "n"}, {"admin", "platform"}),
    ("GET", "/members?card=C2", None, {"admin", "clerk", "kiosk", "platform"}),
    ("GET", "/members/m1", None, {"admin", "clerk", "kiosk", "platform"}),
    ("PATCH", "/members/m1", {"name": "n"}, {"admin", "platform"}),
    ("GET", "/members/m1/balance", None, ALL),
    ("GET", "/members/m2/balance", None, ALL - {"member"}),
    ("GET", "/members/m1/statement", None, {"admin", "clerk", "member", "platform"}),
    ("GET", "/members/m1/tier", None, ALL),
    ("GET", "/members/m2/tier", None, ALL - {"member"}),
    ("GET", "/rules", None, {"admin", "clerk", "platform"}),
    ("GET", "/rules/errand", None, {"admin", "clerk", "platform"}),
    ("PUT", "/rules/errand", {"basis": "per_occurrence", "rate": 1}, {"admin", "platform"}),
    ("POST", "/contributions", {"member": "m1", "rule": "errand"},
     {"admin", "clerk", "platform"}),
    ("POST", "/contributions/batch", {"rule": "errand", "members": ["m1"]},
     {"admin", "clerk", "platform"}),
    ("POST", "/contributions/1/approve", None, {"admin", "clerk", "platform"}),
    ("POST", "/contributions/1/reject", {"reason": "r"}, {"admin", "clerk", "platform"}),
    ("GET", "/contributions", None, {"admin", "clerk", "platform"}),
    ("POST", "/adjustments", {"member": "m1", "amount": 1, "reason": "r"},
     {"admin", "platform"}),
    ("POST", "/entries/1/reverse", {"reason": "r"}, {"admin", "platform"}),
    ("GET", "/tiers", None, {"admin", "clerk", "kiosk", "platform"}),
    ("POST", "/gifts", {"code": "g", "name": "g", "cost": 1}, {"admin", "platform"}),
    ("GET", "/gifts", None, {"admin", "clerk", "kiosk", "platform"}),
    ("PATCH", "/gifts/g", {"cost": 2}, {"admin", "platform"}),
    ("POST", "/gifts/g/restock", {"quantity": 1, "reason": "r"}, {"admin", "platform"}),
    ("POST", "/service-days", {"code": "d", "name": "d", "day": "2026-11-20"},
     {"admin", "clerk", "platform"}),
    ("GET", "/service-days/d/summary", None, {"admin", "clerk", "kiosk", "platform"}),
    ("POST", "/redemptions", {"member": "m1", "items": [{"gift": "g"}]},
     {"admin", "clerk", "kiosk", "platform"}),
    ("POST", "/redemptions/1/fulfil", None, {"admin", "clerk", "kiosk", "platform"}),
    ("POST", "/redemptions/1/cancel", None, {"admin", "clerk", "kiosk", "platform"}),
    ("GET", "/redemptions", None, {"admin", "clerk", "platform"}),
    ("POST", "/transfers", {"from": "m1", "to": "m2", "amount": 1, "unit": "points"},
     {"admin", "clerk", "platform"}),
    ("GET", "/audit/verify", None, {"admin", "platform"}),
    ("GET", "/reports/monthly?month=2024-03", None, {"admin", "clerk", "platform"}),
    ("GET", "/reports/leaderboard?period=2024", None, {"admin", "clerk", "platform"}),
    ("GET", "/reports/participation?month=2024-03&rule=errand", None,
     {"admin", "clerk", "platform"}),
]


@pytest.fixture
def access_api(tb: Timebank) -> Api:
    """The API over two communities, ``sjhy`` (m1, m2 with cards C1, C2) and ``other``
    (o1), on each engine; admin key of ``sjhy`` by default."""
    tb.communities.create("sjhy", "世纪花园社区")
    tb.communities.create("other", "别的社区")
    for code in ("m1", "m2"):
        tb.members.add("sjhy", code, code, card=f"C{code[1]}")
    tb.members.add("other", "o1", "外人")
    return make_api(tb)


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_is_allowed_exactly_what_the_contract_gives_it(access_api: Api,
                                                                 role: str) -> None:
    who = access_api.as_(role)
    wrong = []
    for method, path, body, allowed in MATRIX:
        response = who.request(method, path, json=body)
        refused = response.status_code == 403
        assert response.status_code != 500, (method, path, response.get_json())
        if refused == (role in allowed):
            wrong.append((method, path, response.status_code, response.get_json()))
    assert not wrong


def test_a_platform_key_names_the_community_it_acts_on(access_api: Api) -> None:
    platform = access_api.as_("platform")
    assert platform.get("/members/m1").status_code == 422
    named = platform.get("/members/o1", headers={"X-Timebank-Community": "other"})
    assert named.status_code == 200 and named.get_json()["name"] == "外人"


def test_a_key_of_one_community_neither_reads_nor_writes_another(access_api: Api) -> None:
    other = {"X-Timebank-Community": "other"}
    assert access_api.get("/members/o1").status_code == 404  # not in its own community
    assert access_api.get("/members/o1", headers=other).status_code == 403
    write = access_api.post("/adjustments", json={"member": "o1", "amount": 5,
                                                  "reason": "x"}, headers=other)
    assert write.status_code == 403
    assert access_api.get("/communities/other").status_code == 403
    assert access_api.bank.ledger.balance("other", "o1") == {}


def test_a_member_key_sees_only_its_own_member(access_api: Api) -> None:
    member = access_api.as_("member")
    assert member.get("/members/m1/balance").status_code == 200
    assert member.get("/members/m2/balance").status_code == 403
    assert member.get("/members/m1").status_code == 403


def test_a_kiosk_looks_members_up_by_card_only(access_api: Api) -> None:
    kiosk = access_api.as_("kiosk")
    assert kiosk.get("/members?card=C2").get_json()["items"][0]["code"] == "m2"
    assert kiosk.get("/members").status_code == 422
    assert kiosk.get("/members?card=nope").status_code == 404


def test_a_kiosk_reads_a_member_as_masked_name_and_card_only(access_api: Api) -> None:
    access_api.bank.members.update("sjhy", "m1", name="张三明", phone="13800000001",
                                   roles=["resident", "party_member"], tags=["low_income"])
    kiosk = access_api.as_("kiosk")
    shown = kiosk.get("/members/m1")
    assert shown.status_code == 200
    assert shown.get_json() == {"code": "m1", "name": "张*明", "card": "C1"}
    found = kiosk.get("/members?card=C1").get_json()["items"]
    assert found == [{"code": "m1", "name": "张*明", "card": "C1"}]
    by_phone = kiosk.get("/members?phone=13800000001").get_json()["items"]
    assert by_phone == [{"code": "m1", "name": "张*明", "card": "C1"}]


def test_a_kiosk_still_reads_the_balance_and_tier_it_shows(access_api: Api) -> None:
    access_api.bank.ledger.award("sjhy", "m1", 12, key="k")
    kiosk = access_api.as_("kiosk")
    balance = kiosk.get("/members/m1/balance").get_json()
    assert balance["balances"]["points"]["posted"] == 12 and "tier" in balance
    assert kiosk.get("/members/m1/tier").status_code == 200


def test_a_clerk_still_reads_the_full_member_record(access_api: Api) -> None:
    access_api.bank.members.update("sjhy", "m1", name="张三明", phone="13800000001")
    shown = access_api.as_("clerk").get("/members/m1").get_json()
    assert (shown["name"], shown["phone"], shown["card"]) == ("张三明", "13800000001", "C1")


def test_keys_are_stored_only_as_their_hash(access_api: Api) -> None:
    bank = access_api.bank
    created = bank.keys.create("clerk", community="sjhy", label="desk 1")
    with bank.store.read() as conn:
        rows = conn.execute(sa.select(api_keys)).all()
    stored = {r.key_hash for r in rows}
    assert hashlib.sha256(created.token.encode()).hexdigest() in stored
    assert all(created.token not in (r.key_hash, r.label) for r in rows)
    assert bank.keys.resolve(created.token).role == "clerk"


def test_a_revoked_key_no_longer_works(access_api: Api) -> None:
    bank = access_api.bank
    created = bank.keys.create("admin", community="sjhy")
    bank.keys.revoke(created.id)
    with pytest.raises(Unauthorized):
        bank.keys.resolve(created.token)


@pytest.mark.parametrize("role, community, member", [
    ("boss", "sjhy", None), ("clerk", None, None), ("member", "sjhy", None),
    ("admin", "sjhy", "m1")])
def test_a_key_needs_a_known_role_and_the_scope_its_role_needs(
        access_api: Api, role: str, community: str | None, member: str | None) -> None:
    with pytest.raises(ValidationError):
        access_api.bank.keys.create(role, community=community, member=member)


def test_the_cli_prints_a_new_key_once_on_the_last_line(access_api: Api) -> None:
    url = access_api.bank.store.url
    result = CliRunner().invoke(main, ["--db", url, "keys", "create", "--role", "member",
                                       "--community", "sjhy", "--member", "m2"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    identity = access_api.bank.keys.resolve(token)
    assert (identity.role, identity.community, identity.member) == ("member", "sjhy", "m2")
    refused = CliRunner().invoke(main, ["--db", url, "keys", "create", "--role", "kiosk"])
    assert refused.exit_code == 2
