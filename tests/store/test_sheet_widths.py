"""A line with the wrong number of fields is reported against the sheet's own format."""

from __future__ import annotations

import pytest

from workbench.core.events import COLUMNS, Event
from workbench.store.sheet import append_events, read_sheet
from workbench.store.sheet_frame import read_sheet_frame

OLD_LINE = "2025-01-01T00:00:0{n}.000000Z,alice,S{n},title_abstract,decision,include,,v1"


def old_sheet(path, lines):
    """A sheet of the format before checks: 8 columns, no check value."""
    path.write_text(",".join(COLUMNS) + "\n" + "".join(line + "\n" for line in lines),
                    encoding="utf-8")


@pytest.mark.parametrize("read", [read_sheet, read_sheet_frame], ids=["events", "columns"])
def test_a_short_line_in_an_old_sheet_expects_eight_columns(tmp_path, read):
    path = tmp_path / "alice.csv"
    old_sheet(path, [OLD_LINE.format(n=1), "2025-01-01T00:00:02.000000Z,alice,S2,title_abstract,"
                     "decision,include,v1", OLD_LINE.format(n=3)])
    (problem,) = read(path).problems
    assert (problem.line, problem.message) == \
        (3, "expected 8 columns, found 7; this line was ignored")


@pytest.mark.parametrize("read", [read_sheet, read_sheet_frame], ids=["events", "columns"])
def test_a_short_line_in_a_checked_sheet_expects_nine_columns(tmp_path, read):
    path = tmp_path / "alice.csv"
    append_events(path, [Event("", "alice", "S1", "title_abstract", "decision", "include", "",
                               "v1")])
    with path.open("a", encoding="utf-8") as out:
        out.write("2025-01-01T00:00:02.000000Z,alice,S2,title_abstract,decision,include,v1\n")
    (problem,) = read(path).problems
    assert (problem.line, problem.message) == \
        (3, "expected 9 columns, found 7; this line was ignored")


def test_an_old_sheet_appended_by_workbench_expects_nine_columns_after_its_first_check(tmp_path):
    path = tmp_path / "alice.csv"
    old_sheet(path, [OLD_LINE.format(n=1)])
    append_events(path, [Event("", "alice", "S2", "title_abstract", "decision", "include", "",
                               "v1")])
    with path.open("a", encoding="utf-8") as out:
        out.write("2025-01-01T00:00:03.000000Z,alice,S3,title_abstract,decision,include,v1\n")
    (problem,) = read_sheet(path).problems
    assert (problem.line, problem.message[:20]) == (4, "expected 9 columns, ")
