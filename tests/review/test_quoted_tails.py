"""A sheet whose records span lines (a note holding a line break, quotes, commas) gets a
tail cache too: the offset is put at the end of a sheet the reader took whole.

Before, such a sheet was read in full by every command. The rows after each
append must still equal a full read's (`assert_same_rows`), the appended
bytes alone must be read, and anything irregular (a torn quoted record, a line
edited by hand, a CRLF line, a line with a bad check) must keep the results a
full read gives.
"""

from __future__ import annotations

import random

import pytest

from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from tests.review.test_decision_frames import scramble
from tests.review.test_sheet_tails import append_bytes, assert_same_rows
from workbench.core.events import Event
from workbench.review import Review
from workbench.review import sheet_tails
from workbench.store.sheet import append_events

NOTES = ["line one\nline two", 'she said "no", then left', "a, b,\n, c", "\n", '"', '""\n"',
         "trailing line break\n", "comma,quote\",newline\nend", "plain"]


def append_notes(root, rng: random.Random, sheet: str = "alice", n: int = 5) -> None:
    review = Review.open(root)
    studies = [s.id for s in review.studies()]
    version = review.codebook().version
    events = [Event("", sheet, rng.choice(studies), "title_abstract",
                    rng.choice(["decision", "note"]),
                    rng.choice(["include", "exclude"]) if rng.random() < 0.5 else "",
                    rng.choice(NOTES), version) for _ in range(n)]
    for e in events:
        if e.field == "note":   # a note field's value is the note
            e = e._replace(value=rng.choice(NOTES), note="")
        append_events(root / "coding" / f"{sheet}.csv", [e])


def full_reads(monkeypatch) -> list[str]:
    seen = []
    real = sheet_tails._full
    monkeypatch.setattr(sheet_tails, "_full", lambda *a: seen.append(a[1].name) or real(*a))
    return seen


def covered(root, sheet="alice"):
    path = root / "coding" / f"{sheet}.csv"
    tail = sheet_tails.sheet_tail(Review.open(root), path)
    return tail is not None and tail.offset == path.stat().st_size


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_records_spanning_lines_get_a_tail_cache(root, seed, monkeypatch):
    rng = random.Random(seed)
    append_notes(root, rng, n=8)
    assert b"\n" in b"".join(n.encode() for n in NOTES)
    assert_same_rows(root)
    assert covered(root)
    for round_ in range(3):
        append_notes(root, rng, n=rng.randrange(1, 6))
        seen = full_reads(monkeypatch)
        assert_same_rows(root)
        assert covered(root)
        assert "alice.csv" not in seen, seen   # only the appended bytes were read
        monkeypatch.undo()
        scramble(root, seed * 10 + round_)
        assert_same_rows(root)


def test_a_torn_quoted_record_then_the_save_after_it(root):
    rng = random.Random(7)
    append_notes(root, rng, n=4)
    assert_same_rows(root)
    path = root / "coding" / "alice.csv"
    start = path.stat().st_size
    append_bytes(path, b'2025-03-01T00:00:00.000000Z,alice,S1,title_abstract,note,'
                       b'"an unclosed note\nover two lines')
    assert_same_rows(root)
    tail = sheet_tails.sheet_tail(Review.open(root), path)
    assert tail is not None and tail.offset == start   # the torn record is not covered
    append_notes(root, rng, n=3)   # the save closes the torn line
    assert_same_rows(root)
    append_notes(root, rng, n=3)
    assert_same_rows(root)


@pytest.mark.parametrize("edit", ["bad check", "crlf", "hand line", "quote in id"])
def test_irregular_lines_in_a_sheet_with_multi_line_records(root, edit):
    rng = random.Random(11)
    append_notes(root, rng, n=6)
    assert_same_rows(root)
    path = root / "coding" / "alice.csv"
    if edit == "bad check":
        append_bytes(path, b'2025-03-01T00:00:00.000000Z,alice,S1,title_abstract,note,'
                           b'"two\nlines",,v,00000000\n')
    elif edit == "crlf":
        append_bytes(path, b"2025-03-01T00:00:00.000000Z,alice,S1,title_abstract,decision,"
                           b"include,,v\r\n")
    elif edit == "hand line":
        append_bytes(path, b'not a time,alice,"S2,x\n')
    else:
        append_bytes(path, b'2025-03-01T00:00:00.000000Z,alice,"S""1",title_abstract,'
                           b'decision,include,"a\nb",v\n')
    assert_same_rows(root)
    append_notes(root, rng, n=3)
    assert_same_rows(root)
    scramble(root, 12)
    assert_same_rows(root)
