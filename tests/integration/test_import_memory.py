"""An all-or-nothing import holds only a chunk's worth of rows at a time, however long
the file (issue 17: 1.2 KB kept for every row made a million-row import need 944 MB).

The import runs in a child process under ``tracemalloc`` (a clean interpreter, so the
test session's own allocations do not count), once for a file of N rows and once for 4N;
a memory measure, not a timing one. Chunks are small so both files span many chunks:
what the import keeps per row would show as the longer file's higher peak (about
3N × the bytes kept per row), while a chunk's transient state is the same for both."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from timebank.domain.rulebook import rule

N = 1_200
CHUNK = 200
# 3N rows more in the longer file: a leak of 300 bytes a row is about 1 MB.
BOUND = 600_000

CHILD = """
import json, sys, tracemalloc
from timebank.io.contribution_import import contribution_plan
from timebank.io.importing import run_import
from timebank.store.db import Store
url, community, warm, path, chunk = sys.argv[1:6]
store = Store(url)
run_import(store, community, warm, contribution_plan(community), chunk_size=int(chunk))
tracemalloc.start()
report = run_import(store, community, path, contribution_plan(community),
                    chunk_size=int(chunk))
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
store.dispose()
print(json.dumps({"ok": report.ok, "added": report.added, "peak": peak,
                  "current": current}))
"""


@pytest.fixture
def crowd(tb, community):
    tb.rules.put(community, "patrol", rule(code="patrol", name_zh="巡逻", name_en="Patrol",
                                           basis="per_occurrence", rate=2))
    for i in range(6, 61):
        tb.members.add(community, f"m{i}", f"居民{i}")
    return community


def _file(path, rows, tag):
    path.write_text("成员编号,规则,数量,日期,备注\n" + "".join(
        f"m{1 + i % 60},patrol,1,2024-03-{1 + i % 28:02d},{tag}{i}\n" for i in range(rows)),
        encoding="utf-8")
    return path


def _peak(url, community, warm, path):
    done = subprocess.run([sys.executable, "-c", CHILD, url, community, str(warm),
                           str(path), str(CHUNK)],
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_import_four_times_longer_peaks_at_the_same_memory(db_url, tb, crowd, tmp_path):
    warm = _file(tmp_path / "warm.csv", CHUNK, "w")
    short = _peak(db_url, crowd, warm, _file(tmp_path / "short.csv", N, "s"))
    long = _peak(db_url, crowd, _file(tmp_path / "warm2.csv", CHUNK, "v"),
                 _file(tmp_path / "long.csv", 4 * N, "l"))

    assert (short["ok"], short["added"]) == (True, N)
    assert (long["ok"], long["added"]) == (True, 4 * N)
    assert long["peak"] - short["peak"] < BOUND, (short, long)
