"""The import pauses Python's cyclic garbage collector for its bulk write (about a third
of its CPU) and collects once per chunk instead; whatever happens, the collector is left
as the import found it, and a chunk's garbage does not outlive the chunk."""

from __future__ import annotations

import gc

import pytest

from timebank.domain.rulebook import rule
from timebank.io.contribution_import import contribution_plan
from timebank.io.importing import run_import


@pytest.fixture
def patrol(tb, community):
    tb.rules.put(community, "patrol", rule(code="patrol", name_zh="巡逻", name_en="Patrol",
                                           basis="per_occurrence", rate=2))
    return community


def _file(tmp_path, rows):
    path = tmp_path / "c.csv"
    path.write_text("成员编号,规则,数量,日期\n" + "".join(
        f"{member},patrol,1,2024-03-{1 + i % 28:02d}\n" for i, member in enumerate(rows)),
        encoding="utf-8")
    return path


class Cycle:
    """Garbage only the cyclic collector frees."""

    live = 0

    def __init__(self) -> None:
        Cycle.live += 1
        self.me = self

    def __del__(self) -> None:
        Cycle.live -= 1


def test_the_collector_runs_again_after_an_import_that_commits(tb, patrol, tmp_path):
    report = run_import(tb.store, patrol, _file(tmp_path, ["m1", "m2"] * 10),
                        contribution_plan(patrol))
    assert report.ok and report.added == 20
    assert gc.isenabled()


def test_the_collector_runs_again_after_an_import_that_rolls_back(tb, patrol, tmp_path):
    report = run_import(tb.store, patrol, _file(tmp_path, ["m1", "nobody"]),
                        contribution_plan(patrol))
    assert not report.committed and report.rejected == 1
    assert gc.isenabled()


def test_a_host_that_paused_the_collector_finds_it_still_paused(tb, patrol, tmp_path):
    gc.disable()
    try:
        run_import(tb.store, patrol, _file(tmp_path, ["m1"]), contribution_plan(patrol))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_reference_cycles_made_by_one_chunk_are_freed_before_the_file_ends(
        tb, patrol, tmp_path):
    plan = contribution_plan(patrol)
    write, seen = plan.write, []

    def leaky_write(uow, records):
        if not gc.isenabled():  # paused, as the bulk write runs
            Cycle()
        seen.append(Cycle.live)
        return write(uow, records)
    plan.write = leaky_write
    gc.collect()
    before = Cycle.live

    report = run_import(tb.store, patrol, _file(tmp_path, ["m1", "m2", "m3"] * 10), plan,
                        chunk_size=3)

    assert report.ok and len(seen) == 10
    assert max(seen) <= before + 1  # each chunk's cycle was gone before the next chunk
