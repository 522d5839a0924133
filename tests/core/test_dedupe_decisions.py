"""People's pair decisions override the algorithm; study ids are stable without saved state."""

from __future__ import annotations

import threading

import pytest

from workbench.core.dedupe.duplicates import (
    DedupeCancelled, PairDecision, find_duplicates, latest_pair_decisions,
)
from workbench.errors import DedupeError
from workbench.core.records import Record

TITLE = "Influencer advocacy for climate policy: a case study of three campaigns"


def rec(rid: str, title: str = TITLE, **changes) -> Record:
    fields = dict(title=title, authors=("Rahman, Z.", "Iqbal, F."), year=2023,
                  venue="New Media and Society", volume="25", pages="101-120")
    fields.update(changes)
    return Record(id=rid, **fields)


def decision(a: str, b: str, verdict: str, time: str = "2026-01-01T00:00:00.000000Z",
             reviewer: str = "alice") -> PairDecision:
    return PairDecision(time, reviewer, a, b, verdict, "")


def test_different_splits_an_automatic_merge():
    a, b = rec("aaaa0001-0001"), rec("bbbb0002-0001")
    assert len(find_duplicates([a, b]).studies) == 1
    result = find_duplicates([a, b], [decision(b.id, a.id, "different")])
    assert result.record_to_study[a.id] != result.record_to_study[b.id]
    assert result.person_splits == 1


def test_different_holds_against_a_transitive_chain():
    a, b, c = rec("aaaa0001-0001"), rec("bbbb0002-0001"), rec("cccc0003-0001")
    result = find_duplicates([a, b, c], [decision(a.id, c.id, "different")])
    assert result.record_to_study[a.id] != result.record_to_study[c.id]
    # b is the same as both; it joins one of them, never both
    assert result.record_to_study[b.id] in (result.record_to_study[a.id], result.record_to_study[c.id])


def test_same_merges_what_the_algorithm_keeps_apart():
    a = rec("aaaa0001-0001")
    b = rec("bbbb0002-0001", title="Pakistani influencers and environmental law", pages="5-9")
    assert len(find_duplicates([a, b]).studies) == 2
    result = find_duplicates([a, b], [decision(a.id, b.id, "same")])
    assert result.record_to_study[a.id] == result.record_to_study[b.id] == "Saaaa0001-0001"


def test_latest_decision_per_pair_wins_across_reviewers():
    a, b = rec("aaaa0001-0001"), rec("bbbb0002-0001")
    early = decision(a.id, b.id, "different", time="2026-01-01T10:00:00.000000Z", reviewer="alice")
    late = decision(b.id, a.id, "same", time="2026-01-02T10:00:00.000000Z", reviewer="bob")
    latest = latest_pair_decisions([late, early])
    assert latest[frozenset((a.id, b.id))] is late
    result = find_duplicates([a, b], [late, early])
    assert len(result.studies) == 1


def test_decided_pairs_leave_the_uncertain_queue():
    a = rec("aaaa0001-0001")
    b = rec("bbbb0002-0001", authors=("Rahman, Z.",), venue="Environmental Communication",
            volume="", pages="")
    first = find_duplicates([a, b])
    assert [(p.record_a, p.record_b) for p in first.uncertain] == [(a.id, b.id)]
    assert first.uncertain[0].reasons
    answered = find_duplicates([a, b], [decision(a.id, b.id, "different")])
    assert answered.uncertain == []
    assert len(answered.studies) == 2


def test_decisions_naming_unknown_records_are_ignored():
    a, b = rec("aaaa0001-0001"), rec("bbbb0002-0001")
    result = find_duplicates([a, b], [decision(a.id, "ffff9999-0001", "different")])
    assert len(result.studies) == 1


def test_study_ids_are_stable_across_runs_and_appended_exports():
    first_export = [rec("aaaa0001-0001"), rec("aaaa0001-0002", title="Another study entirely on TikTok",
                                               pages="7-9")]
    before = find_duplicates(first_export)
    again = find_duplicates(list(first_export))
    assert before.record_to_study == again.record_to_study
    second_export = [rec("bbbb0002-0001", venue="New Media Soc"), rec("bbbb0002-0002",
                                                                      title="A third unrelated study",
                                                                      pages="1-2")]
    after = find_duplicates(first_export + second_export)
    for rid, sid in before.record_to_study.items():
        assert after.record_to_study[rid] == sid
    assert after.record_to_study["bbbb0002-0001"] == "Saaaa0001-0001"
    assert after.record_to_study["bbbb0002-0002"] == "Sbbbb0002-0002"


def test_bridging_record_joins_two_studies_and_the_earlier_id_wins():
    # a and c share no author (and a gives no volume, so venue, volume and pages cannot
    # outvote the authors): they stay two studies; b (a later export) matches both
    a = rec("aaaa0001-0001", authors=("Rahman, Z.",), volume="")
    c = rec("cccc0003-0001", authors=("Iqbal, F.",), doi="10.1177/146144482311")
    before = find_duplicates([a, c])
    assert before.record_to_study[c.id] == "Scccc0003-0001" != before.record_to_study[a.id]
    b = rec("dddd0004-0001", authors=("Rahman, Z.", "Iqbal, F."), doi="10.1177/146144482311")
    after = find_duplicates([a, c, b])
    assert after.record_to_study[a.id] == after.record_to_study[c.id] == after.record_to_study[b.id]
    assert after.record_to_study[c.id] == "Saaaa0001-0001"
    assert after.aliases["Scccc0003-0001"] == "Saaaa0001-0001"
    limited = find_duplicates([a, c, b], known_study_ids={"Scccc0003-0001", "Szzzz0000-0001"})
    assert limited.aliases == {"Scccc0003-0001": "Saaaa0001-0001"}


def test_empty_input_gives_no_studies():
    assert find_duplicates([]).studies == []


def test_repeated_record_id_is_refused():
    with pytest.raises(DedupeError, match="appears twice"):
        find_duplicates([rec("aaaa0001-0001"), rec("aaaa0001-0001")])


def test_progress_is_reported_and_cancel_stops_the_run():
    records = [rec(f"aaaa0001-{i:04d}", title=f"{TITLE} number {i}") for i in range(1, 60)]
    seen = []
    find_duplicates(records, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 100) and seen[-1] == (100, 100)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DedupeCancelled):
        find_duplicates(records, cancel=cancel)


def test_contradicting_answers_keep_different_and_are_reported():
    a = rec("aaaa0001-0001")
    b = rec("bbbb0002-0001", title="Unrelated title about TikTok", pages="1-2")
    c = rec("cccc0003-0001", title="Another unrelated title about radio", pages="3-4")
    answers = [decision(a.id, b.id, "same"), decision(b.id, c.id, "same"),
               decision(a.id, c.id, "different")]
    result = find_duplicates([a, b, c], answers)
    assert result.record_to_study[a.id] != result.record_to_study[c.id]
    assert len(result.conflicts) == 1 and "keeps them apart" in result.conflicts[0]
