"""Bulk screening decisions: preview, individual noted events, one undo, blind, validated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.core.events import DecisionRefused
from workbench.errors import ReviewError
from workbench.review import Review
from workbench.review.bulk import apply_bulk, plan_bulk
from workbench.review.screening import open_session, parse_filter
from workbench.store.sheet import read_sheet

DATA = Path(__file__).resolve().parents[1] / "data" / "tui"
S = "Sda3dfc03-{:04d}".format
# years of the six studies: 2019, 2015, 2021, 2006, 2018, 2020


@pytest.fixture
def review(tmp_path) -> Review:
    root = tmp_path / "r"
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True)
    shutil.copy(DATA / "codebook.yaml", root / "codebook.yaml")
    Review.open(root).import_references([DATA / "search.ris"], database="Scopus")
    return Review.open(root)


def events(review, name="alice"):
    return read_sheet(review.coding / f"{name}.csv").events


def test_bulk_decides_the_unscreened_studies_a_filter_shows_each_with_a_noted_event(review):
    session = open_session(review, "alice")
    session.record(S(5), "include")          # 2018, decided by hand: kept
    plan = plan_bulk(session, parse_filter(years="-2018"), "exclude", ["E2"])
    assert [s.id for s in plan.studies] == [S(2), S(4)]
    assert plan.kept == 1
    assert plan.describe() == "exclude (E2) 2 studies; 1 already decided is kept"
    assert apply_bulk(session, plan) == 2
    written = events(review)[1:]
    assert [(e.study_id, e.field, e.value) for e in written] == [
        (S(2), "decision", "exclude"), (S(2), "criteria", "E2"),
        (S(4), "decision", "exclude"), (S(4), "criteria", "E2")]
    assert {e.note for e in written} == {"bulk: filter years up to 2018 (2 studies)"}
    # a fresh session (another process) reads them as ordinary decisions
    again = open_session(Review.open(review.root), "alice")
    assert again.decision(S(4)) == "exclude" and again.criteria(S(4)) == ("E2",)
    assert again.decision(S(5)) == "include"


def test_one_undo_takes_the_whole_bulk_back_and_the_history_keeps_it(review):
    session = open_session(review, "alice")
    session.record(S(1), "include")
    apply_bulk(session, plan_bulk(session, parse_filter(years="2000-2030"), "exclude", ["E1"]))
    assert session.undo_size() == 5          # every study but S1, decided by hand
    assert session.undo() is not None
    assert [session.decision(S(n)) for n in range(1, 7)] == ["include"] + [""] * 5
    assert session.undo_size() == 1          # the hand-made include is next
    state = open_session(Review.open(review.root), "alice")
    assert [state.decision(S(n)) for n in range(1, 7)] == ["include"] + [""] * 5
    assert len(events(review)) == 1 + 10 + 10  # decision, bulk, its undo: all kept


def test_a_filter_naming_a_decision_changes_those_decisions(review):
    session = open_session(review, "alice")
    for n in (2, 4, 6):
        session.record(S(n), "maybe")
    plan = plan_bulk(session, parse_filter(decision="maybe", years="-2016"), "exclude", ["E2"])
    assert [s.id for s in plan.studies] == [S(2), S(4)]
    apply_bulk(session, plan)
    assert [session.decision(S(n)) for n in (2, 4, 6)] == ["exclude", "exclude", "maybe"]
    again = plan_bulk(session, parse_filter(decision="exclude", years="-2016"), "exclude",
                      ["E2"])
    assert again.studies == () and again.kept == 2   # already so: nothing to write


def test_bulk_is_validated_like_a_decision_by_hand_and_saves_nothing_when_refused(review):
    session = open_session(review, "alice")
    with pytest.raises(ReviewError, match="needs a filter"):
        plan_bulk(session, parse_filter(), "exclude", ["E1"])
    with pytest.raises(DecisionRefused, match="E3"):   # E3 applies at full text only
        plan_bulk(session, parse_filter(years="-2010"), "exclude", ["E3"])
    for n in range(1, 7):
        session.record(S(n), "include")
    full = open_session(Review.open(review.root), "alice", "full_text")
    with pytest.raises(DecisionRefused, match="needs an exclusion criterion"):
        plan_bulk(full, parse_filter(years="2000-2030"), "exclude")
    assert len(events(review)) == 6


def test_bulk_is_blind_it_reads_and_writes_only_the_reviewers_own_sheet(review):
    bob = open_session(review, "bob")
    bob.record(S(2), "include")
    alice = open_session(Review.open(review.root), "alice")
    plan = plan_bulk(alice, parse_filter(years="-2016"), "exclude", ["E2"])
    assert [s.id for s in plan.studies] == [S(2), S(4)]   # bob's include changes nothing
    apply_bulk(alice, plan)
    assert [(e.study_id, e.value) for e in events(review, "bob")] == [(S(2), "include")]
    assert {e.reviewer for e in events(review)} == {"alice"}


def test_the_agreement_methods_sentence_says_how_many_records_were_decided_in_bulk(review):
    from workbench.review.agreement import agreement_report, methods_text
    for name in ("alice", "bob"):
        session = open_session(Review.open(review.root), name)
        for sid in (S(1), S(3), S(5), S(6)):
            session.record(sid, "include")
        if name == "alice":
            apply_bulk(session, plan_bulk(session, parse_filter(years="-2015"), "exclude",
                                          ["E2"]))
        else:
            for sid in (S(2), S(4)):
                session.record(sid, "exclude", ["E2"])
    text = methods_text(agreement_report(Review.open(review.root), n_resamples=50))
    assert "Of these, 2 records were decided by at least one reviewer with a bulk decision" \
        in text
