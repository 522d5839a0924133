"""Benchmark the coding sheet: durable save per decision, and reopening a 100k review.

Usage:
    .venv/bin/python benchmarks/bench_sheet.py [--decisions 100000] [--studies 100000]
        [--sheets 3] [--dir DIR]

1. Records N screening decisions one by one through `Sheet.record_screening`
   (validate, append, flush, fsync: the keystroke path) and prints the median,
   p95 and max time per durable save. Target: median < 5 ms.
2. Writes a review's coding/ folder with S sheets of one decision per study
   for `--studies` studies (a fifth excluded with criteria, a tenth with a
   note), then times reopening every sheet into memory (read + latest-wins
   state) and `check_coding`. Target: reload < 2 s.
DIR defaults to a temporary folder on the same disk as this repository.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.io.codebook_yaml import load_codebook  # noqa: E402
from workbench.store.reviewer_sheet import Sheet  # noqa: E402
from workbench.store.sheet import HEADER, _rows_text  # noqa: E402
from workbench.store.sheet_checks import check_coding, sheet_files  # noqa: E402

STAGE = "title_abstract"


def bench_saves(codebook, folder: Path, count: int) -> list[float]:
    sheet = Sheet.open(folder / "saver.csv", "saver", codebook.version)
    rng = random.Random(1)
    times = []
    for i in range(count):
        decision = rng.choice(["include", "exclude", "maybe"])
        criteria = ["E1"] if decision == "exclude" else []
        start = time.perf_counter()
        sheet.record_screening(codebook, STAGE, f"study-{i:06d}", decision, criteria)
        times.append(time.perf_counter() - start)
        if (i + 1) % 10_000 == 0:
            print(f"  {i + 1:>7} decisions saved, median so far "
                  f"{statistics.median(times) * 1000:.2f} ms", flush=True)
    return times


def write_review(codebook, coding: Path, studies: int, sheets: int) -> int:
    coding.mkdir(parents=True, exist_ok=True)
    total = 0
    for n in range(sheets):
        rng = random.Random(n)
        reviewer = f"reviewer{n + 1}"
        rows = []
        for i in range(studies):
            stamp = f"2025-03-{1 + i // 50_000:02d}T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:" \
                    f"{i % 60:02d}.{n:06d}Z"
            study = f"3fa2b1c9-{i:06d}"
            roll = rng.random()
            decision = "exclude" if roll < 0.2 else "include" if roll < 0.3 else "maybe" \
                if roll < 0.32 else "exclude"
            rows.append([stamp, reviewer, study, STAGE, "decision", decision, "",
                         codebook.version])
            if roll < 0.2:
                rows.append([stamp, reviewer, study, STAGE, "criteria", "E1;E2", "",
                             codebook.version])
            if roll < 0.1:
                rows.append([stamp, reviewer, study, STAGE, "note",
                             "off topic, about \"India\"", "", codebook.version])
        (coding / f"{reviewer}.csv").write_text(HEADER + _rows_text(rows),
                                                encoding="utf-8")
        total += len(rows)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--sheets", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    codebook = load_codebook(REPO / "codebook.yaml")
    base = args.dir or REPO / ".workbench"
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base, prefix="bench-sheet-") as tmp:
        folder = Path(tmp)
        print(f"folder: {folder}")
        if args.decisions:
            times = sorted(bench_saves(codebook, folder, args.decisions))
            ms = [t * 1000 for t in times]
            print(f"durable save, {len(ms)} decisions: median {statistics.median(ms):.2f} ms, "
                  f"p95 {ms[int(len(ms) * 0.95) - 1]:.2f} ms, max {ms[-1]:.2f} ms "
                  f"(target: median < 5 ms)")
        coding = folder / "review" / "coding"
        events = write_review(codebook, coding, args.studies, args.sheets)
        size = sum(p.stat().st_size for p in sheet_files(coding)) / 1e6
        print(f"review: {args.studies} studies, {args.sheets} sheets, {events} events, "
              f"{size:.1f} MB")
        runs, cpu = [], []
        for _ in range(3):
            start, cpu_start = time.perf_counter(), time.process_time()
            opened = [Sheet.open(p, p.stem, codebook.version) for p in sheet_files(coding)]
            runs.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
        assert all(len(s.state) == args.studies and not s.problems for s in opened)
        print(f"reload (read + latest-wins state, all sheets): best {min(runs):.2f} s, "
              f"worst {max(runs):.2f} s, CPU best {min(cpu):.2f} s (target < 2 s)")
        start = time.perf_counter()
        problems = check_coding(codebook, coding)
        print(f"check_coding over all sheets: {time.perf_counter() - start:.2f} s, "
              f"{len(problems)} problems")


if __name__ == "__main__":
    main()
