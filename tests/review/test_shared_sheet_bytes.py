"""A sheet read in full by a cache (sheet tails, check) is read from disk once, not twice.

`sheet_tails._load` and `check_cache._summary` read a sheet's bytes to test
their caches; on a miss the full read reuses those bytes while the file's
stat is the one they were read under, and reads the file again otherwise.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from tests.review.scenario_fixtures import on_columns, root, template  # noqa: F401 (fixtures)
from workbench.review import Review, check_cache, sheet_tails
from workbench.review.sheet_reads import review_sheet_frame
from workbench.store import sheet_frame
from workbench.store.sheet_frame import read_sheet_frame


def counted_reads(monkeypatch) -> list:
    calls = []
    real = sheet_frame.read_regular_file

    def counting(path, *args, **kwargs):
        calls.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(sheet_frame, "read_regular_file", counting)
    return calls


def same_frame(a, b):
    pd.testing.assert_frame_equal(a.events, b.events)
    np.testing.assert_array_equal(a.lines, b.lines)
    assert a.problems == b.problems


def test_the_sheet_tails_full_read_reuses_the_bytes(root, monkeypatch):
    calls = counted_reads(monkeypatch)
    review = Review.open(root)
    path = root / "coding" / "alice.csv"
    tail = sheet_tails.sheet_tail(review, path)
    assert tail is not None and tail.offset == path.stat().st_size
    assert calls == []   # the bytes _load read were the frame's: no second read
    same_frame(review_sheet_frame(review, path, aliased=False), read_sheet_frame(path))


def test_check_reads_each_sheet_once(root, monkeypatch):
    calls = counted_reads(monkeypatch)
    reads = []
    real = check_cache.read_sheet_bytes

    def counting(path):
        reads.append(str(path))
        return real(path)

    monkeypatch.setattr(check_cache, "read_sheet_bytes", counting)
    from workbench.review.checking import _check_sheets, _study_ids
    from workbench.store import sheet_checks
    monkeypatch.setattr(sheet_checks, "COLUMNS_FROM_BYTES", 0)   # the large-review path
    review = Review.open(root)
    found = _check_sheets(review, review.codebook(), _study_ids(review)[0])
    sheets = sorted(str(p) for p in (root / "coding").glob("*.csv"))
    assert calls == []
    assert sorted(reads) == sheets   # before: each sheet's bytes were read twice, the frame once
    assert found == _check_sheets(Review.open(root), review.codebook(), _study_ids(review)[0])


def test_bytes_read_under_another_stat_are_not_used(root):
    """Stale bytes (the file changed after they were read) are ignored: the file is read."""
    review = Review.open(root)
    path = root / "coding" / "bob.csv"
    stale = path.read_bytes()
    st = os.stat(path)
    with open(path, "ab") as handle:   # a save after the bytes were read
        handle.write(stale.split(b"\n")[1] + b"\n")
    old_stat = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
    got = review_sheet_frame(review, path, aliased=False, data=stale, data_stat=old_stat)
    same_frame(got, read_sheet_frame(path))
    assert len(got.events) == len(read_sheet_frame(path).events)


def test_bytes_of_another_length_are_not_used(root):
    review = Review.open(root)
    path = root / "coding" / "bob.csv"
    data = path.read_bytes()
    st = os.stat(path)
    now = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
    got = review_sheet_frame(review, path, aliased=False, data=data[:-1], data_stat=now)
    same_frame(got, read_sheet_frame(path))


def test_given_bytes_read_as_the_file(root):
    """read_sheet_frame on given bytes is read_sheet_frame on the file (clean and torn)."""
    path = root / "coding" / "alice.csv"
    same_frame(read_sheet_frame(path, data=path.read_bytes()), read_sheet_frame(path))
    with open(path, "ab") as handle:
        handle.write(b"2025-01-01T00:00:00.000000Z,alice,S1,title_abst")   # a torn last line
    same_frame(read_sheet_frame(path, data=path.read_bytes()), read_sheet_frame(path))
