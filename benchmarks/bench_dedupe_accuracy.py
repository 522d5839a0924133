"""Duplicate detection accuracy on labelled real exports (automatic decisions only).

Usage:
    .venv/bin/python benchmarks/bench_dedupe_accuracy.py [labelled.csv ...]

Default: every `*.csv` with a `gold_cluster` column in ../shared/data/dedup/.
Prints pairwise precision, recall, F1, false-merge pairs (a few with titles)
and the size of the uncertain queue.
"""

from __future__ import annotations

import csv
import sys
import time
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.dedupe.duplicates import find_duplicates  # noqa: E402
from workbench.core.records import Record, normalize_doi, parse_year  # noqa: E402

DEFAULT_DIR = REPO.parent / "shared" / "data" / "dedup"


def load_labelled(path: Path) -> tuple[list[Record], dict[str, str]]:
    """Return (records in file order, record id -> gold cluster) from a labelled CSV."""
    records, gold = [], {}
    csv.field_size_limit(10_000_000)
    with open(path, newline="", encoding="utf-8") as handle:
        for n, row in enumerate(csv.DictReader(handle), start=1):
            author = row.get("author", "") or ""
            authors = tuple(a.strip() for a in author.split(" and ")) if " and " in author \
                else ((author.strip(),) if author.strip() else ())
            rid = row.get("ID") or f"row-{n:06d}"
            records.append(Record(
                title=row.get("title", "") or "", abstract=row.get("abstract", "") or "",
                authors=authors, year=parse_year(row.get("year")), venue=row.get("journal", "") or "",
                volume=row.get("volume", "") or "", issue=row.get("number", "") or "",
                pages=row.get("pages", "") or "", doi=normalize_doi(row.get("doi")),
                isbn=row.get("isbn", "") or "", url=row.get("url", "") or "",
                pub_type=row.get("ENTRYTYPE", "") or "", file=path.name, database="",
                key=rid, line=n + 1, id=rid))
            gold[rid] = row["gold_cluster"]
    return records, gold


def _pairs(groups: dict[str, list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for members in groups.values() if len(members) > 1
            for p in combinations(members, 2)}


def score(records: list[Record], gold: dict[str, str]) -> dict:
    """Dedupe the records and return the pairwise scores and the false-merge pairs."""
    start = time.perf_counter()
    result = find_duplicates(records)
    seconds = time.perf_counter() - start
    predicted: dict[str, list[str]] = {}
    for rid, sid in result.record_to_study.items():
        predicted.setdefault(sid, []).append(rid)
    truth: dict[str, list[str]] = {}
    for rid, cluster in gold.items():
        truth.setdefault(cluster, []).append(rid)
    pred_pairs, true_pairs = _pairs(predicted), _pairs(truth)
    correct = len(pred_pairs & true_pairs)
    precision = correct / len(pred_pairs) if pred_pairs else 1.0
    recall = correct / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"records": len(records), "studies": len(result.studies), "seconds": seconds,
            "precision": precision, "recall": recall, "f1": f1,
            "false_pairs": sorted(tuple(sorted(p)) for p in pred_pairs - true_pairs),
            "missed_pairs": sorted(tuple(sorted(p)) for p in true_pairs - pred_pairs),
            "uncertain": len(result.uncertain), "result": result}


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(p for p in DEFAULT_DIR.glob("*.csv")
                                              if "merged_record_ids" not in p.name)
    if not paths:
        print(f"no labelled set: {DEFAULT_DIR} is missing or holds no *.csv (run from a checkout "
              "under /work, next to shared/, or name the CSVs)", file=sys.stderr)
        return 2
    for path in paths:
        records, gold = load_labelled(path)
        by_id = {r.id: r for r in records}
        s = score(records, gold)
        n = s["records"]
        print(f"{path.name}: {n} records -> {s['studies']} studies "
              f"(true {len(set(gold.values()))}) in {s['seconds']:.2f} s")
        print(f"  precision {s['precision']:.4f}  recall {s['recall']:.4f}  F1 {s['f1']:.4f}")
        print(f"  false-merge pairs {len(s['false_pairs'])} ({1000 * len(s['false_pairs']) / n:.2f} "
              f"per 1,000 records); missed pairs {len(s['missed_pairs'])}")
        print(f"  uncertain queue {s['uncertain']} pairs ({100 * s['uncertain'] / n:.2f}% of records)")
        for a, b in s["false_pairs"][:5]:
            print(f"    FALSE {a} | {by_id[a].title[:70]!r} ({by_id[a].year}, {by_id[a].pages})")
            print(f"          {b} | {by_id[b].title[:70]!r} ({by_id[b].year}, {by_id[b].pages})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
