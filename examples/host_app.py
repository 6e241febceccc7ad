"""Embedding timebank in a host Flask app that has its own login.

A grid-management platform (网格化管理平台) already knows its users: it mounts the
timebank API under its own prefix and tells it who is calling with an identity resolver,
so no API keys are needed. The host's own pages and error pages are left as they were.

Run: ``python examples/host_app.py`` (uses a temporary SQLite file).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from flask import Flask, Request, session

import webapi
from timebank import Timebank
from webapi import Identity

# The host's own users and what they are in the community 世纪花园 ("sjhy").
USERS = {
    "wang": Identity("admin", "sjhy", actor="grid-user:wang"),  # 居委会 worker
    "li": Identity("clerk", "sjhy", actor="grid-user:li"),      # grid member
    "zhang": Identity("member", "sjhy", member="r001", actor="grid-user:zhang"),
}


def resolve(request: Request) -> Identity | None:
    """The host's login (its session cookie) decides who is calling."""
    return USERS.get(session.get("user", ""))


def create_host_app(db_url: str) -> Flask:
    app = Flask("grid_platform")
    app.secret_key = "host-secret"  # the host's own setting

    @app.post("/login/<name>")
    def login(name: str) -> str:
        session["user"] = name
        return f"logged in as {name}"

    @app.get("/")
    def home() -> str:
        return "<h1>网格化管理平台</h1>"

    @app.errorhandler(404)
    def host_not_found(_error: Exception) -> tuple[str, int]:
        return "<p>the host's own 404 page</p>", 404

    bank = Timebank(db_url)
    bank.init()
    webapi.init_app(app, timebank=bank, url_prefix="/timebank/api", identity_resolver=resolve)
    return app


def main(db_url: str | None = None) -> dict[str, object]:
    db_url = db_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'host.db'}"
    app = create_host_app(db_url)
    bank: Timebank = app.extensions["timebank"].bank
    bank.communities.create("sjhy", "世纪花园社区")
    bank.members.add("sjhy", "r001", "张建明", roles=["resident", "volunteer"])

    client = app.test_client()
    client.post("/login/wang")
    added = client.post("/timebank/api/adjustments", headers={"Idempotency-Key": "welcome-r001"},
                        json={"member": "r001", "amount": 20, "reason": "欢迎积分"})
    client.post("/login/zhang")
    own = client.get("/timebank/api/members/r001/balance")
    client.post("/login/nobody")
    refused = client.get("/timebank/api/members/r001/balance")
    host_404 = client.get("/no-such-host-page")
    result = {"adjusted": added.status_code, "balance": own.get_json(),
              "stranger": refused.status_code, "host_404": host_404.get_data(as_text=True)}
    print(result)
    return result


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
