"""The thin HTTP API over ``timebank``: mount it on a host's Flask app, or run it alone.

``init_app(app, timebank=tb)`` adds the API's blueprints under ``url_prefix`` and keeps
its state in ``app.extensions["timebank"]``; the host's own routes, error handlers and
settings are untouched (errors are handled on the API's blueprints only). A host with its
own login passes ``identity_resolver`` (request → ``Identity``) instead of API keys.
``create_app(config)`` builds a standalone app for ``timebank serve``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask

from timebank.services.keys import Identity
from timebank.store.db import Store, create_engine
from timebank.timebank import Timebank
from webapi import errors
from webapi.api import State, TimebankApi, docs_blueprint
from webapi.auth import Resolver, bearer_resolver
from webapi.config import Settings
from webapi.views.catalog import blueprints

__all__ = ["Identity", "Settings", "create_app", "init_app"]


def init_app(app: Flask, *, timebank: Timebank, url_prefix: str | None = None,
             identity_resolver: Resolver | None = None, **settings: Any) -> State:
    """Mount the API on ``app``. Keywords override ``TIMEBANK_*`` config and env vars
    (``max_body``, ``title``, ``docs_script_url``)."""
    if "timebank" in app.extensions:
        raise RuntimeError("the timebank API is already mounted on this app")
    conf = Settings.load(app.config, url_prefix=url_prefix, **settings)
    prefix = conf.url_prefix
    api = TimebankApi(spec_kwargs={
        "title": conf.title, "version": "1", "openapi_version": "3.0.3",
        "info": {"description": "Volunteer points and time-bank books for residents' "
                 "communities. Errors are application/problem+json."}},
        config_prefix="TIMEBANK")
    api.init_app(app)
    state = State(timebank, conf, identity_resolver or bearer_resolver(timebank), api)
    app.extensions["timebank"] = state
    for bp in blueprints(timebank):
        api.register_blueprint(bp, url_prefix=prefix + (bp.url_prefix or ""))
    app.register_blueprint(docs_blueprint(), url_prefix=prefix or None)
    app.before_request(errors.routing_guard(prefix))
    return state


def open_store(url: str) -> Store:
    """The store a server process uses. On SQLite its threads share one connection in
    turn: SQLite takes one writer at a time anyway, and waiting in the pool's queue is
    fair and prompt where the busy handler's sleep-and-retry gives a long tail."""
    if sa.make_url(url).get_backend_name() == "sqlite":
        return Store(engine=create_engine(url, pool_size=1, max_overflow=0,
                                          pool_timeout=120))
    return Store(url)


def create_app(config: Mapping[str, Any] | None = None, *,
               timebank: Timebank | None = None, **settings: Any) -> Flask:
    """A standalone app serving the API (``TIMEBANK_DATABASE_URL`` picks the database)."""
    app = Flask("timebank")
    app.config.update(config or {})
    conf = Settings.load(app.config, **settings)
    bank = timebank if timebank is not None else Timebank(store=open_store(conf.database_url))
    init_app(app, timebank=bank, url_prefix=conf.url_prefix, max_body=conf.max_body,
             title=conf.title, docs_script_url=conf.docs_script_url)
    return app
