"""`workbench log STUDY` on a big review, timed as a user runs it (issue 22: under 1 s at 100k).

Usage: .venv/bin/python benchmarks/bench_log.py REVIEW_DIR [STUDY_ID]

REVIEW_DIR is a generated review (benchmarks/bench_export.py's build() and
write_sheets() make a 100,000-study one with 1.5M events). Prints the wall
and CPU time of `workbench log STUDY` in a subprocess (median of 3), next to
`python -c "import click"` measured in the same run, and the ratio.
"""

from __future__ import annotations

import csv
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    root = Path(sys.argv[1])
    study = sys.argv[2] if len(sys.argv) > 2 else None
    if study is None:
        with (root / "coding" / "alice.csv").open(encoding="utf-8") as handle:
            rows = csv.reader(handle)
            next(rows)
            study = next(rows)[2]
    size = sum(p.stat().st_size for p in (root / "coding").glob("*.csv"))
    base = [timed([sys.executable, "-c", "import click"], root) for _ in range(3)]
    log = [timed([sys.executable, "-m", "workbench", "log", study], root) for _ in range(3)]
    bw, bc = statistics.median(b[0] for b in base), statistics.median(b[1] for b in base)
    lw, lc = statistics.median(x[0] for x in log), statistics.median(x[1] for x in log)
    print(f"review {root} ({size / 1e6:.0f} MB of sheets), study {study}")
    print(f"python -c 'import click': {bw:.2f} s wall, {bc:.2f} s CPU")
    print(f"workbench log STUDY:      {lw:.2f} s wall, {lc:.2f} s CPU "
          f"(ratio {lw / bw:.1f}x wall, {lc / max(bc, 1e-3):.1f}x CPU; target < 1 s)")


if __name__ == "__main__":
    main()
