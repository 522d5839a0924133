"""The agreement report on bench_export.py's review: coding stage with group rows, as the export computes it.

Run: .venv/bin/python benchmarks/bench_agreement_coding.py [N]   (N studies, default 20000)

Builds bench_export's synthetic review (two reviewers, title/abstract and
full-text decisions, coding of the included studies: dimensions, fields and a
campaign row), then prints the time to read the sheets (the baseline,
measured in the same run) and to compute `agreement_report` for every stage
(1,000 resamples), wall and CPU, with the ratio to the baseline. The export
(`write_exports`) runs this in its second process; its own target is
< 20 s for 100k studies (bench_export.py).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_export  # noqa: E402

from workbench.review.agreement import agreement_report  # noqa: E402
from workbench.review.all_sheets import read_sheets  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    tmp = Path(tempfile.mkdtemp(prefix="bench-agreement-coding-"))
    try:
        (tmp / "review").mkdir()
        review = bench_export.build(tmp / "review", n)
        bench_export.write_sheets(review)
        review.studies()
        c0, t0 = time.process_time(), time.perf_counter()
        sheets = read_sheets(review)
        c1, t1 = time.process_time(), time.perf_counter()
        reports = agreement_report(review, sheets=sheets)
        c2, t2 = time.process_time(), time.perf_counter()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    variables = sum(len(r.results) for r in reports)
    coded = next((r.studies_by_two() for r in reports if r.stage.kind == "coding"), 0)
    print(f"{n:,} studies ({coded:,} coded by two), {len(reports)} stages, {variables} variables, "
          f"1000 resamples")
    print(f"read sheets      {t1 - t0:7.2f} s  (baseline; CPU {c1 - c0:.2f} s)")
    print(f"agreement report {t2 - t1:7.2f} s  ({(t2 - t1) / (t1 - t0):.2f} x baseline; "
          f"CPU {c2 - c1:.2f} s, {(c2 - c1) / (c1 - c0):.2f} x baseline CPU)")
    for r in reports:
        if r.methods():
            print(f"{r.stage.id}: {r.methods()}")


if __name__ == "__main__":
    main()
