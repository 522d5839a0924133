"""Full-text passages reach annotations.csv (with page, offsets, file hash) and evidence.csv."""

from __future__ import annotations

import pandas as pd

from tests.io.export_review import EVENTS, make_review, study_ids
from workbench.review.exporting import write_exports

SHA = "ab" * 32
PASSAGE = [("bob", "A", "coding", "seg:p1", "code:twitter"),
           ("bob", "A", "coding", "seg:p1:quote", "We collected 2 million tweets"),
           ("bob", "A", "coding", "seg:p1:page", "4"),
           ("bob", "A", "coding", "seg:p1:start", "120"),
           ("bob", "A", "coding", "seg:p1:end", "149"),
           ("bob", "A", "coding", "seg:p1:sha256", SHA),
           ("alice", "A", "coding", "seg:p2", "field:source_type"),
           ("alice", "A", "coding", "seg:p2:quote", "a peer-reviewed article"),
           ("alice", "A", "coding", "seg:p2:page", "1"),
           ("alice", "A", "coding", "seg:p2:start", "5"),
           ("alice", "A", "coding", "seg:p2:end", "28"),
           ("alice", "A", "coding", "seg:p2:sha256", SHA),
           ("alice", "A", "coding", "seg:p3", "code:twitter"),     # removed again:
           ("alice", "A", "coding", "seg:p3:quote", "gone"),       # not exported
           ("alice", "A", "coding", "seg:p3:page", "2"),
           ("alice", "A", "coding", "seg:p3:start", "1"),
           ("alice", "A", "coding", "seg:p3:end", "5"),
           ("alice", "A", "coding", "seg:p3:sha256", SHA),
           ("alice", "A", "coding", "seg:p3", ""),
           ("bob", "A", "coding", "quote:twitter", "typed quote"),   # typed with `e`
           ("bob", "A", "coding", "page:twitter", "7")]


def test_passages_in_annotations_and_the_evidence_table(tmp_path):
    review = make_review(tmp_path / "review", EVENTS + PASSAGE)
    write_exports(review, charts=False)
    ids = study_ids(review)
    notes = pd.read_csv(review.exports / "annotations.csv", dtype=str, keep_default_na=False)
    passages = notes[notes["kind"] == "passage"].values.tolist()
    assert passages == [
        [ids["A"], "alice", "passage", "field:source_type", "a peer-reviewed article", "1", "5",
         "28", SHA],
        [ids["A"], "bob", "passage", "code:twitter", "We collected 2 million tweets", "4",
         "120", "149", SHA]]
    table = pd.read_csv(review.exports / "evidence.csv", dtype=str, keep_default_na=False)
    got = table[["target_kind", "target", "coder", "quote", "page", "start"]].values.tolist()
    assert got == [["code", "twitter", "bob", "We collected 2 million tweets", "4", "120"],
                   ["code", "twitter", "bob", "typed quote", "7", ""],
                   ["field", "source_type", "alice", "a peer-reviewed article", "1", "5"]]
    assert table["label"].tolist() == ["Twitter/X", "Twitter/X", "Source type"]
    assert all(s.endswith(")") for s in table["study"])
