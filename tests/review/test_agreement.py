"""Agreement report, conflicts and resolution over a review folder with two coders' sheets."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from workbench.core.events import DecisionRefused
from workbench.errors import ReviewError
from workbench.review import Review
from workbench.review.agreement import (agreement_report, conflicts_for_variable,
                                        count_conflicts, disagreements, list_conflicts)
from workbench.review.resolving import resolve_conflict
from workbench.review.screening import open_session
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet

DATA = Path(__file__).resolve().parents[1] / "data" / "agreement"
TA, FT, CODING = "title_abstract", "full_text", "coding"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def build_review(root: Path) -> Path:
    """A review folder with the agreement codebook and six imported records."""
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "codebook.yaml", root / "codebook.yaml")
    Review.open(root).import_references([DATA / "search.ris"], database="Scopus")
    Review.open(root).studies()
    return root


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> Path:
    return build_review(tmp_path_factory.mktemp("agreement") / "review")


@pytest.fixture
def review(_template, tmp_path) -> Review:
    shutil.copytree(_template, tmp_path / "r")
    return Review.open(tmp_path / "r")


def screen(review: Review, reviewer: str, decisions: dict[str, str | tuple], stage: str = TA):
    """Record decisions ({study: decision or (decision, criteria, note)}) through the sheet API."""
    codebook = review.codebook()
    sheet = Sheet.open(review.coding / f"{reviewer}.csv", reviewer, codebook.version)
    for study, what in decisions.items():
        decision, criteria, note = (what, (), None) if isinstance(what, str) else what
        sheet.record_screening(codebook, stage, study, decision, criteria, note)


# The 2x2 table of the hand-computed example (alice rows, bob columns):
#                bob include  bob exclude
# alice include       3            1
# alice exclude       2            4
KAPPA_PLAN = {
    "alice": ["include"] * 3 + ["include"] + ["exclude"] * 2 + ["exclude"] * 4,
    "bob": ["include"] * 3 + ["exclude"] + ["include"] * 2 + ["exclude"] * 4,
}


def kappa_review(review: Review) -> None:
    for reviewer, decisions in KAPPA_PLAN.items():
        screen(review, reviewer, {f"u{i:02d}": d for i, d in enumerate(decisions)})


def test_two_by_two_kappa_matches_the_hand_computation(review):
    """po = (3 + 4) / 10 = 0.7. alice includes 4/10, bob 5/10, so
    pe = 0.4 * 0.5 + 0.6 * 0.5 = 0.5 and kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    ("fair": Landis & Koch .21-.40). Krippendorff's nominal alpha: 20 values,
    9 include and 11 exclude; the 3 disagreeing units give 6 off-diagonal
    coincidences, so alpha = 1 - (20 - 1) * 6 / (2 * 9 * 11) = 1 - 114/198 = 0.424.
    """
    kappa_review(review)
    (report,) = agreement_report(review, TA, n_resamples=200, seed=7)
    assert report.reviewers == ("alice", "bob")
    stats = {r.name: r for r in dict((v.name, s) for v, s in report.results)["decision"]}
    assert stats["percent_agreement"].value == pytest.approx(0.7)
    kappa = stats["cohen_kappa"]
    assert kappa.value == pytest.approx(0.4)
    assert (kappa.label, kappa.n_units, kappa.n_coders) == ("fair", 10, 2)
    assert kappa.ci_low is not None and kappa.ci_low <= 0.4 <= kappa.ci_high
    assert (kappa.seed, kappa.n_resamples) == (7, 200)
    assert stats["krippendorff_alpha"].value == pytest.approx(1 - 114 / 198)
    assert stats["krippendorff_alpha"].label == "unreliable"
    frame = report.frame()
    row = frame[(frame["variable"] == "decision") & (frame["name"] == "cohen_kappa")]
    assert row["value"].item() == pytest.approx(0.4, abs=1e-12) and row["stage"].item() == TA


def test_no_variation_is_undefined_with_a_reason_not_zero_or_one(review):
    screen(review, "alice", {"a": "include", "b": "include"})
    screen(review, "bob", {"a": "include", "b": "include"})
    (report,) = agreement_report(review, TA, n_resamples=50)
    stats = {r.name: r for r in report.results[0][1]}
    assert stats["percent_agreement"].value == 1.0
    kappa = stats["cohen_kappa"]
    assert kappa.value is None and kappa.label == "undefined" and "no variation" in kappa.reason


def test_conflicts_list_values_and_notes_and_disappear_once_resolved(review):
    screen(review, "alice", {"a": ("include", (), "fits I1"), "b": ("exclude", ["E1"], None),
                             "c": "exclude"})
    screen(review, "bob", {"a": ("exclude", ["E2"], "before 2010"), "b": ("exclude", ["E2"], None),
                           "c": "exclude"})
    conflicts = list_conflicts(review)
    assert [(c.study_id, c.field) for c in conflicts] == [("a", "decision"), ("b", "criteria")]
    assert conflicts[0].values == {"alice": "include", "bob": "exclude"}
    assert conflicts[0].notes == {"alice": "fits I1", "bob": "before 2010"}
    assert count_conflicts(review) == 2

    written = resolve_conflict(review, "a", TA, "decision", "exclude", "carol",
                               "published 2008 per the full record")
    consensus = read_sheet(review.coding / "consensus.csv").events
    assert consensus == written
    assert [(e.field, e.value) for e in consensus] == [("decision", "exclude"),
                                                        ("criteria", "E2")]  # bob's reason
    for event in consensus:
        assert event.reviewer == "carol" and event.study_id == "a" and event.stage == TA
        assert event.note == "published 2008 per the full record"
        assert TIME.match(event.time)
        assert event.codebook_version == review.codebook().version
    assert [(c.study_id, c.field) for c in list_conflicts(review)] == [("b", "criteria")]
    settled = list_conflicts(review, include_resolved=True)
    assert settled[0].consensus == "exclude"

    # resolving the criteria writes the decision both gave with them
    resolve_conflict(review, "b", TA, "criteria", "E1;E2", "carol", "both apply")
    last = read_sheet(review.coding / "consensus.csv").events[-2:]
    assert [(e.study_id, e.field, e.value) for e in last] == [("b", "decision", "exclude"),
                                                              ("b", "criteria", "E1;E2")]
    assert list_conflicts(review) == []


def test_bad_resolutions_save_nothing(review):
    screen(review, "alice", {"a": "include"})
    screen(review, "bob", {"a": "exclude"})
    path = review.coding / "consensus.csv"
    with pytest.raises(DecisionRefused, match="unknown decision 'yes'"):
        resolve_conflict(review, "a", TA, "decision", "yes", "carol", "x")
    with pytest.raises(ReviewError, match="reason is required"):
        resolve_conflict(review, "a", TA, "decision", "include", "carol", "  ")
    with pytest.raises(ReviewError, match="unknown stage 'nope'"):
        resolve_conflict(review, "a", "nope", "decision", "include", "carol", "x")
    with pytest.raises(ReviewError, match="field 'note' cannot be resolved"):
        resolve_conflict(review, "a", TA, "note", "x", "carol", "x")
    with pytest.raises(ReviewError, match="disagree on the decision .* resolve the decision first"):
        resolve_conflict(review, "a", TA, "criteria", "E1", "carol", "x")
    # nobody screened "a" at full text: nothing to resolve there (it would skip a stage)
    with pytest.raises(ReviewError, match="no reviewer has decided 'a' at stage 'full_text'"):
        resolve_conflict(review, "a", FT, "decision", "exclude", "carol", "x")
    # full text needs an exclusion criterion, and nobody gave one
    screen(review, "alice", {"a": "include"}, stage=FT)
    with pytest.raises(DecisionRefused, match="needs an exclusion criterion"):
        resolve_conflict(review, "a", FT, "decision", "exclude", "carol", "x")
    assert not path.exists() or read_sheet(path).events == []
    assert len(list_conflicts(review)) == 1


def test_agreement_stays_on_the_blind_decisions_after_resolution(review):
    kappa_review(review)
    resolve_conflict(review, "u03", TA, "decision", "exclude", "carol", "discussed")
    screen(review, "alice", {"u03": ("exclude", ["E1"], None)})  # alice changes her mind later
    (report,) = agreement_report(review, TA, n_resamples=0)
    kappa = {r.name: r for r in report.results[0][1]}["cohen_kappa"]
    assert kappa.value == pytest.approx(0.4)
    assert report.selection.after_consensus == 2  # alice's decision and criteria events
    assert [c.study_id for c in list_conflicts(review)] == ["u04", "u05"]  # u03 settled


def test_full_text_work_list_follows_the_consensus(review):
    ids = [s.id for s in review.studies()]
    screen(review, "alice", {ids[0]: "include", ids[1]: "include", ids[2]: "exclude"})
    screen(review, "bob", {ids[0]: "include", ids[1]: "exclude", ids[2]: "include"})
    before = [s.id for s in open_session(review, "alice", FT).studies]
    assert before == [ids[0]]  # only the unanimous include; the conflicts wait
    resolve_conflict(review, ids[1], TA, "decision", "include", "carol", "meets I1")
    resolve_conflict(review, ids[2], TA, "decision", "exclude", "carol", "E1 on reading")
    after = [s.id for s in open_session(review, "alice", FT).studies]
    assert after == [ids[0], ids[1]]


def test_coding_conflicts_resolve_codes_and_fields(review):
    codebook = review.codebook()
    for reviewer, codes, reach in (("alice", ["twitter", "facebook"], "5.2"),
                                   ("bob", ["twitter"], "5.20")):
        sheet = Sheet.open(review.coding / f"{reviewer}.csv", reviewer, codebook.version)
        sheet.set_codes(codebook, CODING, "s1", "platforms", codes)
        sheet.set_field(codebook, CODING, "s1", "reach", reach)
        sheet.set_field(codebook, CODING, "s2", "design", "qual" if reviewer == "alice" else "quant")
    conflicts = list_conflicts(review, CODING)
    assert [(c.study_id, c.field) for c in conflicts] == [("s1", "code:platforms"),
                                                          ("s2", "field:design")]
    (report,) = agreement_report(review, CODING, n_resamples=0)
    bars = disagreements(report)
    assert bars[0].share == 1.0 and bars[0].variable in ("code:platforms",
                                                          "code:platforms:facebook", "field:design")
    by_name = {d.variable: d for d in bars}
    assert (by_name["code:platforms:twitter"].disagree, by_name["field:reach"].disagree) == (0, 0)
    assert conflicts_for_variable(conflicts, "code:platforms:facebook") == conflicts[:1]
    assert conflicts_for_variable(conflicts, "code:platforms:twitter") == []
    with pytest.raises(DecisionRefused, match="instagram"):
        resolve_conflict(review, "s1", CODING, "code:platforms", "instagram", "carol", "x")
    resolve_conflict(review, "s1", CODING, "code:platforms", "facebook;twitter", "carol",
                     "both named in the abstract")
    resolve_conflict(review, "s2", CODING, "field:design", "quant", "carol", "survey data")
    events = read_sheet(review.coding / "consensus.csv").events
    assert [(e.field, e.value) for e in events] == [("code:platforms", "twitter;facebook"),
                                                    ("field:design", "quant")]
    assert list_conflicts(review, CODING) == []


def test_unknown_stage_is_named(review):
    with pytest.raises(ReviewError, match="unknown stage 'x' .stages: title_abstract"):
        agreement_report(review, "x")
