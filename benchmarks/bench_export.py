"""Export a synthetic 100k-study review and print the time.

Usage: .venv/bin/python benchmarks/bench_export.py [N]   (N studies, default 100000)

Prints the total and the time of each export step (from the progress callback).

Builds a review in a temporary folder: one RIS export of N records (unique DOIs,
so N studies), two reviewers' sheets with title/abstract and full-text
decisions for every study and coding (2 dimensions, 2 fields, one campaign row
with a missing value) for the included ones, plus a consensus sheet resolving
the conflicts. Record parsing and duplicate detection are timed separately
(they are cached by the review); the figure that matters is `write_exports`.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.review import Review  # noqa: E402
from workbench.review.exporting import write_exports  # noqa: E402
from workbench.store.sheet_reading import SHEET_COLUMNS, sheet_line  # noqa: E402

HEADER = ["time", "reviewer", "study_id", "stage", "field", "value", "note", "codebook_version"]


def build(root: Path, n: int) -> Review:
    rng = random.Random(7)
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    for name in ("references", "coding", "exports"):
        (root / name).mkdir()
    ris = root.parent / "big.ris"
    with ris.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f"TY  - JOUR\nTI  - Study {i} of social media activism {rng.random()}\n"
                      f"AU  - Author{i}, A.\nPY  - {2010 + i % 16}\nT2  - Journal {i % 97}\n"
                      f"DO  - 10.5555/bench.{i}\nER  - \n\n")
    review = Review.open(root)
    review.import_references([ris], database="Scopus")
    return review


def write_sheets(review: Review, checked: bool = True) -> int:
    """Write alice's, bob's and a consensus sheet for every study; return the event count.

    checked=False writes the 8-column sheets of versions before the check column.
    """
    version = review.codebook().version
    studies = [s.id for s in review.studies()]
    sheets = {"alice": [], "bob": [], "consensus": []}
    clock = [0]

    def ev(sheet, sid, stage, field, value):
        clock[0] += 1
        t = clock[0]
        sheets[sheet].append([f"2025-01-01T{t // 3600000 % 24:02d}:{t // 60000 % 60:02d}:"
                              f"{t // 1000 % 60:02d}.{t % 1000000:06d}Z",
                              "lead" if sheet == "consensus" else sheet, sid, stage, field,
                              value, "", version])

    for i, sid in enumerate(studies):
        for who in ("alice", "bob"):
            if i % 4 == 3:
                ev(who, sid, "title_abstract", "decision", "exclude")
                ev(who, sid, "title_abstract", "criteria", "E1")
                continue
            ev(who, sid, "title_abstract", "decision", "include")
            d = "exclude" if i % 10 == 1 else "not_retrieved" if i % 50 == 2 else "include"
            ev(who, sid, "full_text", "decision", d)
            if d == "exclude":
                ev(who, sid, "full_text", "criteria", "E3")
            if d != "include":
                continue
            ev(who, sid, "coding", "code:platforms", "twitter;facebook" if i % 2 else "twitter")
            ev(who, sid, "coding", "code:policy_results",
               "legislative_change" if who == "alice" or i % 9 else "policy_review")
            ev(who, sid, "coding", "field:source_type", "peer_reviewed")
            ev(who, sid, "coding", "field:youth_focus", "true" if i % 3 else "")
            ev(who, sid, "coding", f"row:campaign:{who[0]}{i:07x}", "1")
            ev(who, sid, "coding", f"row:campaign:{who[0]}{i:07x}:name", f"#c{i % 500}")
            ev(who, sid, "coding", f"row:campaign:{who[0]}{i:07x}:hashtag_reach",
               "" if i % 5 == 0 else f"{i % 13}.5")
            ev(who, sid, "coding", f"row:campaign:{who[0]}{i:07x}:engagement_rate",
               f"{i % 7}.2")
        if i % 9 == 0 and i % 4 != 3 and i % 10 != 1 and i % 50 != 2:
            ev("consensus", sid, "coding", "code:policy_results", "legislative_change")
    total = 0
    for name, rows in sheets.items():
        with (review.coding / f"{name}.csv").open("w", newline="", encoding="utf-8") as out:
            if checked:  # as this version saves: each line ends with its check
                out.write(",".join(SHEET_COLUMNS) + "\n")
                out.writelines(sheet_line(row) for row in rows)
            else:
                writer = csv.writer(out, lineterminator="\n")
                writer.writerow(HEADER)
                writer.writerows(rows)
        total += len(rows)
    return total


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        root = tmp / "review"
        root.mkdir()
        start = time.perf_counter()
        review = build(root, n)
        records = review.records()
        t_records = time.perf_counter() - start
        start = time.perf_counter()
        studies = review.studies()
        t_dedupe = time.perf_counter() - start
        events = write_sheets(review)
        review = Review.open(root)
        review.records()
        review.studies()  # warm: parsed records and studies come from the review's cache
        start = time.perf_counter()
        marks = []
        summary = write_exports(review, progress=lambda d, t: marks.append(
            (d, time.perf_counter() - start)))
        t_export = time.perf_counter() - start
        print(f"records: {len(records):,} parsed+imported in {t_records:.1f} s; "
              f"studies: {len(studies):,} in {t_dedupe:.1f} s; sheet events: {events:,}")
        print(f"write_exports: {t_export:.1f} s for {summary.studies_included:,} included "
              f"studies, {len(summary.files)} files (target < 20 s)")
        # References, log and diagram are written by a second process during "coded
        # tables", the charts by another during the table writes; "wait" is what is left.
        names = ["read sheets", "PRISMA flow", "coded tables", "dataset CSVs",
                 "PRISMA CSVs", "XLSX", "README", "wait for 2nd process", "commit"]
        steps = [(names[d - 1] if 0 < d <= len(names) else f"step {d}", t - prev)
                 for (d, t), (_, prev) in zip(marks[1:], marks)]
        print("steps (s): " + ", ".join(f"{name} {t:.1f}" for name, t in steps))
        sizes = {p.name: p.stat().st_size for p in summary.files}
        print(f"largest files: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in
                                            sorted(sizes.items(), key=lambda kv: -kv[1])[:4]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
