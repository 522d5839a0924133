"""The sheet file: append durably, read back, survive torn lines and full disks."""

from __future__ import annotations

import errno
import os
from datetime import datetime, timezone

import pandas as pd
import pytest

import workbench.store.sheet as sheet_mod
from workbench.core.events import COLUMNS, Event
from workbench.errors import SheetError
from workbench.store.sheet import (HEADER, append_events, consensus_path, read_sheet,
                                   sheet_path, validate_reviewer)


def ev(study="s1", field="decision", value="include", note="", reviewer="alice", stage="ta"):
    return Event("", reviewer, study, stage, field, value, note, "v1")


def test_append_then_read_back(tmp_path):
    path = tmp_path / "coding" / "alice.csv"
    written = append_events(path, [ev(), ev(field="note", value='said "maybe",\nthen yes')])
    assert path.read_text(encoding="utf-8").startswith(HEADER)
    contents = read_sheet(path)
    assert contents.problems == []
    assert contents.events == written
    assert contents.lines == [2, 3]
    assert written[0].time == written[1].time
    assert written[1].value == 'said "maybe",\nthen yes'


def test_sheet_opens_as_a_plain_csv_table(tmp_path):
    path = tmp_path / "alice.csv"
    append_events(path, [ev(note="café, naïve")])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert tuple(frame.columns) == COLUMNS + ("check",)
    assert frame.loc[0, "note"] == "café, naïve"
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_times_are_utc_microseconds_and_strictly_increasing_when_clock_goes_back(tmp_path):
    path = tmp_path / "alice.csv"
    late = datetime(2025, 3, 1, 12, 0, 0, 5, tzinfo=timezone.utc)
    early = datetime(2025, 3, 1, 11, 59, 30, tzinfo=timezone.utc)  # within MAX_CLOCK_SKEW
    first = append_events(path, [ev()], now=late)
    second = append_events(path, [ev(value="exclude")], now=early)
    assert first[0].time == "2025-03-01T12:00:00.000005Z"
    assert second[0].time == "2025-03-01T12:00:00.000006Z"


def test_caller_times_are_replaced_by_the_append_time(tmp_path):
    path = tmp_path / "alice.csv"
    (written,) = append_events(path, [Event("1999-01-01T00:00:00.000000Z", "alice", "s1", "ta",
                                            "decision", "include")])
    assert written.time > "2020"


def test_missing_sheet_is_empty(tmp_path):
    contents = read_sheet(tmp_path / "nobody.csv")
    assert contents.events == [] and contents.problems == []


def test_unreadable_sheet_raises(tmp_path):
    (tmp_path / "alice.csv").mkdir()
    with pytest.raises(SheetError, match="cannot read the sheet"):
        read_sheet(tmp_path / "alice.csv")


def test_torn_last_line_is_reported_and_ignored(tmp_path):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1")])
    append_events(path, [ev("s2")])
    with path.open("ab") as handle:
        handle.write(b"2025-03-01T12:00:00.000000Z,alice,s3,ta,deci")
    contents = read_sheet(path)
    assert [e.study_id for e in contents.events] == ["s1", "s2"]
    (problem,) = contents.problems
    assert problem.line == 4 and "incomplete last line" in str(problem)
    assert str(problem).startswith(f"{path}:4: ")


def test_append_after_a_torn_line_starts_a_new_line(tmp_path):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1")])
    with path.open("ab") as handle:  # crash inside a quoted note: the quote is left open
        handle.write(b'2025-03-01T12:00:00.000000Z,alice,s2,ta,note,"half a no')
    append_events(path, [ev("s3"), ev("s3", field="note", value="ok")])
    contents = read_sheet(path)
    assert [(e.study_id, e.field) for e in contents.events] == [
        ("s1", "decision"), ("s3", "decision"), ("s3", "note")]
    (problem,) = contents.problems
    assert problem.line == 3 and "incomplete line" in problem.message


def test_malformed_lines_are_reported_with_their_line(tmp_path):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1")])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("not,a,sheet,line\n")
        handle.write("yesterday,alice,s2,ta,decision,include,,v1\n")
        handle.write("2025-03-01T12:00:00.000000Z,bad name,s2,ta,decision,include,,v1\n")
    append_events(path, [ev("s4")])
    contents = read_sheet(path)
    assert [e.study_id for e in contents.events] == ["s1", "s4"]
    assert [p.line for p in contents.problems] == [3, 4, 5]
    assert "bad time 'yesterday'" in contents.problems[1].message
    assert contents.lines == [2, 6]


