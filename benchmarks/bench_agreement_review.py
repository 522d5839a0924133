"""The agreement audit over a review folder: N studies screened by 2 coders, from the sheets.

Run: .venv/bin/python benchmarks/bench_agreement_review.py [--studies 20000] [--resamples 1000]
Writes two reviewers' title/abstract sheets (decision + criteria, about 20%
disagreement) into a temporary review with the example codebook, then
prints the time to read the sheets, compute the whole agreement report
(decision and every criterion, each with its bootstrap), list the
conflicts, and resolve one conflict (append to the consensus sheet).
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from workbench.review import Review
from workbench.review.agreement import (agreement_report, list_conflicts, read_sheets)
from workbench.review.resolving import resolve_conflict
from workbench.store.sheet import Event, append_events

REPO = Path(__file__).resolve().parents[1]
TA = "title_abstract"


def write_sheets(root: Path, studies: int, version: str, seed: int = 1) -> None:
    """Append two reviewers' decisions in a few large appends."""
    rng = random.Random(seed)
    truth = ["include" if rng.random() < 0.15 else "exclude" for _ in range(studies)]
    reasons = ["E1", "E2", "E4"]
    for reviewer in ("alice", "bob"):
        events = []
        for i, decision in enumerate(truth):
            if rng.random() < 0.1:
                decision = "include" if decision == "exclude" else "exclude"
            sid = f"S{i:06d}"
            events.append(Event("", reviewer, sid, TA, "decision", decision, "", version))
            if decision == "exclude":
                events.append(Event("", reviewer, sid, TA, "criteria", rng.choice(reasons),
                                    "", version))
        path = root / "coding" / f"{reviewer}.csv"
        for start in range(0, len(events), 50_000):
            append_events(path, events[start:start + 50_000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=20_000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "review"
        (root / "coding").mkdir(parents=True)
        shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
        review = Review.open(root)
        write_sheets(root, args.studies, review.codebook().version)
        t0 = time.perf_counter()
        sheets = read_sheets(review)
        t1 = time.perf_counter()
        (report,) = agreement_report(review, TA, n_resamples=args.resamples, sheets=sheets)
        t2 = time.perf_counter()
        conflicts = list_conflicts(review, TA, sheets=sheets)
        t3 = time.perf_counter()
        first = conflicts[0]
        resolve_conflict(review, first.study_id, TA, first.field,
                         next(iter(first.values.values())), "carol", "benchmark")
        t4 = time.perf_counter()
    kappa = next(r for r in report.results[0][1] if r.name == "cohen_kappa")
    print(f"studies {args.studies} x 2 coders, {len(report.results)} variables, "
          f"{args.resamples} resamples; kappa {kappa.value:.3f} "
          f"[{kappa.ci_low:.3f}, {kappa.ci_high:.3f}]")
    print(f"read sheets      {t1 - t0:7.2f} s")
    print(f"agreement report {t2 - t1:7.2f} s")
    print(f"list conflicts   {t3 - t2:7.2f} s  ({len(conflicts)} conflicts)")
    print(f"resolve one      {t4 - t3:7.2f} s")


if __name__ == "__main__":
    main()
