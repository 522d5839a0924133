"""A sheet, a pair-answer file or the import manifest that is a link is never written through.

A review folder travels by shared drives, sync, git and zip files, all of
which keep symbolic links. `coding/alice.csv` placed as a link to a file
outside the review (`../../.bashrc`) made alice's next save append a CSV line
to that file (the sheet reader only reported its header). The three files
the tool appends to are now opened without following a link and must be
regular files: the save is refused with the file's name and nothing is
written anywhere.
"""

from __future__ import annotations

import os

import pytest

from workbench.core.dedupe.duplicates import PairDecision
from workbench.core.events import Event
from workbench.errors import DedupeError, SheetError
from workbench.store.imports import ImportEntry, append_manifest
from workbench.store.pairs import append_pair_decision, pair_decisions_path
from workbench.store.sheet import append_events

OUTSIDE = "export PATH=$HOME/bin:$PATH\n"


@pytest.fixture
def outside(tmp_path):
    victim = tmp_path / "outside.sh"
    victim.write_text(OUTSIDE)
    return victim


def link(path, target):
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def test_a_sheet_linked_outside_the_review_is_not_appended_to(tmp_path, outside):
    sheet = tmp_path / "review" / "coding" / "alice.csv"
    link(sheet, outside)
    with pytest.raises(SheetError, match="link"):
        append_events(sheet, [Event("", "alice", "S1", "title_abstract", "decision", "include")])
    assert outside.read_text() == OUTSIDE and sheet.is_symlink()


def test_a_sheet_linked_to_a_missing_file_creates_nothing(tmp_path):
    sheet = tmp_path / "review" / "coding" / "alice.csv"
    link(sheet, tmp_path / "made-elsewhere.csv")
    with pytest.raises(SheetError):
        append_events(sheet, [Event("", "alice", "S1", "title_abstract", "decision", "include")])
    assert not (tmp_path / "made-elsewhere.csv").exists()


def test_a_pair_answer_file_linked_outside_is_not_appended_to(tmp_path, outside):
    review = tmp_path / "review"
    link(pair_decisions_path(review, "carol"), outside)
    with pytest.raises(DedupeError, match="link"):
        append_pair_decision(review, PairDecision("", "carol", "r1", "r2", "same"))
    assert outside.read_text() == OUTSIDE


def test_a_manifest_linked_outside_is_not_appended_to(tmp_path, outside):
    references = tmp_path / "review" / "references"
    link(references / "imports.csv", outside)
    with pytest.raises(OSError, match="link"):
        append_manifest(references, ImportEntry("a.ris", "Scopus", "0" * 64, "ris", 1, 0,
                                                "2026-01-01T00:00:00Z"))
    assert outside.read_text() == OUTSIDE


def test_a_regular_sheet_in_a_linked_coding_folder_still_saves(tmp_path):
    """Only the file itself must not be a link: a linked folder (a synced drive) is fine."""
    real = tmp_path / "elsewhere"
    real.mkdir()
    (tmp_path / "review").mkdir()
    os.symlink(real, tmp_path / "review" / "coding")
    append_events(tmp_path / "review" / "coding" / "alice.csv",
                  [Event("", "alice", "S1", "title_abstract", "decision", "include")])
    assert (real / "alice.csv").read_text().count("\n") == 2


def test_a_staged_copy_placed_as_a_link_is_not_written_through(tmp_path, outside):
    """references/<export>.part placed as a link (export names are predictable: scopus.csv,
    savedrecs.txt): the import's copy went through it and overwrote the file outside."""
    from workbench.store.imports import stage_export, staged_path
    source = tmp_path / "scopus.csv"
    source.write_text("Title,Year\nA study,2020\n")
    target = tmp_path / "review" / "references" / "scopus.csv"
    link(staged_path(target), outside)
    digest = stage_export(source, target)
    assert outside.read_text() == OUTSIDE
    assert not staged_path(target).is_symlink()
    assert staged_path(target).read_bytes() == source.read_bytes()
    import hashlib
    assert digest == hashlib.sha256(source.read_bytes()).hexdigest()


def test_a_cache_temp_file_placed_as_a_link_is_not_written_through(tmp_path, outside):
    """.workbench/<cache>.<pid>.<thread>.tmp placed as a link: writing the cache went through it
    (the name is guessable: a pid, and the main thread's id)."""
    import threading

    from workbench.store.cache import read_cache, write_cache
    path = tmp_path / "review" / ".workbench" / "status.json"
    link(path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"), outside)
    assert write_cache(path, "status", {"a": 1})
    assert outside.read_text() == OUTSIDE
    assert read_cache(path, "status") == {"a": 1} and not path.is_symlink()


def test_a_sheet_cache_temp_file_placed_as_a_link_is_not_written_through(tmp_path, outside,
                                                                          monkeypatch):
    import threading

    from tests.review.test_consensus_scenario import build_scenario
    from workbench.review import Review, sheet_tails
    from workbench.review import decision_frames as df
    monkeypatch.setattr(df, "COLUMNS_FROM_BYTES", 0)
    root = tmp_path / "review"
    build_scenario(root)
    sheet = root / "coding" / "alice.csv"
    _, arrays = sheet_tails.cache_paths(root, sheet)
    link(arrays.with_name(f"{arrays.name}.{os.getpid()}.{threading.get_ident()}.tmp"), outside)
    assert sheet_tails.sheet_tail(Review.open(root), sheet) is not None
    assert outside.read_text() == OUTSIDE
    assert arrays.exists() and not arrays.is_symlink()
