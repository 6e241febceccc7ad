"""The pages for people, beside the API: the service-day desk (``/desk/``), a member's own
page (``/me/``) and an index linking both and the API docs.

Small server-rendered templates plus plain JavaScript from ``static/`` (no build step, no
CDN). The pages hold no data of their own: the scripts call the API with the key the
person signs in with, which stays in the tab's ``sessionStorage``. Mounted by
``webapi.init_app(app, ..., pages_prefix=...)`` on its own blueprint, so the host's routes
are untouched (an index at the prefix's root only where the host has none).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, render_template, request, url_for

from webapi.pages.text import TEXT, pick

__all__ = ["mount"]


def _context(api_prefix: str, page: str) -> dict[str, Any]:
    lang = pick(request.args.get("lang"))
    t = TEXT[lang]
    return {"t": t, "lang": lang, "page": page, "api": api_prefix,
            "other_url": f"{request.path}?lang={t['other_code']}",
            "config": json.dumps({"api": api_prefix, "lang": lang, "text": t},
                                 ensure_ascii=False).replace("</", "<\\/")}


def mount(app: Flask, *, pages_prefix: str, api_prefix: str) -> Blueprint:
    """Register the pages under ``pages_prefix`` ("" for the site's root)."""
    prefix = "/" + pages_prefix.strip("/") if pages_prefix.strip("/") else ""
    bp = Blueprint("timebank_pages", __name__, template_folder="templates",
                   static_folder="static", static_url_path="/static/timebank")

    @bp.get("/desk/")
    def desk() -> str:
        return render_template("timebank_pages/desk.html", **_context(api_prefix, "desk"))

    @bp.get("/me/")
    def me() -> str:
        return render_template("timebank_pages/me.html", **_context(api_prefix, "me"))

    root = (prefix or "") + "/"
    if not any(rule.rule == root for rule in app.url_map.iter_rules()):
        @bp.get("/")
        def index() -> str:
            return render_template("timebank_pages/index.html",
                                   docs=f"{api_prefix}/docs",
                                   desk_url=url_for("timebank_pages.desk"),
                                   me_url=url_for("timebank_pages.me"),
                                   **_context(api_prefix, "index"))

    app.register_blueprint(bp, url_prefix=prefix or None)
    return bp
