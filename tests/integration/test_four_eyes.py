"""Four-eyes that rests on people, not strings (both engines): approving and rejecting
take an ``Actor``; the person who recorded a contribution may do neither, whichever key,
host identity or CLI name either act came through; keys name their holder, and
statements show that name."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from timebank import Actor, Timebank
from timebank.cli import main
from timebank.errors import SelfApproval, ValidationError
from webapi import create_app


@pytest.fixture
def red(tb: Timebank, community: str) -> str:
    tb.rules.install(community, "red_vest")
    tb.members.update(community, "m1", roles=["volunteer"])
    return community


def errand(tb: Timebank, community: str, by: str | Actor, key: str = "e1") -> int:
    return tb.contributions.record(community, "m1", "errand", key=key,
                                   occurred_on="2024-03-05", recorded_by=by).id


def test_a_recorder_may_not_reject_her_own_record(tb, red):
    mine = errand(tb, red, "王芳")
    with pytest.raises(SelfApproval):
        tb.contributions.reject(red, mine, approver=Actor.operator("王芳"),
                                reason="录错了", key="r1")
    done = tb.contributions.reject(red, mine, approver=Actor.operator("李四"),
                                   reason="录错了", key="r2")
    assert done.status == "rejected"


def test_an_approver_given_as_a_plain_string_is_refused(tb, red):
    mine = errand(tb, red, "王芳")
    for decide in (lambda: tb.contributions.approve(red, mine, approver="李四", key="a"),
                   lambda: tb.contributions.reject(red, mine, approver="李四", reason="x",
                                                   key="r"),
                   lambda: tb.approvals.approve_many(red, approver="李四", key="b",
                                                     ids=[mine])):
        with pytest.raises(ValidationError) as refused:
            decide()
        assert refused.value.details["field"] == "approver"
    assert tb.contributions.get(red, mine).status == "pending"


def test_one_holders_two_keys_are_one_person(tb, red):
    clerk = tb.keys.create("clerk", community=red, holder="王芳")
    admin = tb.keys.create("admin", community=red, holder="王芳")
    other = tb.keys.create("admin", community=red, holder="李四")
    mine = errand(tb, red, f"key:{clerk.id}")
    for actor in (Actor.key(admin.id), Actor.key(admin.id, "someone else"),
                  Actor.operator("王芳")):  # a holder's name is read from the key
        with pytest.raises(SelfApproval):
            tb.contributions.approve(red, mine, approver=actor, key=f"a-{actor}")
    bulk = tb.approvals.approve_many(red, approver=Actor.key(admin.id, "王芳"), key="b1",
                                     ids=[mine], include_flagged=True)
    assert [s.reason for s in bulk.skipped] == ["self_approval"]
    done = tb.contributions.approve(red, mine, approver=Actor.key(other.id, "李四"),
                                    key="a-ok")
    assert done.status == "approved"


def test_keys_without_a_holder_and_host_identities_stand_for_themselves(tb, red):
    first = tb.keys.create("clerk", community=red)
    second = tb.keys.create("clerk", community=red)
    mine = errand(tb, red, f"key:{first.id}")
    with pytest.raises(SelfApproval):
        tb.contributions.approve(red, mine, approver=Actor.key(first.id), key="a1")
    hosts = errand(tb, red, Actor.host("u17", "王芳"), key="e2")
    with pytest.raises(SelfApproval):
        tb.contributions.approve(red, hosts, approver=Actor.host("u17"), key="a2")
    assert tb.contributions.approve(red, hosts, approver=Actor.host("u18"),
                                    key="a3").status == "approved"
    assert tb.contributions.approve(red, mine, approver=Actor.key(second.id),
                                    key="a4").status == "approved"


def test_over_http_the_statement_shows_the_approving_keys_holder(tb, red):
    clerk = tb.keys.create("clerk", community=red, holder="王芳")
    admin = tb.keys.create("admin", community=red, holder="李四")
    client = create_app(timebank=tb).test_client()

    def post(path: str, token: str, body: dict | None = None, key: str = "k"):
        return client.post("/api/v1" + path, json=body, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": key})

    made = post("/contributions", clerk.token, {"member": "m1", "rule": "errand",
                                                "occurred_on": "2024-03-05"}, key="c1")
    assert made.status_code == 201, made.get_json()
    cid = made.get_json()["id"]
    own = post(f"/contributions/{cid}/approve", clerk.token, key="own")
    assert own.status_code == 403
    assert post(f"/contributions/{cid}/approve", admin.token, key="ok").status_code == 200
    lines = tb.statements.statement(red, "m1").lines
    assert [line.approver for line in lines if line.contribution == cid] == ["李四"]
    assert tb.contributions.get(red, cid).decided_by == f"key:{admin.id}"


def test_keys_are_created_with_a_holder_and_listed_with_it(tb, red, db_url):
    made = CliRunner().invoke(main, ["--db", db_url, "--lang", "en", "keys", "create",
                                     "--role", "clerk", "--community", red,
                                     "--holder", "王芳"])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    assert tb.keys.resolve(token).as_actor().name == "王芳"
    listed = CliRunner().invoke(main, ["--db", db_url, "--lang", "en", "keys", "list",
                                       "--community", red], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "王芳" in listed.output


def test_the_cli_approver_is_a_person_by_name(tb, red, db_url):
    mine = errand(tb, red, "王芳")
    own = CliRunner().invoke(main, ["--db", db_url, "approve", "--community", red,
                                    "--ids", str(mine), "--approver", "王芳",
                                    "--include-flagged"])
    assert own.exit_code == 0, own.output
    assert tb.contributions.get(red, mine).status == "pending"
    ok = CliRunner().invoke(main, ["--db", db_url, "approve", "--community", red,
                                   "--ids", str(mine), "--approver", "李四",
                                   "--include-flagged"])
    assert ok.exit_code == 0, ok.output
    assert tb.contributions.get(red, mine).decided_by == "李四"


def test_a_holder_is_a_short_printable_name(tb, red):
    for bad in ("x" * 101, "王\n芳", 7):
        with pytest.raises(ValidationError) as refused:
            tb.keys.create("clerk", community=red, holder=bad)
        assert refused.value.details["field"] == "holder"
