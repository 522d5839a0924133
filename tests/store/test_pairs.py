"""Duplicate-pair decisions on disk: saved at once, reloaded, merged from reviewers."""

from __future__ import annotations

import csv

import pytest

from workbench.core.dedupe.duplicates import PairDecision, find_duplicates
from workbench.core.records import Record
from workbench.errors import DedupeError
from workbench.store import pairs
from workbench.store.pairs import (
    COLUMNS, append_pair_decision, latest_pair_decisions, read_pair_decisions,
    read_pair_decisions_report,
)


def test_decision_is_saved_as_a_readable_csv_row(tmp_path):
    path = append_pair_decision(tmp_path, PairDecision("", "alice", "aaaa0001-0001", "bbbb0002-0001",
                                                       "same", "same DOI, title in capitals"))
    assert path == tmp_path / "coding" / "duplicates" / "alice.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert tuple(rows[0]) == COLUMNS
    assert rows[1][1:] == ["alice", "aaaa0001-0001", "bbbb0002-0001", "same", "same DOI, title in capitals"]
    assert rows[1][0].endswith("Z")


def test_each_append_is_fsynced_before_returning(tmp_path, monkeypatch):
    synced = []
    real = pairs.os.fsync
    monkeypatch.setattr(pairs.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    append_pair_decision(tmp_path, PairDecision("", "alice", "a-0001", "b-0001", "different"))
    append_pair_decision(tmp_path, PairDecision("", "alice", "a-0001", "c-0001", "same"))
    assert len(synced) == 2


def test_decisions_reload_and_are_respected_by_dedupe(tmp_path):
    a = Record(id="aaaa0001-0001", title="Social media activism and policy change in Pakistan",
               authors=("Ali, S.",), year=2024, venue="Policy and Internet", pages="1-20")
    b = a.with_(id="bbbb0002-0001", venue="Policy Internet")
    assert len(find_duplicates([a, b]).studies) == 1
    append_pair_decision(tmp_path, PairDecision("", "alice", a.id, b.id, "different", "two editions"))
    loaded = read_pair_decisions(tmp_path)
    assert [(d.record_a, d.record_b, d.verdict, d.note) for d in loaded] == \
        [(a.id, b.id, "different", "two editions")]
    assert len(find_duplicates([a, b], loaded).studies) == 2


def test_two_reviewer_files_merge_and_the_latest_answer_stands(tmp_path):
    append_pair_decision(tmp_path, PairDecision("2026-03-01T09:00:00.000000Z", "alice", "a-0001",
                                                "b-0001", "same"))
    append_pair_decision(tmp_path, PairDecision("2026-03-02T09:00:00.000000Z", "bob", "b-0001",
                                                "a-0001", "different"))
    append_pair_decision(tmp_path, PairDecision("2026-03-01T10:00:00.000000Z", "bob", "c-0001",
                                                "d-0001", "same"))
    loaded = read_pair_decisions(tmp_path)
    assert {d.reviewer for d in loaded} == {"alice", "bob"}
    latest = latest_pair_decisions(loaded)
    assert latest[frozenset(("a-0001", "b-0001"))].verdict == "different"
    assert latest[frozenset(("c-0001", "d-0001"))].verdict == "same"


def test_torn_last_line_is_reported_and_ignored(tmp_path, caplog):
    path = append_pair_decision(tmp_path, PairDecision("", "alice", "a-0001", "b-0001", "same"))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("2026-03-01T09:00:00.000000Z,alice,a-0001,c-00")  # crash mid-append
    decisions, problems = read_pair_decisions_report(tmp_path)
    assert [(d.record_a, d.record_b) for d in decisions] == [("a-0001", "b-0001")]
    assert len(problems) == 1
    assert str(problems[0]).startswith("coding/duplicates/alice.csv:3: ")
    assert "incomplete" in problems[0].message
    assert read_pair_decisions(tmp_path) == decisions
    assert "alice.csv:3" in caplog.text
    # the next answer starts on its own line and is read back
    append_pair_decision(tmp_path, PairDecision("", "alice", "a-0001", "d-0001", "different"))
    assert [d.record_b for d in read_pair_decisions(tmp_path)] == ["b-0001", "d-0001"]


def test_bad_rows_are_reported_with_their_line(tmp_path):
    folder = tmp_path / "coding" / "duplicates"
    folder.mkdir(parents=True)
    (folder / "carol.csv").write_text(",".join(COLUMNS) + "\n"
                                      "2026-03-01T09:00:00Z,carol,a-0001,b-0001,maybe,\n"
                                      "2026-03-01T09:00:01Z,carol,a-0001,b-0001,same,\n", encoding="utf-8")
    decisions, problems = read_pair_decisions_report(tmp_path)
    assert len(decisions) == 1
    assert [(p.line, "maybe" in p.message) for p in problems] == [(2, True)]


@pytest.mark.parametrize("bad", [
    PairDecision("", "alice", "a-0001", "b-0001", "maybe"),
    PairDecision("", "alice", "a-0001", "a-0001", "same"),
    PairDecision("", "../evil", "a-0001", "b-0001", "same"),
])
def test_invalid_decisions_are_refused_and_nothing_is_written(tmp_path, bad):
    with pytest.raises(DedupeError):
        append_pair_decision(tmp_path, bad)
    assert not (tmp_path / "coding").exists()


def test_no_folder_means_no_decisions(tmp_path):
    assert read_pair_decisions(tmp_path) == []
