"""Reports as files: the CSV and XLSX answers beside the JSON one, for the community's
reports and the district's alike (one place names the types and the file)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from webapi.api import bank

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = ["CSV", "XLSX", "answer", "documented"]


def documented(bp: Blueprint) -> Callable[[Any], Any]:
    """A decorator documenting the CSV and XLSX answers (``format=csv|xlsx``) on ``bp``."""
    said = "The report: JSON, or with `format` CSV (UTF-8 with BOM) or XLSX."

    def files(view: Any) -> Any:
        for content_type, schema in ((XLSX, {"type": "string", "format": "binary"}),
                                     (CSV, {"type": "string"})):
            view = bp.alt_response(200, schema=schema, content_type=content_type,
                                   description=said, success=True)(view)
        return view
    return files


def answer(report: Any, query: dict[str, Any], owner: str, name: str) -> Any:
    """The report itself for JSON (the response schema writes it), else a file named
    ``<owner>-<name>-<period>`` (the community's or the district's code)."""
    fmt = query["format"]
    if fmt == "json":
        return report
    reports = bank().reports
    data = (reports.to_csv if fmt == "csv" else reports.to_xlsx)(report, query["lang"])
    response = current_app.response_class(data, content_type=CSV if fmt == "csv" else XLSX)
    filename = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{owner}-{name}-{report.period}")
    response.headers.set("Content-Disposition", "attachment", filename=f"{filename}.{fmt}")
    return response
