"""Every time a person reads in an export is in the community's zone, with its offset
(both engines): an activity at midnight of 1 November in Shanghai is not
``2026-10-31 16:00`` on the statement."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from timebank.io.exports import export_ledger
from timebank.io.writers import write_csv
from timebank.timeutil import local_text

MIDNIGHT = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai


def test_a_statement_and_the_ledger_show_the_same_local_labelled_time(tb, community):
    tb.ledger.award(community, "m1", 5, key="a1", reason="扫雪", occurred_at=MIDNIGHT)
    statement = tb.statements.statement(community, "m1")
    buffer = io.BytesIO()
    write_csv(tb.reports.statement_table(statement, lang="en"), buffer, lang="en")
    [line] = list(csv.DictReader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert line["occurred_at"] == "2026-11-01 00:00:00 +08:00"
    assert line["at"].endswith(" +08:00")
    ledger = io.BytesIO()
    export_ledger(tb.store, community, ledger, lang="en")
    rows = list(csv.DictReader(io.StringIO(ledger.getvalue().decode("utf-8-sig"))))
    assert {r["occurred_at"] for r in rows} == {"2026-11-01 00:00:00 +08:00"}
    assert {r["recorded_at"] for r in rows} == {line["at"]}


def test_local_text_labels_the_offset_of_any_zone():
    assert local_text(datetime(2026, 7, 1, 12, 0), "Europe/Berlin") == \
        "2026-07-01 14:00:00 +02:00"
    assert local_text(datetime(2026, 7, 1, 12, 0), "UTC") == "2026-07-01 12:00:00 +00:00"
