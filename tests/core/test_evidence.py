"""Passages of a full text: validation, reading back, removal, overlap between coders."""

from __future__ import annotations

import pytest

from workbench.core.events import DecisionRefused, Event, SheetState
from workbench.core.evidence import (Passage, overlap_count, passage_changes, passages_of,
                                     remove_changes)
from workbench.io.codebook_yaml import load_codebook
from tests.review.coding_fixture import REPO

SHA = "cd" * 32


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(REPO / "codebook.yaml")


def cell(changes, time="2026-01-01T00:00:00.000000Z"):
    events = [Event(time, "alice", "S1", "coding", c.field, c.value) for c in changes]
    return SheetState(events).fields("coding", "S1")


def some_code(codebook):
    return next(iter(codebook.code_index()))


def test_a_passage_round_trips_and_removal_hides_it(codebook):
    code = some_code(codebook)
    pid, changes = passage_changes(codebook, "code", code, "a quote", 3, 10, 17, SHA)
    [p] = passages_of(cell(changes))
    assert (p.id, p.kind, p.target, p.quote, p.page, p.start, p.end, p.sha256) == \
        (pid, "code", code, "a quote", 3, 10, 17, SHA)
    assert passages_of(cell(changes + remove_changes(pid))) == []


@pytest.mark.parametrize("kind,target,quote,page,start,end,sha,why", [
    ("code", "no_such_code", "q", 1, 0, 1, SHA, "not defined"),
    ("field", "no_such_field", "q", 1, 0, 1, SHA, "not defined"),
    ("row", "x", "q", 1, 0, 1, SHA, "code or a field"),
    ("code", None, "  ", 1, 0, 1, SHA, "empty"),
    ("code", None, "q", 0, 0, 1, SHA, "bad position"),
    ("code", None, "q", 1, 5, 5, SHA, "bad position"),
    ("code", None, "q", 1, 0, 1, "abc", "SHA-256"),
])
def test_bad_passages_are_refused(codebook, kind, target, quote, page, start, end, sha, why):
    with pytest.raises(DecisionRefused, match=why):
        passage_changes(codebook, kind, target or some_code(codebook), quote, page, start, end,
                        sha)


def test_overlap_counts_same_target_same_page_same_file():
    def p(pid, target, page, start, end, sha=SHA):
        return Passage(pid, "code", target, "q", page, start, end, sha)
    a = [p("a1", "x", 1, 0, 10), p("a2", "x", 2, 0, 10), p("a3", "x", 1, 50, 60)]
    b = [p("b1", "x", 1, 5, 20), p("b2", "x", 2, 10, 20), p("b3", "x", 1, 55, 58, "ef" * 32)]
    assert overlap_count(a, b) == (1, 2, 2)
