"""Random bytes in a coding sheet: the careful reader, the fast frame paths and the old byte path agree.

A sheet is a CSV anyone can edit (a spreadsheet, a merge, a sync tool, a
torn write), so its bytes can be anything. Hypothesis mutates a real sheet
(written by `append_events`, with notes holding quotes, commas and line
breaks) with hostile bytes (quotes, CR, NUL, invalid UTF-8, a BOM, cut
lines, repeated lines) and asserts: `read_sheet` never fails on them (only
refuses a file that is not a regular one), reads the same twice, and
`read_sheet_frame` (the app's and the commands' path) gives the same events,
lines and problems; where the bytes are UTF-8, the byte path and the pandas
text path agree, and the byte path gives what its old code (the oracle, kept
in tests/store/old_sheet_bytes.py) gave.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.old_sheet_bytes import old_bytes_frame
from workbench.core.events import COLUMNS
from workbench.store import sheet_frame
from workbench.store.sheet import Event, append_events
from workbench.store.sheet_reading import read_sheet

NOTES = ['she said "no",\nthen left', "plain", "", "a, b; c", "Müller ‘quoted’ 日本",
         '"', "line\r\nend", "=cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("sheet") / "alice.csv"
    for i in range(24):
        append_events(path, [Event("", "alice", f"S{i % 5}", "title_abstract",
                                   "decision" if i % 3 else "note",
                                   "include" if i % 2 else "exclude", NOTES[i % len(NOTES)],
                                   "v1")],
                      now=datetime(2031, 1, 1, 0, 0, i, tzinfo=timezone.utc))
    return path.read_bytes()


HOSTILE = st.sampled_from([b'"', b'""', b"\r", b"\n", b"\r\n", b"\x00", b",", b"\xff",
                           b"\xe2\x80", b"\xef\xbb\xbf", b"\t", b"\\", b"Z,", b",,,,,,,,",
                           b"2031-01-01T00:00:00.000000Z,bob,S9,title_abstract,decision,"])
EDIT = st.tuples(st.sampled_from(["insert", "delete", "replace", "cut", "repeat"]),
                 st.floats(0, 1), st.one_of(HOSTILE, st.binary(min_size=1, max_size=6)))


def mutate(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for kind, where, piece in edits:
        at = int(where * max(len(out) - 1, 0))
        if kind == "insert":
            out[at:at] = piece
        elif kind == "delete":
            del out[at:at + len(piece)]
        elif kind == "replace":
            out[at:at + len(piece)] = piece
        elif kind == "cut":
            del out[at:]
        else:   # a line repeated (a merge that kept both sides)
            start = out.rfind(b"\n", 0, at) + 1
            end = out.find(b"\n", at)
            if end > start:
                out[end + 1:end + 1] = out[start:end + 1]
    return bytes(out)


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(EDIT, min_size=1, max_size=5))
def test_random_bytes_read_the_same_every_way(base, tmp_path, edits):
    folder = tmp_path / "s"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    path = folder / "alice.csv"
    data = mutate(base, edits)
    path.write_bytes(data)
    first = read_sheet(path)
    again = read_sheet(path)
    assert first == again
    frame = sheet_frame.read_sheet_frame(path)
    rows = [tuple(map(str, r)) for r in frame.events[list(COLUMNS)].astype(object).itertuples(
        index=False, name=None)]
    assert rows == [tuple(e) for e in first.events]
    assert frame.lines.tolist() == first.lines
    assert [str(p) for p in frame.problems] == [str(p) for p in first.problems]
    for event in first.events:   # a value read is a value written: never a broken field
        assert all(isinstance(v, str) and "\x00" not in v for v in event)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    slow = sheet_frame._text_frame(path, text)
    fast = sheet_frame._read_frame(path)
    assert (slow is None) == (fast is None)
    if fast is not None:
        pd.testing.assert_frame_equal(fast.events, slow.events)
        assert fast.lines.tolist() == slow.lines.tolist()
        assert [str(p) for p in fast.problems] == [str(p) for p in slow.problems]
    header_end = data.find(b"\n")
    if header_end > 0:
        new = sheet_frame._bytes_frame(path, data, header_end)
        was = old_bytes_frame(path, data, header_end)
        assert (new is None) == (was is None)
        if new is not None:
            pd.testing.assert_frame_equal(new.events, was.events)
            assert new.lines.tolist() == was.lines.tolist()
            assert [str(p) for p in new.problems] == [str(p) for p in was.problems]