def test_byte_order_mark_from_a_spreadsheet_is_accepted(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ",".join(COLUMNS).encode() + b"\r\n"
                     + b"2025-03-01T12:00:00.000000Z,alice,s1,ta,decision,include,,v1\r\n")
    contents = read_sheet(path)
    assert contents.problems == [] and contents.events[0].value == "include"
    line = sheet_mod.sheet_line(["2025-03-01T12:00:01.000000Z", "alice", "s1", "ta", "decision",
                                 "exclude", "", "v1"])
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + line.replace("\n", "\r\n").encode())
    contents = read_sheet(path)
    assert contents.problems == [] and contents.events[0].value == "exclude"


def test_full_disk_leaves_the_sheet_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1")])
    before = path.read_bytes()
    real_write = os.write

    def half_then_full(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sheet_mod.os, "write", half_then_full)
    with pytest.raises(SheetError, match="No space left on device") as caught:
        append_events(path, [ev("s2"), ev("s2", field="note", value="x" * 100)])
    assert "not saved" in str(caught.value) and str(path) in str(caught.value)
    monkeypatch.undo()
    assert path.read_bytes() == before
    append_events(path, [ev("s3")])
    assert [e.study_id for e in read_sheet(path).events] == ["s1", "s3"]


@pytest.mark.parametrize("name", ["", "-alice", "al ice", "al/ice", "consensus", "é"])
def test_invalid_reviewer_names_are_refused(tmp_path, name):
    with pytest.raises(SheetError):
        sheet_path(tmp_path, name)


def test_valid_reviewer_names_and_paths(tmp_path):
    assert sheet_path(tmp_path, "Alice_2.b-c") == tmp_path / "Alice_2.b-c.csv"
    assert consensus_path(tmp_path) == tmp_path / "consensus.csv"
    assert validate_reviewer("consensus", allow_consensus=True) == "consensus"


def test_header_only_sheet_is_empty(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_text(HEADER, encoding="utf-8")
    contents = read_sheet(path)
    assert contents.events == [] and contents.problems == []


def test_failed_save_leaves_the_sheet_in_memory_unchanged(tmp_path, monkeypatch):
    from workbench.store import reviewer_sheet
    from workbench.store.reviewer_sheet import Sheet
    from workbench.core.events import Change

    sheet = Sheet.open(tmp_path / "alice.csv", "alice")
    sheet.append("ta", "s1", [Change("decision", "include")])

    def disk_full(*args, **kwargs):
        raise SheetError("cannot save to the sheet (No space left on device)")

    monkeypatch.setattr(reviewer_sheet, "append_events", disk_full)
    with pytest.raises(SheetError):
        sheet.append("ta", "s1", [Change("decision", "exclude")])
    assert sheet.state.value("ta", "s1", "decision") == "include"
    monkeypatch.undo()
    assert sheet.undo() == ("ta", "s1")  # the failed save is not on the undo stack
    assert sheet.state.value("ta", "s1", "decision") == ""


def test_undo_takes_back_only_the_sessions_own_lines_even_after_reading_again(tmp_path):
    from workbench.core.events import Change
    from workbench.store.reviewer_sheet import Sheet, UndoRefused

    path = tmp_path / "alice.csv"
    app = Sheet.open(path, "alice")
    app.append("ta", "s1", [Change("decision", "include")])
    app.append("ta", "s1", [Change("decision", "exclude")])
    app.append("ta", "s2", [Change("decision", "maybe")])
    shell = Sheet.open(path, "alice")           # a shell saves to the same sheet
    shell.append("ta", "s2", [Change("decision", "maybe")])   # the same value, its own line
    again = Sheet.open(path, "alice")           # the screen reads the sheet again
    again.keep_undo(app)
    size = path.stat().st_size
    with pytest.raises(UndoRefused, match="s2: not undone"):
        again.undo()                            # s2's latest line is the shell's
    assert path.stat().st_size == size and again.state.value("ta", "s2", "decision") == "maybe"
    assert again.undo() == ("ta", "s1")         # then s1, twice: its lines are this session's
    assert again.state.value("ta", "s1", "decision") == "include"
    assert again.undo() == ("ta", "s1")
    assert again.state.value("ta", "s1", "decision") == ""
    assert again.undo() is None
    assert Sheet.open(path, "bob").can_undo() is False


def test_undo_of_an_append_that_set_one_field_twice(tmp_path):
    """Hypothesis found it: the first of two lines for one field is not what the sheet
    holds now, yet undo compared it and refused its own decision."""
    from workbench.core.events import Change
    from workbench.store.reviewer_sheet import Sheet

    path = tmp_path / "alice.csv"
    sheet = Sheet.open(path, "alice")
    sheet.append("ta", "s1", [Change("decision", "include"), Change("decision", "exclude")])
    assert sheet.undo() == ("ta", "s1")
    assert sheet.state.value("ta", "s1", "decision") == ""
