"""Decisions follow a study when it merges into another (a new export or a person joins them)."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.review import Review
from workbench.review.screening import open_session

DATA = Path(__file__).resolve().parents[1] / "data"


def test_decisions_on_an_absorbed_study_are_carried_to_the_merged_one(tmp_path):
    root = tmp_path / "review"
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True)
    shutil.copy(DATA / "tui" / "codebook.yaml", root / "codebook.yaml")
    review = Review.open(root)
    review.import_references([DATA / "cli" / "scopus.bib"], database="Scopus")
    first, second = review.studies()
    session = open_session(review, "alice", "title_abstract")
    session.record(second.id, "exclude", ["E1"])
    # A person decides the two records are one study: the earlier id survives.
    review.decide_pair("alice", first.record_ids[0], second.record_ids[0], "same")
    review = Review.open(root)
    (merged,) = review.studies()
    assert merged.id == first.id
    assert review.aliases() == {second.id: first.id}
    session = open_session(review, "alice", "title_abstract")
    assert session.decision(first.id) == "exclude"
    assert session.criteria(first.id) == ("E1",)
    # Nothing on disk was rewritten: the old line still names the old id.
    assert second.id in (root / "coding" / "alice.csv").read_text(encoding="utf-8")
