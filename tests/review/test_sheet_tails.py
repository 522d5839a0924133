"""Each sheet's latest rows from .workbench/sheets/ plus the appended tail equal a full read.

The issue #11 scenario (merged studies, group rows, criteria) with random
appends on alice, bob, carol and the consensus sheet, between which the rows
are read from the cache and the tail; compared with `latest_rows` computed
from a full read, aliased and not. Then the hostile cases: a torn last line,
the save after it (which marks it torn), a line appended by hand that is not
valid, a sheet replaced by a shorter one, a sheet edited in the middle, an
old-format line after the offset, and a damaged or hand-edited cache.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.review.scenario_fixtures import on_columns, root, template  # noqa: F401 (fixtures)
from tests.review.test_decision_frames import scramble
from workbench.review import Review
from workbench.review import decision_frames as df
from workbench.review import sheet_tails
from workbench.review.sheet_reads import review_sheet_frame

SHEETS = ("alice", "bob", "carol", "consensus")


def full_rows(root, path, aliased):
    """latest_rows as computed from a full read (no cache)."""
    review = Review.open(root)
    return df.latest_of_frame(review_sheet_frame(review, path, aliased))


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: frame[c].astype(object).to_numpy() for c in frame.columns})


def assert_same_rows(root):
    """Every sheet's cached rows (a new Review: from disk) equal a full read's, both ways."""
    review = Review.open(root)
    for name in SHEETS:
        path = root / "coding" / f"{name}.csv"
        if not path.exists():
            continue
        for aliased in (False, True):
            got = df.latest_rows(review, path, aliased)
            want = full_rows(root, path, aliased)
            assert list(got.columns) == list(want.columns)
            pd.testing.assert_frame_equal(as_objects(got), as_objects(want), check_dtype=False)
            for c in ("line", "cell", "first", "parts"):
                assert got[c].dtype == want[c].dtype


def cached(root, name):
    meta, arrays = sheet_tails.cache_paths(root, root / "coding" / f"{name}.csv")
    return meta.exists() and arrays.exists()


@pytest.mark.parametrize("save_bytes", [0, 1 << 30])
@pytest.mark.parametrize("seed", [1, 2])
def test_random_appends_equal_a_full_read(root, seed, save_bytes, monkeypatch):
    monkeypatch.setattr(sheet_tails, "SAVE_TAIL_BYTES", save_bytes)
    assert_same_rows(root)
    assert cached(root, "alice")
    for round_ in range(3):
        scramble(root, seed * 10 + round_)
        assert_same_rows(root)


def test_a_new_review_object_reads_only_the_tail(root, monkeypatch):
    scramble(root, 4)
    assert_same_rows(root)
    scramble(root, 5)
    reads = []
    real = sheet_tails._read_tail
    monkeypatch.setattr(sheet_tails, "_read_tail",
                        lambda header, tail: reads.append(len(tail)) or real(header, tail))
    full = []
    real_full = sheet_tails._full
    monkeypatch.setattr(sheet_tails, "_full", lambda *a: full.append(a[1].name) or real_full(*a))
    assert_same_rows(root)
    assert reads and not full


def append_bytes(path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def test_torn_last_line_then_the_save_that_marks_it(root):
    path = root / "coding" / "alice.csv"
    assert_same_rows(root)
    append_bytes(path, b"2025-03-01T00:00:00.000000Z,alice,S1,title_abstract,deci")
    assert_same_rows(root)
    scramble(root, 7)   # append_events closes the torn line (",torn")
    assert_same_rows(root)
    scramble(root, 8)
    assert_same_rows(root)


def test_invalid_line_appended_by_hand(root):
    path = root / "coding" / "bob.csv"
    assert_same_rows(root)
    append_bytes(path, b"2025-03-01T00:00:00.000000Z,bob,S1,title_abstract,decision,exclude,,v,"
                       b"00000000\n")
    assert_same_rows(root)
    append_bytes(path, b'not a time,bob,"S2,x\n')
    assert_same_rows(root)
    scramble(root, 9)
    assert_same_rows(root)


def test_sheet_replaced_by_a_shorter_one_or_edited_in_the_middle(root):
    assert_same_rows(root)
    scramble(root, 11)
    assert_same_rows(root)
    path = root / "coding" / "alice.csv"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[: len(lines) // 2]) + b"\n")   # shorter, same inode
    assert_same_rows(root)
    scramble(root, 12)
    assert_same_rows(root)
    data = bytearray(path.read_bytes())
    at = data.index(b"include", len(data) // 3)
    data[at:at + 7] = b"exclude"                     # an edit before the offset (bad check)
    path.write_bytes(bytes(data))
    assert_same_rows(root)
    other = root / "coding" / "bob.csv"
    replacement = other.with_suffix(".new")
    shutil.copy(other, replacement)
    replacement.replace(other)                       # another inode, same bytes
    scramble(root, 13)
    assert_same_rows(root)


def test_damaged_or_edited_cache_is_rebuilt(root):
    assert_same_rows(root)
    scramble(root, 14)
    meta, arrays = sheet_tails.cache_paths(root, root / "coding" / "alice.csv")
    data = bytearray(arrays.read_bytes())
    data[len(data) // 2] ^= 1
    arrays.write_bytes(bytes(data))
    assert_same_rows(root)
    text = meta.read_text()
    meta.write_text(text.replace('"offset":', '"offset": 1 +', 1))
    assert_same_rows(root)
    meta.write_bytes(b"garbage")
    assert_same_rows(root)
    assert cached(root, "alice")


def test_old_format_sheet_and_an_unchecked_line_after_the_offset(root):
    from workbench.core.events import COLUMNS
    path = root / "coding" / "carol.csv"
    rows = [",".join(COLUMNS)] + [
        f"2025-02-01T00:00:00.00000{i}Z,carol,S{i},title_abstract,decision,include,,v"
        for i in range(1, 6)]
    path.write_text("\n".join(rows) + "\n")
    assert_same_rows(root)
    append_bytes(path, b"2025-02-02T00:00:00.000000Z,carol,S1,title_abstract,decision,exclude,,v\n")
    assert_same_rows(root)
    scramble(root, 15)   # checked lines: after them an unchecked line is refused
    assert_same_rows(root)
    append_bytes(path, b"2025-02-03T00:00:00.000000Z,carol,S2,title_abstract,decision,exclude,,v\n")
    assert_same_rows(root)


@pytest.mark.parametrize("cached_before", [False, True])
def test_a_torn_record_with_a_line_break_is_not_covered(root, cached_before):
    """A torn last record whose unclosed quote holds a line break starts at its first line:
    the offset the cache covers stops there (it stopped at the record's last line)."""
    path = root / "coding" / "alice.csv"
    if cached_before:
        assert sheet_tails.sheet_tail(Review.open(root), path) is not None   # tail path
    else:
        shutil.rmtree(root / ".workbench" / "sheets", ignore_errors=True)   # full path
    start = path.stat().st_size
    append_bytes(path, b'2025-03-01T00:00:00.000000Z,alice,S1,title_abstract,note,'
                       b'"a note cut\nafter its line break')
    tail = sheet_tails.sheet_tail(Review.open(root), path)
    assert tail is not None and tail.offset == start
    assert_same_rows(root)
