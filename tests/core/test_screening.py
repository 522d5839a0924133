"""Screening decisions: validation, the events one decision writes, state, undo, work left."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.events import DecisionRefused, Event, SheetState
from workbench.core.screening import left_to_screen, screening_changes, screening_decision
from workbench.io.codebook_yaml import load_codebook
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(REPO / "codebook.yaml")


@pytest.fixture
def sheet(tmp_path, codebook):
    return Sheet.open(tmp_path / "coding" / "alice.csv", "alice", codebook.version)


def test_exclude_with_criteria_and_note_is_one_append(sheet, codebook):
    written = sheet.record_screening(codebook, "title_abstract", "s1", "exclude", ["E1", "E2"],
                                     note="about India")
    assert [(e.field, e.value) for e in written] == [
        ("decision", "exclude"), ("criteria", "E1;E2"), ("note", "about India")]
    assert len({e.time for e in written}) == 1
    assert all(e.codebook_version == codebook.version for e in written)
    state = sheet.screening("title_abstract", "s1")
    assert (state.decision, state.criteria, state.note) == ("exclude", ("E1", "E2"), "about India")


def test_changed_decision_appends_and_clears_stale_criteria(sheet, codebook):
    sheet.record_screening(codebook, "title_abstract", "s1", "exclude", ["E1"])
    written = sheet.record_screening(codebook, "title_abstract", "s1", "include")
    assert [(e.field, e.value) for e in written] == [("decision", "include"), ("criteria", "")]
    reread = Sheet.open(sheet.path, "alice")
    assert reread.screening("title_abstract", "s1").criteria == ()
    assert len(read_sheet(sheet.path).events) == 4  # history kept


@pytest.mark.parametrize("decision", ["maybe", "not_retrieved"])
def test_other_decisions(sheet, codebook, decision):
    sheet.record_screening(codebook, "full_text", "s9", decision)
    assert sheet.screening("full_text", "s9").decision == decision


@pytest.mark.parametrize("args, message", [
    (("nope", "s1", "include"), "unknown stage 'nope'"),
    (("coding", "s1", "include"), "is a coding stage, not screening"),
    (("title_abstract", "s1", "yes"), "unknown decision 'yes'"),
    (("title_abstract", "s1", "exclude", ["E7"]), "criterion 'E7' is not defined"),
    (("title_abstract", "s1", "exclude", ["E3"]), "does not apply at stage 'title_abstract'"),
    (("full_text", "s1", "exclude"), "needs an exclusion criterion"),
])
def test_invalid_decisions_save_nothing(sheet, codebook, args, message):
    with pytest.raises(DecisionRefused, match=message) as caught:
        sheet.record_screening(codebook, *args)
    assert "nothing was saved" in str(caught.value)
    assert not sheet.path.exists()
    assert len(sheet.state) == 0


def test_undo_restores_previous_values_and_keeps_history(sheet, codebook):
    sheet.record_screening(codebook, "title_abstract", "s1", "exclude", ["E1"], note="n1")
    sheet.record_screening(codebook, "title_abstract", "s1", "include", note="changed my mind")
    assert sheet.undo() == ("title_abstract", "s1")
    state = sheet.screening("title_abstract", "s1")
    assert (state.decision, state.criteria, state.note) == ("exclude", ("E1",), "n1")
    assert sheet.undo() == ("title_abstract", "s1")
    assert sheet.screening("title_abstract", "s1").decision == ""
    assert sheet.undo() is None
    reread = Sheet.open(sheet.path, "alice")
    assert reread.screening("title_abstract", "s1").decision == ""
    assert len(read_sheet(sheet.path).events) == 3 + 3 + 3 + 3


def test_left_to_screen_keeps_order_and_counts_cleared_as_left(codebook):
    state = SheetState([
        Event("t1", "a", "s2", "title_abstract", "decision", "include"),
        Event("t2", "a", "s3", "title_abstract", "decision", "exclude"),
        Event("t3", "a", "s3", "title_abstract", "decision", ""),
        Event("t4", "a", "s4", "full_text", "decision", "include"),
    ])
    assert left_to_screen(["s1", "s2", "s3", "s4"], state, "title_abstract") == ["s1", "s3", "s4"]
    assert screening_decision(state, "title_abstract", "s2").decision == "include"


def test_note_none_leaves_the_note(codebook):
    changes = screening_changes(codebook, "title_abstract", {"note": "keep"}, "maybe")
    assert [c.field for c in changes] == ["decision"]
