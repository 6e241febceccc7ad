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

from flask import Flask

from timebank.services.keys import Identity
from timebank.store.db import Store
from timebank.timebank import Timebank
from webapi import errors, pages
from webapi.api import State, TimebankApi, docs_blueprint
from webapi.auth import Resolver, bearer_resolver
from webapi.config import Settings
from webapi.views import BLUEPRINTS

__all__ = ["Identity", "Settings", "create_app", "init_app"]


def init_app(app: Flask, *, timebank: Timebank, url_prefix: str | None = None,
             identity_resolver: Resolver | None = None, pages_prefix: str | None = None,
             **settings: Any) -> State:
    """Mount the API on ``app``. Keywords override ``TIMEBANK_*`` config and env vars
    (``max_body``, ``title``, ``docs_script_url``; ``group_commit`` switches it on or
    off for ``timebank``'s store). With ``pages_prefix`` ("" for the root) the desk and
    member pages are mounted too, at ``<prefix>/desk/`` and ``<prefix>/me/``, with an
    index at ``<prefix>/`` unless the host has a route there."""
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
    if conf.group_commit is not None and \
            conf.group_commit != (timebank.store.batches is not None):
        timebank.store.group_commit(conf.group_commit)
    state = State(timebank, conf, identity_resolver or bearer_resolver(timebank), api)
    app.extensions["timebank"] = state
    for bp in BLUEPRINTS:
        api.register_blueprint(bp, url_prefix=prefix + (bp.url_prefix or ""))
    app.register_blueprint(docs_blueprint(), url_prefix=prefix or None)
    app.before_request(errors.routing_guard(prefix))
    if pages_prefix is not None:
        pages.mount(app, pages_prefix=pages_prefix, api_prefix=prefix)
    return state


def create_app(config: Mapping[str, Any] | None = None, *,
               timebank: Timebank | None = None, **settings: Any) -> Flask:
    """A standalone app serving the API (``TIMEBANK_DATABASE_URL`` picks the database),
    with the pages at ``/desk/`` and ``/me/`` and an index at ``/``."""
    app = Flask("timebank")
    app.config.update(config or {})
    conf = Settings.load(app.config, **settings)
    if timebank is None:
        timebank = Timebank(store=Store.for_server(conf.database_url))
    init_app(app, timebank=timebank, url_prefix=conf.url_prefix, max_body=conf.max_body,
             title=conf.title, docs_script_url=conf.docs_script_url,
             group_commit=conf.group_commit, pages_prefix="")
    return app
