"""The import reads and parses the next chunk in a thread while one is written: what it
reads arrives in order, a reading error reaches the caller, and the thread never
outlives the import (it must not read a file the import has closed)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from timebank.errors import ValidationError
from timebank.io.importing import _Chunk, _read_ahead


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "timebank-import-reader"]


def _chunks(count: int, fail_at: int | None = None) -> Iterator[_Chunk[int]]:
    for n in range(count):
        if n == fail_at:
            raise ValidationError("row 3: not UTF-8")
        yield _Chunk([n], [], 1, (n, count))


def test_chunks_arrive_in_order_and_the_thread_ends_with_them() -> None:
    with _read_ahead(_chunks(50)) as chunks:
        got = [chunk.records[0] for chunk in chunks]
    assert got == list(range(50))
    assert _readers() == []


def test_a_reading_error_is_raised_in_the_caller_after_the_chunks_before_it() -> None:
    got: list[int] = []
    with pytest.raises(ValidationError, match="not UTF-8"), \
            _read_ahead(_chunks(10, fail_at=4)) as chunks:
        got.extend(chunk.records[0] for chunk in chunks)
    assert got == [0, 1, 2, 3]
    assert _readers() == []


def test_leaving_early_stops_the_thread_without_reading_the_rest() -> None:
    read: list[int] = []

    def counted() -> Iterator[_Chunk[int]]:
        for chunk in _chunks(1_000):
            read.append(chunk.records[0])
            yield chunk

    with pytest.raises(RuntimeError), _read_ahead(counted()) as chunks:
        next(chunks)
        raise RuntimeError("the write failed")
    assert _readers() == []
    assert len(read) <= 4  # the one taken, one queued, one waiting to be queued
