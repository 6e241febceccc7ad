"""An entry's hashed text, put together field by field, is the whole-dict encoding."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given

from tests.strategies import hashed_entries
from timebank.domain.ledger import GENESIS_HASH, Entry, EntryKind, Posting, move


@given(hashed_entries(plain=True) | hashed_entries(plain=False))
def test_the_hashed_text_is_the_whole_dict_encoding(entry: Entry) -> None:
    try:
        expected = entry.digest_body_text()
    except TypeError:  # legs that cannot be sorted: both ways refuse them
        with pytest.raises(TypeError):
            entry.digest_text()
        return
    assert entry.digest_text() == expected
    assert entry.digest(GENESIS_HASH) == hashlib.sha256(
        (GENESIS_HASH + entry.digest_body_text()).encode()).hexdigest()


def test_a_plain_entry_hashes_as_it_always_has() -> None:
    """A digest pinned when the chain was first written: stored chains keep verifying."""
    entry = Entry("东区", 7, EntryKind.AWARD, move(3, 12, "points", 5), "扫雪 \"a\"\n",
                  "worker", datetime(2026, 1, 2, 3, 4, 5, 6), datetime(2026, 1, 2, 3, 4, 5),
                  None, {"owners": {"12": "m1"}, "note": [1, None, True]})
    assert entry.digest_text() == (
        '{"a":"worker","c":"东区","k":"award","m":{"note":[1,null,true],'
        '"owners":{"12":"m1"}},"o":"2026-01-02T03:04:05.000006",'
        '"p":[[3,"points",-5],[12,"points",5]],"r":"扫雪 \\"a\\"\\n","s":7,'
        '"t":"2026-01-02T03:04:05.000000","v":null}')


def test_equal_moments_in_other_offsets_keep_their_own_text() -> None:
    """Moments are written without their offset, so two aware datetimes that compare
    equal are two texts: none is taken from the other's."""
    utc = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    east = utc.astimezone(timezone(timedelta(hours=8)))
    legs = (Posting(1, "points", -1), Posting(2, "points", 1))
    naive, first, second = (
        Entry("c", 1, EntryKind.AWARD, legs, "", "", moment, moment).digest_text()
        for moment in (utc.replace(tzinfo=None), utc, east))
    assert naive == first != second
    assert '"o":"2026-01-01T08:00:00.000000"' in second
