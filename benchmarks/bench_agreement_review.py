"""The agreement audit over a review folder: N studies screened by C coders, from the sheets.

Run: .venv/bin/python benchmarks/bench_agreement_review.py [--studies 100000] [--coders 3]
     [--resamples 1000]
Writes C reviewers' title/abstract sheets (decision + criteria, each coder
flips about 10% of a common truth; a few maybes) into a temporary review
with the example codebook, then prints the time to read the sheets, compute
the whole agreement report (decision and every criterion, each with every
statistic and its bootstrap), list the conflicts, and resolve one conflict.

Target (issue #12): reading the sheets plus the report under 10 s for 100k
studies x 3 coders. The baseline, measured in the same run, is the floor any
report pays: reading the sheets. The ratio says what the statistics add.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from workbench.review import Review
from workbench.review.agreement import agreement_report, list_conflicts
from workbench.review.all_sheets import read_sheets
from workbench.review.resolving import resolve_conflict
from workbench.store.sheet import Event, append_events

REPO = Path(__file__).resolve().parents[1]
TA = "title_abstract"


CODERS = ("alice", "bob", "carol", "dave", "erin")
TARGET_S = 10.0


def write_sheets(root: Path, studies: int, version: str, coders: int = 3, seed: int = 1) -> None:
    """Append each reviewer's decisions in a few large appends."""
    rng = random.Random(seed)
    truth = ["include" if rng.random() < 0.15 else "exclude" for _ in range(studies)]
    reasons = ["E1", "E2", "E4"]
    for reviewer in CODERS[:coders]:
        events = []
        for i, decision in enumerate(truth):
            if rng.random() < 0.1:
                decision = "include" if decision == "exclude" else "exclude"
            elif rng.random() < 0.01:
                decision = "maybe"
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
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=3, choices=range(2, len(CODERS) + 1))
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "review"
        (root / "coding").mkdir(parents=True)
        shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
        review = Review.open(root)
        write_sheets(root, args.studies, review.codebook().version, args.coders)
        c0, t0 = time.process_time(), time.perf_counter()
        sheets = read_sheets(review)
        c1, t1 = time.process_time(), time.perf_counter()
        (report,) = agreement_report(review, TA, n_resamples=args.resamples, sheets=sheets)
        c2, t2 = time.process_time(), time.perf_counter()
        conflicts = list_conflicts(review, TA, sheets=sheets)
        t3 = time.perf_counter()
        first = conflicts[0]
        resolve_conflict(review, first.study_id, TA, first.field,
                         next(iter(first.values.values())), "zed", "benchmark")
        t4 = time.perf_counter()
    stats = {r.name: r for r in report.results[0][1] if not r.category}
    kappa = stats.get("cohen_kappa") or stats["fleiss_kappa"]
    n_stats = sum(len(s) for _, s in report.results)
    print(f"studies {args.studies:,} x {args.coders} coders, {len(report.results)} variables, "
          f"{n_stats} statistics, {args.resamples} resamples; {kappa.name} {kappa.value:.3f} "
          f"[{kappa.ci_low:.3f}, {kappa.ci_high:.3f}], AC1 q={stats['gwet_ac1'].q}")
    print(f"read sheets      {t1 - t0:7.2f} s  (baseline; CPU {c1 - c0:.2f} s)")
    print(f"agreement report {t2 - t1:7.2f} s  ({(t2 - t1) / (t1 - t0):.2f} x baseline; "
          f"CPU {c2 - c1:.2f} s, {(c2 - c1) / (c1 - c0):.2f} x baseline CPU)")
    print(f"list conflicts   {t3 - t2:7.2f} s  ({len(conflicts):,} conflicts)")
    print(f"resolve one      {t4 - t3:7.2f} s")
    total = t2 - t0
    print(f"read + report    {total:7.2f} s  ({total / (t1 - t0):.2f} x baseline; CPU "
          f"{c2 - c0:.2f} s; target < {TARGET_S:g} s: {'met' if total < TARGET_S else 'NOT met'}"
          f" wall, {'met' if c2 - c0 < TARGET_S else 'NOT met'} CPU)")
    print(methods_line(report))


def methods_line(report) -> str:
    """The stage's methods sentence (what a reviewer would paste)."""
    return "methods: " + report.methods()


if __name__ == "__main__":
    main()
