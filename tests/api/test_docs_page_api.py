"""The docs page (``/api/v1/docs``) speaks the reader's language: zh-CN by default,
English by ``?lang=en`` or ``Accept-Language: en``, the query winning over the header, an
unknown language zh-CN without an error; its plain view shows the spec's descriptions
with code spans, never raw markdown backticks."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.api.conftest import Api

ZH = ("timebank 接口文档", "交互式文档未能启动", "<th>方法</th>")
EN = ("timebank: API documentation", "The interactive view could not start",
      "<th>Method</th>")


def docs(api: Api, query: str = "", accept: str | None = None) -> tuple[str, str, str]:
    headers = {"Accept-Language": accept} if accept is not None else {}
    answer = api.client.get(f"/api/v1/docs{query}", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "Accept-Language" in answer.headers.get("Vary", "")
    page = answer.get_data(as_text=True)
    found = re.search(r'<html lang="([^"]+)">', page)
    assert found
    return page, answer.headers["Content-Language"], found.group(1)


@pytest.mark.parametrize(("query", "accept", "lang"), [
    ("", None, "zh"), ("", "zh-CN,zh;q=0.9", "zh"), ("", "en-GB,en;q=0.8", "en"),
    ("", "fr, en;q=0.5", "en"), ("", "fr", "zh"), ("?lang=en", None, "en"),
    ("?lang=en", "zh-CN", "en"), ("?lang=zh", "en", "zh"), ("?lang=fr", "en", "zh"),
])
def test_the_docs_page_picks_its_language(api: Api, query: str, accept: str | None,
                                          lang: str) -> None:
    page, content_language, html_lang = docs(api, query, accept)
    words, others = (ZH, EN) if lang == "zh" else (EN, ZH)
    assert all(w in page for w in words) and not any(w in page for w in others)
    assert content_language == html_lang == {"zh": "zh-CN", "en": "en"}[lang]
    other = "en" if lang == "zh" else "zh"
    assert f'href="?lang={other}"' in page


def test_the_plain_view_renders_code_spans_not_backticks(api: Api) -> None:
    page, _, _ = docs(api)
    plain = page.split('<div id="plain">')[1].split("<script")[0]
    shown = html.unescape(re.sub(r"<[^>]+>", "", plain))
    assert "`" not in shown
    assert "<code>card</code>" in plain and "<code>phone</code>" in plain
    spec = api.client.get("/api/v1/openapi.json").get_json()
    operations = [op for ops in spec["paths"].values() for m, op in ops.items()
                  if m != "parameters"]
    assert plain.count("<tr><td>") == len(operations) > 50
    assert "Roles: admin, clerk." in shown  # the descriptions, not only the summaries
    assert sum("`" in op.get("summary", "") for op in operations) > 5  # there were some


def test_swagger_ui_gets_plain_summaries_and_the_markdown_in_the_descriptions(api: Api) -> None:
    page, _, _ = docs(api)
    shown = json.loads(page.split('<script id="spec" type="application/json">')[1]
                       .split("</script>")[0])
    spec = api.client.get("/api/v1/openapi.json").get_json()
    marked = [(path, m) for path, ops in spec["paths"].items() for m, op in ops.items()
              if m != "parameters" and "`" in op.get("summary", "")]
    assert len(marked) > 5
    for path, method in marked:
        op, original = shown["paths"][path][method], spec["paths"][path][method]
        assert "`" not in op["summary"]
        assert op["description"].startswith(original["summary"])
        assert op["description"].endswith(original.get("description", ""))
    assert "`" in json.dumps(spec)  # openapi.json itself is left as written
