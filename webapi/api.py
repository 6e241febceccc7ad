"""The API object a host app carries: flask-smorest kept off the host's app-wide state.

``flask_smorest.Api`` normally registers an app-wide ``HTTPException`` handler and serves
the spec from its own blueprint at a config-chosen URL. ``TimebankApi`` does neither: the
errors of the API's blueprints are handled on those blueprints (``webapi.errors``), and the
spec and docs page are served under the API's own prefix. It uses the config prefix
``TIMEBANK_`` so it can live beside a host's own flask-smorest ``Api``.
"""

from __future__ import annotations

import copy
import html
import json
import re
from typing import Any

import attrs
import flask
import flask_smorest
import swagger_ui_bundle  # type: ignore[import-untyped]
from flask import Blueprint, current_app
from werkzeug.exceptions import NotFound

from timebank.i18n import N_, TAGS, normalize, translate
from timebank.timebank import Timebank
from webapi import errors, spec_limits
from webapi.auth import COMMUNITY_HEADER, Resolver
from webapi.config import Settings
from webapi.i18n import content_language, request_lang

PUBLIC = {"healthz", "public_certificate"}  # no key needed (besides the spec and docs)
ERROR_STATUSES = {
    "401": "No key, or an unknown key (`unauthorized`).",
    "403": "The key's role, community or member does not allow this (`forbidden`).",
    "404": "Nothing by that code or id in the community (`not_found`).",
    "409": "The books refuse it: `insufficient_points`, `out_of_stock`, `limit_exceeded`,"
           " `not_eligible`, `invalid_state` or `idempotency_conflict`.",
    "413": "The body is over the size limit (`payload_too_large`).",
    "422": "Malformed or out-of-range input; `errors` names each field "
           "(`validation_error`).",
}


class TimebankApi(flask_smorest.Api):
    def _register_error_handlers(self) -> None:
        """No app-wide handlers: ``webapi.errors.install`` puts them on each blueprint."""

    def _register_doc_blueprint(self) -> None:
        """The spec and docs are served by ``docs_blueprint`` under the API prefix."""


@attrs.define
class State:
    """What ``app.extensions["timebank"]`` holds."""

    bank: Timebank
    settings: Settings
    resolver: Resolver
    api: TimebankApi
    spec: dict[str, Any] | None = None


def state() -> State:
    return current_app.extensions["timebank"]  # type: ignore[no-any-return]


def bank() -> Timebank:
    return state().bank


def openapi() -> dict[str, Any]:
    """The OpenAPI document: flask-smorest's, plus the limits every request string has
    (``spec_limits``), the key scheme and problem responses."""
    st = state()
    if st.spec is None:
        st.spec = _complete(spec_limits.apply(copy.deepcopy(st.api.spec.to_dict())))
    return st.spec


