"""read_sheet_frame (columns) reads what read_sheet (events) reads: events, lines, problems."""

from __future__ import annotations

import random

import numpy as np
import pytest

from workbench.core.events import COLUMNS
from workbench.store.sheet import append_events, Event
from workbench.store import sheet_bytes
from workbench.store.sheet_frame import read_sheet_frame, remap_categories, times_valid
from workbench.store.sheet_reading import is_valid_time, read_sheet, sheet_line

HEADER = ",".join(COLUMNS)
CHECKED = HEADER + ",check"


def line(*fields: str) -> str:
    return ",".join(fields) + "\n"


def ev(i: int, study: str = "S1", field: str = "decision", value: str = "include",
       note: str = "") -> list[str]:
    return [f"2025-01-01T00:00:{i % 60:02d}.{i:06d}Z", "alice", study, "title_abstract", field,
            value, note, "v1"]


def same(path, aliases=None) -> None:
    events = read_sheet(path, aliases)
    frame = read_sheet_frame(path, aliases)
    rows = [tuple(map(str, r)) for r in frame.events[list(COLUMNS)].astype(object).itertuples(
        index=False, name=None)]
    assert rows == [tuple(e) for e in events.events]
    assert frame.lines.tolist() == events.lines
    assert [str(p) for p in frame.problems] == [str(p) for p in events.problems]


CLEAN = [ev(i, f"S{i % 3}") for i in range(1, 8)] + [ev(9, note='with, comma and "quotes"')]


CASES = [pytest.param(*case, id=case[0]) for case in [
    ("checked", CHECKED + "\n" + "".join(sheet_line(r) for r in CLEAN)),
    ("old", HEADER + "\n" + "".join(line(*r[:6], '"' + r[6].replace('"', '""') + '"' if r[6]
                                         else "", r[7]) for r in CLEAN)),
    ("mixed", HEADER + "\n" + line(*ev(1)) + "".join(sheet_line(r) for r in CLEAN)),
    ("torn last line", CHECKED + "\n" + "".join(sheet_line(r) for r in CLEAN) + "2025-01-01T0"),
    ("marked torn", CHECKED + "\n" + sheet_line(ev(1)) + "2025-01,torn\n" + sheet_line(ev(2))),
    ("bad check", CHECKED + "\n" + sheet_line(ev(1)) + sheet_line(ev(2))[:-3] + "000\n"),
    ("short line", HEADER + "\n" + line(*ev(1)) + line(*ev(2)[:7]) + line(*ev(3))),
    ("long line", HEADER + "\n" + line(*ev(1)) + line(*ev(2), "x", "y") + line(*ev(3))),
    ("old line after checked", CHECKED + "\n" + sheet_line(ev(1)) + line(*ev(2))),
    ("value over lines", CHECKED + "\n" + sheet_line(ev(1, note="two\nlines")) + sheet_line(ev(2))),
    ("open quote", HEADER + "\n" + line(*ev(1)[:6], '"never closed', "v1") + line(*ev(2))),
    ("quote inside", HEADER + "\n" + line(*ev(1)[:6], '"a"b', "v1") + line(*ev(2))),
    ("30 February", HEADER + "\n" + line(*ev(1)) + line("2025-02-30T00:00:00.000000Z",
                                                        *ev(2)[1:])),
    ("29 February", HEADER + "\n" + line("2024-02-29T00:00:00.000000Z", *ev(2)[1:])
     + line("2023-02-29T00:00:00.000000Z", *ev(3)[1:])),
    ("fullwidth digit", HEADER + "\n" + line("\uff12025-01-01T00:00:00.000000Z", *ev(2)[1:])),
    ("hour 24", HEADER + "\n" + line("2025-01-01T24:00:00.000000Z", *ev(2)[1:])),
    ("empty study", HEADER + "\n" + line(*ev(1)) + line(*ev(2, study=""))),
    ("bad reviewer", HEADER + "\n" + line(ev(1)[0], "al ice", *ev(1)[2:])),
    ("bom", "\ufeff" + CHECKED + "\n" + "".join(sheet_line(r) for r in CLEAN)),
    ("header only", CHECKED + "\n"),
    ("empty", ""),
    ("wrong header", "a,b,c\n" + line(*ev(1))),
    ("carriage return", CHECKED + "\n" + sheet_line(ev(1, note="a\rb")) + sheet_line(ev(2))),
    ("blank line", HEADER + "\n" + line(*ev(1)) + "\n" + line(*ev(2))),
]]


