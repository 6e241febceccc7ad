"""Settings of the HTTP layer: by keyword, else Flask config ``TIMEBANK_*``, else the
environment variable of the same name, else the default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs

from timebank.store.db import DEFAULT_URL

MIB = 1024 * 1024
# Empty: the docs page runs Swagger UI from the swagger-ui-bundle package (no CDN). A
# host may name its own copy of ReDoc's standalone bundle instead.
DOCS_SCRIPT = ""


@attrs.frozen
class Settings:
    database_url: str = DEFAULT_URL
    url_prefix: str = "/api/v1"
    max_body: int = MIB  # bytes; larger request bodies answer 413 payload_too_large
    title: str = "timebank"
    docs_script_url: str = DOCS_SCRIPT  # a ReDoc bundle's URL; empty: packaged Swagger UI
    # Concurrent writes of one process share one transaction, a savepoint each
    # (``timebank.store.batch``); see the README's "Group commit". None: as the store
    # is (a store ``create_app`` makes has it off).
    group_commit: bool | None = None

    @classmethod
    def load(cls, config: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        config = config or {}
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in attrs.fields(cls):
            name = f"TIMEBANK_{field.name.upper()}"
            if overrides.get(field.name) is not None:
                values[field.name] = overrides[field.name]
            elif name in config:
                values[field.name] = config[name]
            elif name in environ:
                values[field.name] = environ[name]
        if isinstance(values.get("group_commit"), str):
            values["group_commit"] = _flag(values["group_commit"])
        if "max_body" in values:
            values["max_body"] = int(values["max_body"])
        default = attrs.fields(cls).url_prefix.default
        prefix = "/" + str(values.get("url_prefix", default)).strip("/")
        values["url_prefix"] = "" if prefix == "/" else prefix
        return cls(**values)


def _flag(text: str) -> bool:
    """``TIMEBANK_GROUP_COMMIT=1|true|on|yes`` (or 0|false|off|no)."""
    value = text.strip().lower()
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("0", "false", "off", "no", ""):
        return False
    raise ValueError(f"TIMEBANK_GROUP_COMMIT: {text!r} is not on or off (1/0, true/false)")
