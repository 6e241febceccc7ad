"""Mounting the API on a host's Flask app leaves the host's routes, error handlers and
settings alone; state lives in ``app.extensions["timebank"]``."""

from __future__ import annotations

import flask_smorest
import pytest
from flask import Flask, abort, request

import webapi
from timebank import Timebank
from webapi import Identity
from webapi.config import Settings


@pytest.fixture
def bank(tb: Timebank) -> Timebank:
    """A migrated timebank on each engine with community ``sjhy`` and member m1."""
    tb.communities.create("sjhy", "世纪花园社区")
    tb.members.add("sjhy", "m1", "张三")
    return tb


def host_app() -> Flask:
    app = Flask("host")

    @app.get("/")
    def home() -> str:
        return "host home"

    @app.get("/boom")
    def boom() -> str:
        abort(418)

    @app.errorhandler(404)
    def not_found(_e: Exception) -> tuple[str, int]:
        return "host 404", 404

    return app


def test_the_host_keeps_its_own_routes_and_error_handlers(bank: Timebank) -> None:
    app = host_app()
    webapi.init_app(app, timebank=bank)
    client = app.test_client()
    assert client.get("/").get_data(as_text=True) == "host home"
    assert client.get("/missing").get_data(as_text=True) == "host 404"
    teapot = client.get("/boom")
    assert teapot.status_code == 418 and teapot.mimetype == "text/html"
    api_missing = client.get("/api/v1/missing")
    assert api_missing.status_code == 404
    assert api_missing.mimetype == "application/problem+json"


def test_the_host_keeps_its_own_body_limit(bank: Timebank) -> None:
    app = host_app()
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.post("/upload")
    def upload() -> str:
        return str(len(request.get_data()))

    webapi.init_app(app, timebank=bank)
    client = app.test_client()
    assert client.post("/upload", data="x" * 11).status_code == 413
    # The API keeps its own 1 MiB limit: an 11-byte body is fine there.
    ok = client.post("/api/v1/members", data="x" * 11, content_type="application/json")
    assert ok.status_code == 401


def test_state_lives_in_the_app_extensions(bank: Timebank) -> None:
    app = host_app()
    state = webapi.init_app(app, timebank=bank, url_prefix="/tb", max_body=2048)
    assert app.extensions["timebank"] is state
    assert state.bank is bank and state.settings.url_prefix == "/tb"
    assert state.settings.max_body == 2048
    assert app.test_client().get("/tb/healthz").status_code == 200


def test_a_host_resolver_replaces_api_keys(bank: Timebank) -> None:
    app = host_app()
    webapi.init_app(app, timebank=bank, identity_resolver=lambda request: Identity(
        "admin", "sjhy", actor="host:" + request.headers.get("X-User", "?"))
        if request.headers.get("X-User") else None)
    client = app.test_client()
    assert client.get("/api/v1/members/m1").status_code == 401
    response = client.post("/api/v1/adjustments", json={
        "member": "m1", "amount": 5, "reason": "r"},
        headers={"X-User": "wang", "Idempotency-Key": "a"})
    assert response.status_code == 201
    assert response.get_json()["balances"] == {"m1": 5}


def test_a_host_with_its_own_flask_smorest_api_keeps_it(bank: Timebank) -> None:
    app = host_app()
    app.config.update(API_TITLE="host", API_VERSION="1", OPENAPI_VERSION="3.0.3",
                      OPENAPI_URL_PREFIX="/host-docs")
    host_api = flask_smorest.Api(app)
    blp = flask_smorest.Blueprint("things", __name__)

    @blp.route("/things")
    def things() -> dict[str, str]:
        return {"thing": "one"}

    host_api.register_blueprint(blp)
    webapi.init_app(app, timebank=bank)
    client = app.test_client()
    host_spec = client.get("/host-docs/openapi.json").get_json()
    assert list(host_spec["paths"]) == ["/things"]
    ours = client.get("/api/v1/openapi.json").get_json()
    assert "/things" not in ours["paths"] and "/api/v1/healthz" in ours["paths"]


def test_the_api_mounts_once_per_app(bank: Timebank) -> None:
    app = host_app()
    webapi.init_app(app, timebank=bank)
    with pytest.raises(RuntimeError):
        webapi.init_app(app, timebank=bank)


def test_settings_come_from_keywords_then_flask_config_then_the_environment() -> None:
    env = {"TIMEBANK_MAX_BODY": "100", "TIMEBANK_DATABASE_URL": "sqlite:///env.db"}
    config = {"TIMEBANK_MAX_BODY": 200}
    assert Settings.load(config, env).max_body == 200
    assert Settings.load(config, env, max_body=300).max_body == 300
    assert Settings.load({}, env).max_body == 100
    assert Settings.load({}, env).database_url == "sqlite:///env.db"
    assert Settings.load({}, {}, url_prefix="api/v2/").url_prefix == "/api/v2"


def test_create_app_opens_the_configured_database(bank: Timebank) -> None:
    app = webapi.create_app({"TIMEBANK_DATABASE_URL": bank.store.url})
    key = bank.keys.create("admin", community="sjhy").token
    response = app.test_client().get("/api/v1/members/m1",
                                     headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.get_json()["name"] == "张三"
    app.extensions["timebank"].bank.close()