@pytest.mark.parametrize("name,text", CASES)
def test_the_frame_reads_what_read_sheet_reads(tmp_path, name, text):
    path = tmp_path / "alice.csv"
    path.write_text(text, encoding="utf-8", newline="")
    same(path)


@pytest.mark.parametrize("name", ["checked", "old", "mixed", "torn last line", "bom"])
def test_clean_sheets_take_the_fast_path(tmp_path, name):
    import workbench.store.sheet_frame as sheet_frame
    text = dict((p.values[0], p.values[1]) for p in CASES)[name]
    path = tmp_path / "alice.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert sheet_frame._read_frame(path) is not None


def test_bad_bytes_and_a_missing_sheet(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_bytes((CHECKED + "\n" + sheet_line(ev(1))).encode() + b"\xff\xfe\n"
                     + sheet_line(ev(2)).encode())
    same(path)
    same(tmp_path / "missing.csv")


def test_saved_events_and_aliases(tmp_path):
    path = tmp_path / "bob.csv"
    rng = random.Random(7)
    for i in range(60):
        study = f"S{rng.randrange(8)}"
        append_events(path, [Event("", "bob", study, "title_abstract", "decision",
                                   rng.choice(["include", "exclude", ""]),
                                   rng.choice(["", "a note, with a comma", 'say "x"']), "v1")])
    same(path)
    same(path, {"S1": "S0", "S2": "S0", "S7": "S9"})
    frame = read_sheet_frame(path)
    merged = remap_categories(frame.events["study_id"], {"S1": "S0"})
    assert "S1" not in set(merged.astype(object))


def test_times_are_checked_as_is_valid_time():
    rng = random.Random(3)
    good = "2024-02-29T23:59:59.999999Z"
    cases = [good, "2023-02-29T00:00:00.000000Z", "2025-04-31T00:00:00.000000Z",
             "2025-12-31T00:00:00.000000Z", "2025-13-01T00:00:00.000000Z",
             "2025-00-10T00:00:00.000000Z", "2025-01-00T00:00:00.000000Z",
             "2025-01-01T00:60:00.000000Z", "2025-01-01T00:00:60.000000Z",
             "2025-01-01 00:00:00.000000Z", "2025-01-01T00:00:00.00000Z",
             "\uff12025-01-01T00:00:00.000000Z"]
    for _ in range(300):
        chars = list(good)
        chars[rng.randrange(len(chars))] = rng.choice("0123456789-:TZ. x")
        cases.append("".join(chars))
    for case in cases:
        if case.isascii():
            assert times_valid([good, case]) == is_valid_time(case), case
        else:  # not for the bulk check: the careful reader decides (see the sheet case)
            assert not times_valid([good, case])


def test_leap_days_are_checked_as_is_valid_time_in_bulk():
    """Many 29 Februaries in one call (the calendar decides), both fast readers' one check."""
    rng = random.Random(5)
    years = [1900, 1996, 2000, 2023, 2024, 2100, 2400, 2025]
    for _ in range(60):
        times = [f"{rng.choice(years):04d}-02-{rng.choice([28, 29]):02d}T01:02:03.000004Z"
                 for _ in range(rng.randrange(1, 6))]
        assert times_valid(times) == all(map(is_valid_time, times)), times
        table = np.frombuffer("".join(times).encode(), np.uint8).reshape(len(times), 27)
        assert sheet_bytes.table_times_valid(table) == times_valid(times), times
