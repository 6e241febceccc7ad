"""``timebank keys list|revoke`` on both engines: a listing never shows a token, and a key
revoked from the command line (another process than the server) fails over HTTP from the
very next request, though the server had just accepted it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from webapi import create_app


@pytest.fixture
def db(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.communities.create("lhy", "兰花园社区")
    bank.members.add("sjhy", "m1", "张三明")
    bank.close()
    return migrated_url


def run(db: str, *args: str):
    result = CliRunner().invoke(main, ["--db", db, *args], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def create(db: str, *args: str) -> tuple[int, str]:
    made = run(db, "--lang", "en", "keys", "create", *args)
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    key_id = int(made.output.split("#", 1)[1].split()[0])
    return key_id, token


def test_the_listing_shows_each_key_by_id_role_and_label_but_never_its_token(db):
    clerk, clerk_token = create(db, "--role", "clerk", "--community", "sjhy", "--label",
                                "窗口一")
    _, member_token = create(db, "--role", "member", "--community", "sjhy", "--member", "m1")
    other, _ = create(db, "--role", "admin", "--community", "lhy")
    listing = run(db, "--lang", "en", "keys", "list", "--community", "sjhy")
    assert listing.exit_code == 0, listing.output
    assert "clerk" in listing.output and "窗口一" in listing.output and "m1" in listing.output
    assert clerk_token[:12] in listing.output
    assert clerk_token not in listing.output and member_token not in listing.output
    assert "lhy" not in listing.output
    everything = run(db, "keys", "list")
    assert "lhy" in everything.output and "角色" in everything.output
    assert str(other) in everything.output and str(clerk) in everything.output


def test_a_key_revoked_from_the_command_line_fails_over_http_at_once(db):
    key_id, token = create(db, "--role", "clerk", "--community", "sjhy")
    server = Timebank(db)
    try:
        client = create_app(timebank=server).test_client()
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/members", headers=headers).status_code == 200
        revoked = run(db, "--lang", "en", "keys", "revoke", str(key_id))
        assert revoked.exit_code == 0, revoked.output
        assert f"revoked key #{key_id}" in revoked.output
        refused = client.get("/api/v1/members", headers=headers)
        assert refused.status_code == 401
        assert refused.get_json()["code"] == "unauthorized"
    finally:
        server.close()
    shown = run(db, "--lang", "en", "keys", "list", "--community", "sjhy")
    assert "nothing to list." in shown.output
    with_revoked = run(db, "--lang", "en", "keys", "list", "--community", "sjhy",
                       "--revoked")
    assert with_revoked.output.count("+08:00") == 2  # created and revoked, local time
    assert run(db, "keys", "list", "--revoked").output.count("+00:00") == 2


def test_revoking_twice_is_allowed_and_keeps_the_first_time(db):
    key_id, _ = create(db, "--role", "kiosk", "--community", "sjhy")
    assert run(db, "keys", "revoke", str(key_id)).exit_code == 0
    bank = Timebank(db)
    try:
        first = bank.keys.list(revoked=True)[0].revoked_at
        assert run(db, "keys", "revoke", str(key_id)).exit_code == 0
        assert bank.keys.list(revoked=True)[0].revoked_at == first
    finally:
        bank.close()


def test_an_unknown_key_or_another_communitys_key_is_not_found_and_stays_valid(db):
    key_id, token = create(db, "--role", "clerk", "--community", "lhy")
    unknown = run(db, "--lang", "en", "keys", "revoke", "999")
    assert unknown.exit_code == 2 and "unknown API key #999" in unknown.output
    foreign = run(db, "--lang", "en", "keys", "revoke", str(key_id), "--community", "sjhy")
    assert foreign.exit_code == 2 and "error (not_found)" in foreign.output
    bank = Timebank(db)
    try:
        assert bank.keys.resolve(token).community == "lhy"
    finally:
        bank.close()
    bad = run(db, "keys", "revoke", "abc")
    assert bad.exit_code == 2 and "Traceback" not in bad.output
