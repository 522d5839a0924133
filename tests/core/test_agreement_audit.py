"""Audit: blind decisions from sheet events, reliability matrices per variable, conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.agreement.measures import agreement_table
from workbench.core.agreement.audit import (blind_selection, coding_variables, find_conflicts,
                                  report_frame, screening_variables, variable_results)
from workbench.core.codebook import Choice, Code, Codebook, Dimension, Field
from workbench.core.events import Event
from workbench.io.codebook_yaml import load_codebook
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet

REPO = Path(__file__).resolve().parents[2]
TA = "title_abstract"


def ev(t: int, reviewer: str, study: str, field: str, value: str, stage: str = TA,
       version: str = "v1", note: str = "") -> Event:
    return Event(f"2026-01-01T00:00:{t:02d}.000000Z", reviewer, study, stage, field, value,
                 note, version)


def test_blind_decision_is_the_last_one_before_the_first_consensus_event():
    alice = [ev(1, "alice", "s1", "decision", "include"),
             ev(5, "alice", "s1", "decision", "exclude"),   # changed after seeing consensus
             ev(2, "alice", "s2", "decision", "exclude")]
    bob = [ev(3, "bob", "s1", "decision", "exclude"),
           ev(4, "bob", "s2", "decision", "exclude")]
    consensus = [ev(4, "carol", "s1", "decision", "exclude")]
    sel = blind_selection({"alice": alice, "bob": bob}, consensus, TA)
    assert sel.after_consensus == 1
    decision = screening_variables(sel)[0]
    assert decision.matrix.loc["s1"].tolist() == ["include", "exclude"]
    assert decision.matrix.loc["s2"].tolist() == ["exclude", "exclude"]
    # the current (not blind) values agree on s1, so no conflict is listed for it
    assert find_conflicts({"alice": alice, "bob": bob}, consensus, TA) == []


def test_one_codebook_version_the_most_used_unless_chosen():
    alice = [ev(1, "alice", "s1", "decision", "include", version="v1"),
             ev(2, "alice", "s2", "decision", "exclude", version="v2"),
             ev(3, "alice", "s3", "decision", "exclude", version="v2")]
    bob = [ev(1, "bob", "s1", "decision", "exclude", version="v1"),
           ev(2, "bob", "s2", "decision", "exclude", version="v2")]
    sel = blind_selection({"alice": alice, "bob": bob}, [], TA)
    assert (sel.version, sel.other_version) == ("v2", 2)
    assert list(screening_variables(sel)[0].matrix.index) == ["s2", "s3"]
    chosen = blind_selection({"alice": alice, "bob": bob}, [], TA, version="v1")
    assert screening_variables(chosen)[0].matrix.loc["s1"].tolist() == ["include", "exclude"]


def test_screening_criteria_present_absent_only_where_a_decision_exists():
    alice = [ev(1, "alice", "s1", "decision", "exclude"), ev(1, "alice", "s1", "criteria", "E1;E2"),
             ev(2, "alice", "s2", "decision", "include")]
    bob = [ev(1, "bob", "s1", "decision", "exclude"), ev(1, "bob", "s1", "criteria", "E2"),
           ev(3, "bob", "s3", "decision", "include")]
    variables = {v.name: v for v in screening_variables(
        blind_selection({"alice": alice, "bob": bob}, [], TA), criteria=["E1", "E2", "E3"])}
    assert variables["criterion:E1"].matrix.loc["s1"].tolist() == ["present", "absent"]
    assert variables["criterion:E2"].matrix.loc["s1"].tolist() == ["present", "present"]
    assert variables["criterion:E1"].matrix.loc["s3"].tolist() == [None, "absent"]
    assert variables["decision"].categories[:2] == ("include", "exclude")
    e2 = agreement_table(variables["criterion:E2"].matrix, categories=("present", "absent"),
                         n_resamples=0)
    assert e2[0].name == "percent_agreement" and e2[0].value == 1.0


def _codebook() -> Codebook:
    return Codebook(
        dimensions=(Dimension("platforms", "Platforms", codes=(
            Code("twitter", "Twitter"), Code("facebook", "Facebook"), Code("tiktok", "TikTok"))),),
        fields=(Field("reach", "Reach (millions)", type="number", minimum=0),
                Field("change", "Change", type="number"),
                Field("design", "Design", type="choice",
                      choices=(Choice("qual", "Qualitative"), Choice("quant", "Quantitative"))),
                Field("finding", "Key finding", type="long_text")),
        version="v1")


def test_coding_variables_sets_codes_and_typed_fields():
    stage = "coding"
    alice = [ev(1, "alice", "s1", "code:platforms", "twitter;facebook", stage),
             ev(1, "alice", "s2", "code:platforms", "", stage),
             ev(1, "alice", "s1", "field:reach", "5.2", stage),
             ev(1, "alice", "s1", "field:design", "qual", stage),
             ev(1, "alice", "s1", "field:finding", "long text", stage)]
    bob = [ev(1, "bob", "s1", "code:platforms", "facebook;twitter", stage),
           ev(1, "bob", "s2", "code:platforms", "tiktok", stage),
           ev(1, "bob", "s1", "field:reach", "5.20", stage),
           ev(1, "bob", "s1", "field:change", "-3", stage)]
    variables = {v.name: v for v in coding_variables(
        blind_selection({"alice": alice, "bob": bob}, [], stage), _codebook())}
    assert set(variables) == {"code:platforms", "code:platforms:twitter", "code:platforms:facebook",
                              "code:platforms:tiktok", "field:reach", "field:change", "field:design"}
    sets = variables["code:platforms"]
    assert sets.level == "masi"
    assert sets.matrix.loc["s1"].tolist() == [frozenset({"twitter", "facebook"})] * 2
    assert sets.matrix.loc["s2"].tolist() == [frozenset(), frozenset({"tiktok"})]
    assert variables["code:platforms:tiktok"].matrix.loc["s2"].tolist() == ["absent", "present"]
    assert (variables["field:reach"].level, variables["field:change"].level) == ("ratio", "interval")
    assert variables["field:reach"].matrix.loc["s1"].tolist() == [5.2, 5.2]
    assert variables["field:design"].categories == ("qual", "quant")
    conflicts = find_conflicts({"alice": alice, "bob": bob}, [], stage)
    # twitter;facebook vs facebook;twitter and 5.2 vs 5.20 are agreements
    assert [(c.study_id, c.field) for c in conflicts] == [("s2", "code:platforms")]
    assert conflicts[0].values == {"alice": "", "bob": "tiktok"}


def test_conflicts_carry_each_coders_value_note_and_consensus():
    alice = [ev(1, "alice", "s1", "decision", "include", note="population fits"),
             ev(1, "alice", "s2", "decision", "exclude")]
    bob = [ev(2, "bob", "s1", "decision", "exclude", note="wrong country"),
           ev(2, "bob", "s2", "decision", ""),                  # undone: no value, no conflict
           ev(2, "bob", "s1", "note", "see discussion")]
    consensus = [ev(9, "carol", "s1", "decision", "include")]
    (conflict,) = find_conflicts({"alice": alice, "bob": bob}, consensus, TA)
    assert conflict.study_id == "s1" and conflict.field == "decision"
    assert conflict.values == {"alice": "include", "bob": "exclude"}
    assert conflict.notes == {"alice": "population fits", "bob": "wrong country"}
    assert conflict.consensus == "include"


def test_two_coders_sheets_on_disk_give_an_agreement_table(tmp_path):
    codebook = load_codebook(REPO / "codebook.yaml")
    plan = {"alice": ["include", "exclude", "exclude", "include", "exclude", "exclude"],
            "bob": ["include", "exclude", "include", "include", "exclude", "exclude"]}
    for reviewer, decisions in plan.items():
        sheet = Sheet.open(tmp_path / f"{reviewer}.csv", reviewer, codebook.version)
        for i, decision in enumerate(decisions):
            criteria = ["E1"] if decision == "exclude" else []
            sheet.record_screening(codebook, TA, f"s{i}", decision, criteria)
    sheets = {r: read_sheet(tmp_path / f"{r}.csv").events for r in plan}
    sel = blind_selection(sheets, [], TA)
    decision = screening_variables(sel, [c.id for c in codebook.stage_criteria(TA)])[0]
    results = {r.name: r for r in agreement_table(decision.matrix, categories=decision.categories,
                                                   n_resamples=200)}
    assert results["percent_agreement"].value == pytest.approx(5 / 6)
    assert results["cohen_kappa"].value == pytest.approx((5 / 6 - 0.5) / 0.5)
    assert results["cohen_kappa"].n_units == 6
    # bob's include on s2 wrote no criteria event, so only the decision is in conflict
    assert [(c.study_id, c.field) for c in find_conflicts(sheets, [], TA)] == [("s2", "decision")]
    report = report_frame(variable_results(screening_variables(sel), n_resamples=100))
    kappa = report[(report["variable"] == "decision") & (report["name"] == "cohen_kappa")]
    assert kappa["value"].item() == pytest.approx(2 / 3)  # full precision
    assert kappa["label"].item() == "substantial" and kappa["seed"].item() is not None


def test_criterion_ratings_built_directly_equal_reading_the_matrix(tmp_path):
    """The integer-coded criteria (a shortcut for speed) give the same statistics."""
    codebook = load_codebook(REPO / "codebook.yaml")
    plan = {"alice": [("exclude", ["E1"]), ("exclude", ["E1", "E2"]), ("include", []),
                      ("exclude", ["E2"])],
            "bob": [("exclude", ["E1"]), ("exclude", ["E2"]), ("exclude", ["E4"])],
            "carol": [("include", []), ("exclude", ["E1", "E4"])]}
    for reviewer, decisions in plan.items():
        sheet = Sheet.open(tmp_path / f"{reviewer}.csv", reviewer, codebook.version)
        for i, (decision, criteria) in enumerate(decisions):
            sheet.record_screening(codebook, TA, f"s{i}", decision, criteria)
    sheets = {r: read_sheet(tmp_path / f"{r}.csv").events for r in plan}
    variables = screening_variables(blind_selection(sheets, [], TA))
    criteria = [v for v in variables if v.kind == "criterion"]
    assert criteria and all(v.ratings is not None for v in criteria)
    for v in criteria:
        fast = agreement_table(v.ratings, categories=v.categories, n_resamples=50)
        slow = agreement_table(v.matrix, categories=v.categories, n_resamples=50)
        assert fast == slow


def test_a_dimension_no_coder_touched_on_a_study_they_both_coded_is_agreed_none():
    """Coded as none = not coded (the consensus rule): both coders coded s2 but gave it
    no platform, so s2 is a unit where both chose no code, as for s1 where one did."""
    from workbench.core.agreement.columns import blind_columns, coding_variables_columns
    from workbench.store.sheet_frame import empty_events, events_to_frame
    stage = "coding"
    alice = [ev(1, "alice", "s1", "code:platforms", "twitter", stage),
             ev(1, "alice", "s2", "field:reach", "5", stage),
             ev(1, "alice", "s3", "field:reach", "1", stage)]
    bob = [ev(1, "bob", "s1", "field:reach", "2", stage),
           ev(1, "bob", "s2", "field:reach", "5", stage)]
    per_event = {v.name: v for v in coding_variables(
        blind_selection({"alice": alice, "bob": bob}, [], stage), _codebook())}
    blind = blind_columns({"alice": events_to_frame(alice), "bob": events_to_frame(bob)},
                          empty_events(), stage)
    on_columns = {v.name: v for v in coding_variables_columns(blind, _codebook())}
    for variables in (per_event, on_columns):
        sets = variables["code:platforms"].matrix
        assert sets.loc["s1"].tolist() == [frozenset({"twitter"}), frozenset()]
        assert sets.loc["s2"].tolist() == [frozenset(), frozenset()]
        assert sets.loc["s3"].tolist() == [frozenset(), None]   # bob never coded s3
        assert variables["code:platforms:twitter"].matrix.loc["s2"].tolist() == \
            ["absent", "absent"]
