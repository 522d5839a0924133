"""The hand-counted review the export tests use (see tests/data/export/README.md)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from workbench.review import Review

DATA = Path(__file__).resolve().parents[1] / "data" / "export"
HEADER = ["time", "reviewer", "study_id", "stage", "field", "value", "note", "codebook_version"]

# (sheet, study letter, stage, field, value), in the order written.
EVENTS = [
    *[(who, s, "title_abstract", "decision", "include")
      for s in "ABCE" for who in ("alice", "bob")],
    ("alice", "D", "title_abstract", "decision", "exclude"),
    ("alice", "D", "title_abstract", "criteria", "E1"),
    ("bob", "D", "title_abstract", "decision", "exclude"),
    ("bob", "D", "title_abstract", "criteria", "E1"),
    ("alice", "F", "title_abstract", "decision", "include"),
    ("bob", "F", "title_abstract", "decision", "exclude"),
    ("bob", "F", "title_abstract", "criteria", "E2"),
    ("consensus", "F", "title_abstract", "decision", "include"),
    ("alice", "G", "title_abstract", "decision", "maybe"),
    ("alice", "G", "title_abstract", "decision", "exclude"),   # changed: latest wins
    ("alice", "G", "title_abstract", "criteria", "E2"),
    ("bob", "G", "title_abstract", "decision", "exclude"),
    ("bob", "G", "title_abstract", "criteria", "E2"),
    *[(who, s, "full_text", "decision", "include") for s in "AB" for who in ("alice", "bob")],
    *[(who, "C", "full_text", "decision", "not_retrieved") for who in ("alice", "bob")],
    ("alice", "E", "full_text", "decision", "exclude"),
    ("alice", "E", "full_text", "criteria", "E3"),
    ("bob", "E", "full_text", "decision", "exclude"),
    ("bob", "E", "full_text", "criteria", "E3;E1"),
    *[(who, "F", "full_text", f, v) for who in ("alice", "bob")
      for f, v in (("decision", "exclude"), ("criteria", "E2"))],
    # Coding of A: platforms agreed, policy results in conflict, sample size NA by both.
    *[(who, "A", "coding", f, v) for who in ("alice", "bob") for f, v in (
        ("code:platforms", "twitter;facebook"), ("field:source_type", "peer_reviewed"),
        ("field:sample_size", ""))],
    ("alice", "A", "coding", "code:policy_results", "legislative_change"),
    ("bob", "A", "coding", "code:policy_results", "no_policy_change"),
    *[(who, "A", "coding", f"row:campaign:{rid}{suffix}", v)
      for who, rid in (("alice", "a1"), ("bob", "b1"))
      for suffix, v in (("", "1"), (":name", "#MeTooPakistan"), (":hashtag_reach", "5.2"),
                        (":engagement_rate", "7.5"))],
    *[(who, "A", "coding", f"row:campaign:{rid}{suffix}", v)
      for who, rid in (("alice", "a2"), ("bob", "b2"))
      for suffix, v in (("", "1"), (":name", "#ClimateActionPK"), (":hashtag_reach", ""),
                        (":engagement_rate", "3.8"))],
    # Coding of B: source type resolved in the consensus sheet, the campaign row's
    # engagement rate in conflict (the row itself is agreed: both entered it).
    *[(who, "B", "coding", f, v) for who in ("alice", "bob") for f, v in (
        ("code:platforms", "twitter"), ("code:policy_results", ""),
        ("field:sample_size", "0"))],
    ("alice", "B", "coding", "field:source_type", "ngo_case_study"),
    ("bob", "B", "coding", "field:source_type", "peer_reviewed"),
    ("consensus", "B", "coding", "field:source_type", "ngo_case_study"),
    *[(who, "B", "coding", f"row:campaign:{rid}{suffix}", v)
      for who, rid, rate in (("alice", "c1", "2.4"), ("bob", "d1", "2.5"))
      for suffix, v in (("", "1"), (":name", "#HarassmentFreeStreets"), (":hashtag_reach", ""),
                        (":engagement_rate", rate))],
    # D was excluded: its coding must not reach the dataset.
    ("alice", "D", "coding", "code:platforms", "twitter"),
]


def study_ids(review: Review) -> dict[str, str]:
    """Map each study's letter (first word of its title) to its id."""
    return {s.title.split()[0][0]: s.id for s in review.studies()}


def write_sheets(review: Review, events=EVENTS) -> None:
    """Write the sheets of EVENTS into coding/ (times strictly increasing)."""
    ids = study_ids(review)
    version = review.codebook().version
    rows: dict[str, list[list[str]]] = {}
    for n, (sheet, letter, stage, field, value) in enumerate(events):
        time = f"2025-03-14T10:{n // 60:02d}:{n % 60:02d}.000000Z"
        reviewer = "lead" if sheet == "consensus" else sheet
        rows.setdefault(sheet, []).append([time, reviewer, ids[letter], stage, field, value, "",
                                           version])
    for sheet, lines in rows.items():
        with open(review.coding / f"{sheet}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(lines)


def make_review(root: Path, events=EVENTS) -> Review:
    """Build the test review in `root`: codebook, two imported exports, the sheets."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "review" / "codebook.yaml", root / "codebook.yaml")
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(exist_ok=True)
    review = Review.open(root)
    review.import_references([DATA / "scopus.ris"], database="Scopus")
    review.import_references([DATA / "wos.ris"], database="Web of Science")
    write_sheets(review, events)
    return Review.open(root)
