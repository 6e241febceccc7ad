"""docs/api.md names every path the server's OpenAPI document publishes."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.conftest import PREFIX, Api

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_the_api_reference_names_every_published_path(api: Api) -> None:
    spec = api.client.get(PREFIX + "/openapi.json").get_json()
    named = {_shape(found.removeprefix(PREFIX))
             for found in re.findall(r"(/[a-z0-9_\-{}/]+)", REFERENCE.read_text("utf-8"))}
    missing = [path for path in spec["paths"]
               if _shape(path.removeprefix(PREFIX)) not in named]
    assert missing == []
