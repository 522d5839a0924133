"""The shared final-decision rule: consensus wins, then agreement of enough reviewers."""

from __future__ import annotations

from workbench.core.consensus import CONFLICT, FINAL, PENDING, FinalDecision, final_decisions


def test_consensus_agreement_conflict_and_pending():
    votes = [
        ("alice", "s1", "include", ""), ("bob", "s1", "include", ""),        # agreed
        ("alice", "s2", "include", ""), ("bob", "s2", "exclude", "E1"),      # conflict
        ("alice", "s3", "exclude", "E2"),                                    # one of two
        ("alice", "s4", "include", ""), ("bob", "s4", "exclude", "E1"),
        ("consensus", "s4", "exclude", "E1"),                                # resolved
        ("consensus", "s5", "include", ""),                                  # lead alone
    ]
    out = final_decisions("ta", votes, required=2)
    assert out["s1"] == FinalDecision("s1", "ta", FINAL, "include", ())
    assert out["s2"] == FinalDecision("s2", "ta", CONFLICT)
    assert out["s3"] == FinalDecision("s3", "ta", PENDING)
    assert out["s4"] == FinalDecision("s4", "ta", FINAL, "exclude", ("E1",))
    assert out["s5"].status == FINAL and out["s5"].decision == "include"
    assert "s6" not in out


def test_criteria_are_the_union_in_reviewer_name_order():
    votes = [("bob", "s1", "exclude", "E3;E1"), ("alice", "s1", "exclude", "E2;E3")]
    out = final_decisions("ft", votes, required=2)
    assert out["s1"].criteria == ("E2", "E3", "E1")


def test_one_reviewer_is_enough_when_the_stage_asks_for_one():
    out = final_decisions("ta", [("alice", "s1", "exclude", "E1")], required=1)
    assert out["s1"] == FinalDecision("s1", "ta", FINAL, "exclude", ("E1",))


def test_an_undone_decision_no_longer_counts():
    votes = [("alice", "s1", "include", ""), ("bob", "s1", "exclude", ""),
             ("bob", "s1", "", ""),
             ("consensus", "s2", "include", ""), ("consensus", "s2", "", ""),
             ("alice", "s2", "exclude", ""), ("bob", "s2", "exclude", "")]
    out = final_decisions("ta", votes, required=2)
    assert out["s1"].status == PENDING          # bob's exclude was undone
    assert out["s2"].decision == "exclude"      # the consensus entry was undone


def test_reviewer_source_uses_only_that_sheet():
    votes = [("alice", "s1", "include", ""), ("bob", "s1", "exclude", "E1"),
             ("consensus", "s1", "exclude", "E1"), ("bob", "s2", "include", "")]
    out = final_decisions("ta", votes, required=2, source="alice")
    assert out == {"s1": FinalDecision("s1", "ta", FINAL, "include", ())}


def test_an_undone_consensus_does_not_erase_the_source_reviewers_decision():
    votes = [("bob", "S1", "include", ""), ("consensus", "S1", "", ""),
             ("bob", "S2", "exclude", "E1"), ("bob", "S2", "", "")]
    got = final_decisions("ta", votes, 2, source="bob")
    assert got["S1"].decision == "include" and "S2" not in got
