"""The screening session: work lists, decisions through the sheet, undo, filters, resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.core.events import DecisionRefused
from workbench.errors import ReviewError, SheetError
from workbench.review import Review
from workbench.review.screening import (Filter, find_fulltext, open_session, parse_filter,
                                        read_remembered_reviewer, stage_progress,
                                        write_remembered_reviewer)
from workbench.store.sheet import append_events, Event, read_sheet

DATA = Path(__file__).resolve().parents[1] / "data" / "tui"
S = "Sda3dfc03-{:04d}".format


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("review-template")
    for name in ("references", "coding", "exports"):
        (root / name).mkdir()
    shutil.copy(DATA / "codebook.yaml", root / "codebook.yaml")
    Review.open(root).import_references([DATA / "search.ris"], database="Scopus")
    Review.open(root).studies()
    return root


@pytest.fixture
def review(_template, tmp_path) -> Review:
    shutil.copytree(_template, tmp_path / "r")
    return Review.open(tmp_path / "r")


def two_reviewer_codebook(review: Review) -> None:
    text = review.codebook_path.read_text(encoding="utf-8")
    review.codebook_path.write_text(text.replace("reviewers: 1", "reviewers: 2", 1),
                                    encoding="utf-8")
    review._codebook = None


def test_decisions_are_on_disk_when_record_returns(review):
    session = open_session(review, "alice")
    assert session.stage.id == "title_abstract" and len(session) == 6
    session.record(S(1), "include")
    session.record(S(2), "exclude", ["E2"])
    events = read_sheet(review.coding / "alice.csv").events
    assert [(e.study_id, e.field, e.value) for e in events] == [
        (S(1), "decision", "include"), (S(2), "decision", "exclude"), (S(2), "criteria", "E2")]
    assert all(e.codebook_version == review.codebook().version for e in events)
    p = session.progress()
    assert (p.done, p.total, p.counts) == (2, 6, {"include": 1, "exclude": 1})


def test_refused_decision_writes_nothing(review):
    session = open_session(review, "alice")
    with pytest.raises(DecisionRefused):
        session.record(S(1), "exclude", ["E9"])
    assert not (review.coding / "alice.csv").exists()


def test_undo_appends_the_old_values(review):
    session = open_session(review, "alice")
    session.record(S(1), "exclude", ["E1"])
    session.record(S(1), "include")
    assert session.undo() == S(1)
    assert (session.decision(S(1)), session.criteria(S(1))) == ("exclude", ("E1",))
    assert session.undo() == S(1)
    assert session.decision(S(1)) == "" and session.undo() is None
    again = open_session(review, "alice")
    assert again.decision(S(1)) == "" and again.criteria(S(1)) == ()


def test_resume_finds_the_first_unscreened(review):
    session = open_session(review, "alice")
    for n in (1, 2, 4):
        session.record(S(n), "maybe")
    again = open_session(review, "alice")
    assert again.next_unscreened(0) == 2
    assert again.next_unscreened(3) == 4
    assert again.next_unscreened(5) == 5


def test_full_text_single_screening_uses_own_include_and_maybe(review):
    first = open_session(review, "alice")
    first.record(S(1), "include")
    first.record(S(2), "maybe")
    first.record(S(3), "exclude", ["E1"])
    other = open_session(review, "bob")
    other.record(S(4), "include")            # bob's decisions never enter alice's list
    full = open_session(review, "alice", "full_text")
    assert [s.id for s in full.studies] == [S(1), S(2)]
    with pytest.raises(DecisionRefused):
        full.record(S(1), "exclude")         # full text: exclusion needs a criterion
    full.record(S(1), "not_retrieved")
    full.record(S(2), "exclude", ["E3"])
    progress = {p.stage: p for p in stage_progress(review, "alice")}
    assert progress["full_text"].counts == {"not_retrieved": 1, "exclude": 1}
    assert progress["title_abstract"].done == 3


def test_full_text_dual_screening_uses_consensus_or_agreement(review):
    two_reviewer_codebook(review)
    alice, bob = open_session(review, "alice"), open_session(review, "bob")
    alice.record(S(1), "include"); bob.record(S(1), "include")       # agree: passes
    alice.record(S(2), "include"); bob.record(S(2), "exclude", ["E1"])  # conflict
    alice.record(S(3), "include")                                    # one reviewer only
    alice.record(S(4), "exclude", ["E1"]); bob.record(S(4), "exclude", ["E1"])
    assert [s.id for s in open_session(review, "alice", "full_text").studies] == [S(1)]
    append_events(review.coding / "consensus.csv",
                  [Event("", "carol", S(2), "title_abstract", "decision", "include")])
    assert [s.id for s in open_session(review, "bob", "full_text").studies] == [S(1), S(2)]


def test_filters(review):
    session = open_session(review, "alice")
    session.record(S(1), "include")
    ids = lambda f: [session.studies[i].id for i in session.matching(f)]  # noqa: E731
    assert ids(Filter()) == [S(n) for n in range(1, 7)]
    assert ids(parse_filter(text="ACTIVISTS")) == [S(5), S(6)]
    assert ids(parse_filter(text="gender hashtags")) == [S(3)]
    assert ids(parse_filter(decision="include")) == [S(1)]
    assert ids(parse_filter(decision="unscreened", years="2015-2019")) == [S(2), S(5)]
    assert ids(parse_filter(years="2020")) == [S(6)]
    assert ids(parse_filter(years="-2010")) == [S(4)]
    assert ids(parse_filter(database="scop")) == [S(n) for n in range(1, 7)]
    assert ids(parse_filter(database="wos")) == []
    with pytest.raises(ReviewError, match="year"):
        parse_filter(years="20x")
    with pytest.raises(ReviewError, match="unknown decision"):
        parse_filter(decision="yes")


def test_remembered_reviewer(review):
    assert read_remembered_reviewer(review.root) is None
    write_remembered_reviewer(review.root, "alice")
    assert read_remembered_reviewer(review.root) == "alice"
    assert (review.root / ".workbench" / "reviewer").read_text() == "alice\n"
    with pytest.raises(ReviewError):
        write_remembered_reviewer(review.root, "not a name")


def test_bad_reviewer_and_stage(review):
    with pytest.raises(ReviewError, match="reviewer"):
        open_session(review, "consensus")
    with pytest.raises(ReviewError, match="unknown screening stage 'coding'"):
        open_session(review, "alice", "coding")


def test_unreadable_sheet_is_an_error(review):
    (review.coding / "alice.csv").mkdir()
    with pytest.raises(SheetError, match="alice.csv"):
        open_session(review, "alice")


def test_find_fulltext(review):
    study = next(s for s in review.studies() if s.id == S(1))
    assert find_fulltext(review, study) == []
    pdf = review.root / "references" / "pdfs" / "10.1000_jdp.2019.001.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4\n")
    (review.root / "references" / "pdfs" / "other.pdf").write_bytes(b"%PDF-1.4\n")
    assert find_fulltext(review, study) == [pdf]


def test_full_text_list_follows_the_shared_consensus_rule(review):
    """Same rule as the export and the conflicts list: include vs maybe is a conflict."""
    two_reviewer_codebook(review)
    alice = open_session(review, "alice", "title_abstract")
    bob = open_session(review, "bob", "title_abstract")
    alice.record(S(1), "include")
    bob.record(S(1), "include")          # agreed: goes on
    alice.record(S(2), "include")
    bob.record(S(2), "maybe")            # disagree: waits for a resolution
    alice.record(S(3), "maybe")
    bob.record(S(3), "maybe")            # agreed maybe: goes on (full text decides)
    alice.record(S(4), "include")        # only one reviewer so far: pending
    work = [s.id for s in open_session(review, "alice", "full_text").studies]
    assert work == [S(1), S(3)]
    from workbench.review.resolving import resolve_conflict
    resolve_conflict(review, S(2), "title_abstract", "decision", "include", "carol", "agreed")
    work = [s.id for s in open_session(review, "alice", "full_text").studies]
    assert work == [S(1), S(2), S(3)]