def _complete(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.setdefault("components", {})
    components.setdefault("securitySchemes", {})["apiKey"] = {
        "type": "http", "scheme": "bearer",
        "description": "An API key from `timebank keys create`."}
    components.setdefault("schemas", {})["Problem"] = {
        "type": "object", "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "code": {"type": "string", "enum": sorted(errors.STATUS)},
            "errors": {"type": "object", "additionalProperties": {
                "type": "array", "items": {"type": "string"}}}}}
    problem = {"content": {errors.PROBLEM_JSON: {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}
    for path in spec.get("paths", {}).values():
        for method, operation in path.items():
            if method == "parameters":
                continue
            responses = operation.setdefault("responses", {})
            for status in [s for s in responses if s[:1] in "45"]:
                responses[status] = {"description": ERROR_STATUSES.get(
                    status, "An error."), **problem}  # flask-smorest's shape is not ours
            if operation.get("operationId") in PUBLIC:
                operation["security"] = []
            else:
                operation["security"] = [{"apiKey": []}]
                operation.setdefault("parameters", []).append({
                    "name": COMMUNITY_HEADER, "in": "header", "required": False,
                    "schema": {"type": "string"},
                    "description": "For a platform key only: the community to act on."})
                for status, text in ERROR_STATUSES.items():
                    responses[status] = {"description": text, **problem}
            responses["default"] = {"description": "Any other error.", **problem}
    return spec


DOCS_PAGE = """<!doctype html>
<html lang="{html_lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{head}
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:2px 8px;text-align:left;
vertical-align:top}} .what p{{margin:0 0 .3em}} .lang{{float:right}}</style></head><body>
<header><a class="lang" href="?lang={other_code}" hreflang="{other_code}">{other_lang}</a>
<h1 id="docs-title">{title}</h1>
<p id="docs-intro">{intro}</p></header>
<div id="docs"></div>
<div id="plain"><p id="docs-fallback">{fallback}</p>
<div class="what">{about}</div>
<table><tr><th>{th_method}</th><th>{th_path}</th><th>{th_what}</th></tr>{rows}</table></div>
<script src="{script}"></script>
<script id="spec" type="application/json">{spec_json}</script>
<script>(function () {{
  var spec = JSON.parse(document.getElementById("spec").textContent);
  var where = document.getElementById("docs");
  if (window.SwaggerUIBundle) {{ document.getElementById("plain").remove();
    SwaggerUIBundle({{spec: spec, domNode: where, deepLinking: true, validatorUrl: null}}); }}
  else if (window.Redoc) {{ document.getElementById("plain").remove();
    Redoc.init(spec, {{}}, where); }}
}})();</script>
</body></html>"""
# Swagger UI's files, served from the swagger-ui-bundle package under ``/docs/assets/``.
DOCS_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")
# The docs page's own words (the operations' texts are the spec's, in English).
DOCS_TEXT = {
    "title": N_("{title}: API documentation"),
    "intro": N_("The OpenAPI document: {link}. Every endpoint but {public} needs the header "
                "{header}."),
    "fallback": N_("The interactive view could not start (scripts off or not loaded): "
                   "the endpoints are listed below."),
    "th_method": N_("Method"), "th_path": N_("Path"), "th_what": N_("What it does"),
}
_CODE = re.compile(r"``(.+?)``|`([^`]+)`")


def markdown_inline(text: str) -> str:
    """The spec's markdown as HTML for the plain view: escaped, ``code`` spans (single or
    double backticks) as ``<code>``, blank-line paragraphs as ``<p>``; nothing else of
    markdown is used in the descriptions."""
    def paragraph(part: str) -> str:
        pieces, at = [], 0
        for found in _CODE.finditer(part):
            pieces.append(html.escape(part[at:found.start()]))
            pieces.append(f"<code>{html.escape(found.group(1) or found.group(2))}</code>")
            at = found.end()
        pieces.append(html.escape(part[at:]))
        return "<p>" + "".join(pieces).strip() + "</p>"
    return "".join(paragraph(part) for part in re.split(r"\n\s*\n", text) if part.strip())


def for_display(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as Swagger UI shows it: an operation's summary is plain text there (the
    collapsed line), so its code spans lose their backticks, and the summary as written
    (markdown) leads the description, which Swagger UI renders when the line opens."""
    shown = copy.deepcopy(spec)
    for ops in shown.get("paths", {}).values():
        for method, op in ops.items():
            summary = op.get("summary", "") if method != "parameters" else ""
            if "`" in summary:
                op["summary"] = _CODE.sub(lambda m: m.group(1) or m.group(2), summary)
                op["description"] = "\n\n".join(
                    part for part in (summary, op.get("description", "")) if part)
    return shown


def docs_lang() -> str:
    """``?lang=zh|en`` first, then ``Accept-Language``; zh-CN otherwise."""
    chosen = flask.request.args.get("lang")
    return normalize(chosen) if chosen else request_lang()


def docs_page(spec: dict[str, Any], settings: Settings, lang: str) -> str:
    """The docs page in ``lang``: Swagger UI over the spec, with a plain list of the
    operations underneath for a browser where its script does not run."""
    def say(name: str) -> str:
        return html.escape(translate(DOCS_TEXT[name], lang))
    rows = "".join(
        f"<tr><td>{html.escape(method.upper())}</td><td><code>{html.escape(path)}"
        f"</code></td><td class=\"what\">{markdown_inline(op.get('summary', ''))}"
        f"{markdown_inline(op.get('description', ''))}</td></tr>"
        for path, ops in spec["paths"].items() for method, op in ops.items()
        if method != "parameters")
    script, head = settings.docs_script_url, ""
    if not script:
        script = flask.url_for(".docs_asset", name="swagger-ui-bundle.js")
        css = flask.url_for(".docs_asset", name="swagger-ui.css")
        head = f'\n<link rel="stylesheet" href="{html.escape(css)}">'
    spec_url = html.escape(f"{settings.url_prefix}/openapi.json")
    other = "zh" if lang == "en" else "en"
    return DOCS_PAGE.format(
        html_lang=TAGS[lang], other_code=other, other_lang="中文" if other == "zh" else
        "English", title=html.escape(translate(DOCS_TEXT["title"], lang,
                                              title=settings.title)),
        intro=say("intro").format(link=f'<a href="{spec_url}">{spec_url}</a>',
                                  public="<code>healthz</code>",
                                  header="<code>Authorization: Bearer &lt;key&gt;</code>"),
        fallback=say("fallback"), th_method=say("th_method"), th_path=say("th_path"),
        th_what=say("th_what"),
        about=markdown_inline(spec.get("info", {}).get("description", "")), rows=rows,
        head=head, script=html.escape(script),
        spec_json=json.dumps(for_display(spec)).replace("</", "<\\/"))


def docs_blueprint() -> Blueprint:
    bp = Blueprint("timebank_docs", __name__)
    errors.install(bp)

    @bp.get("/openapi.json")
    def openapi_json() -> flask.Response:
        return current_app.response_class(json.dumps(openapi(), ensure_ascii=False),
                                          mimetype="application/json")

    @bp.get("/docs")
    def docs() -> flask.Response:
        lang = docs_lang()
        response = current_app.response_class(
            docs_page(openapi(), state().settings, lang), mimetype="text/html")
        response.headers["Content-Language"] = content_language(lang)
        response.vary.add("Accept-Language")
        return response

    @bp.get("/docs/assets/<name>")
    def docs_asset(name: str) -> flask.Response:
        """Swagger UI's script and style, from the package (cached for a day)."""
        if name not in DOCS_ASSETS:
            raise NotFound()
        return flask.send_from_directory(swagger_ui_bundle.swagger_ui_path, name,
                                         max_age=86400)
    return bp
