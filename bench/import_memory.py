"""The import's memory as the file grows (issue 17; not part of ``make bench``).

``python -m bench.import_memory --rows 3000000 --every 100000 [--engine postgresql]``
imports one all-or-nothing file of ``--rows`` contribution rows (the reports bench's
file and community) in a child process and prints, each time ``--every`` more rows have
been read, the child's resident memory, its peak so far and the seconds, then the rate: memory that
stays flat from 100,000 rows to 3,000,000 is memory that does not grow per row.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import engines, fresh_database
from bench.reports import _setup_import, _write_file
from timebank import Timebank

CHILD = """
import json, sys, time
from timebank.io import importing
from timebank.io.contribution_import import contribution_plan
from timebank.store.db import Store
url, community, path, every = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = [0]
def mb(kind):  # VmHWM, the peak, is this program's own (ru_maxrss keeps a forking parent's)
    with open("/proc/self/status") as status:
        found = dict(line.split(":", 1) for line in status)
    return int(found["VmHWM" if kind == "peak" else "VmRSS"].split()[0]) / 1024
def progress(done, total):  # called once a chunk (importing.CHUNK rows) is written
    before, seen[0] = seen[0], seen[0] + importing.CHUNK
    if seen[0] // every > before // every:
        print(json.dumps({"rows": seen[0], "rss_mb": round(mb("rss"), 1),
                          "peak_mb": round(mb("peak"), 1),
                          "seconds": round(time.perf_counter() - start, 1)}), flush=True)
start = time.perf_counter()
report = importing.run_import(Store(url), community, path, contribution_plan(community),
                               progress=progress)
seconds = time.perf_counter() - start
assert report.ok and report.added == report.rows, report.problems[:5]
print(json.dumps({"rows": report.rows, "seconds": round(seconds, 1),
                  "rows_per_s": round(report.rows / seconds), "peak_mb": round(mb("peak"), 1)}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_memory")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=26_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.engine not in engines():
        print("set TIMEBANK_TEST_POSTGRES_URL for PostgreSQL", file=sys.stderr)
        return 2
    with fresh_database(args.engine) as url, \
            tempfile.TemporaryDirectory(prefix="tb-import-") as tmp:
        tb = Timebank(url)
        tb.init()
        try:
            _setup_import(tb, "imp", args.members)
        finally:
            tb.close()
        path = Path(tmp) / "contributions.csv"
        _write_file(path, args.rows, args.members)
        child = subprocess.Popen([sys.executable, "-c", CHILD, url, "imp", str(path),
                                  str(args.every)], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        for line in child.stdout:  # passed on as they come: a long run shows its progress
            print(line.rstrip(), flush=True)
        return child.wait()


if __name__ == "__main__":
    sys.exit(main())
