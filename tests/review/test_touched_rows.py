"""After a save, status and conflicts take only the touched studies' rows from the caches.

`decision_frames.latest_rows_of` gives the rows of `latest_rows` whose study
is one of a few (the ones the appended lines name), from the sheet's cache
without building the whole 750,000-row frame. It must equal filtering the
whole frame: rows, columns, categories, dtypes and index labels. The issue
#11 scenario is used with its pair answers removed (no merged studies: the
fast path) and as it is (merged studies: the whole frame is filtered).
"""

from __future__ import annotations

import random
import shutil

import pandas as pd
import pytest

from tests.review.scenario_fixtures import on_columns, root, template  # noqa: F401 (fixtures)
from tests.review.test_conflict_cache import assert_same, counts  # noqa: F401 (fixture)
from tests.review.test_decision_frames import scramble
from workbench.review import Review
from workbench.review import decision_frames as df
from workbench.review import tail_frames

SHEETS = ("alice", "bob", "carol", "consensus")


@pytest.fixture
def unmerged(root):
    """The scenario without its pair answers: no study is merged into another."""
    shutil.rmtree(root / "coding" / "duplicates")
    shutil.rmtree(root / ".workbench", ignore_errors=True)
    assert not Review.open(root).aliases()
    return root


def subsets(review, rng):
    ids = sorted({s.id for s in review.studies()})
    yield set()
    yield {ids[0]}
    yield {"S-not-a-study", ids[-1]}
    yield set(rng.sample(ids, min(3, len(ids))))
    yield set(ids)


def compare(root, seed, fast: bool, monkeypatch):
    rng = random.Random(seed)
    taken = []
    real = tail_frames.tail_rows_of
    monkeypatch.setattr(tail_frames, "tail_rows_of",
                        lambda *a: (lambda found: taken.append(found is not None) or found)(
                            real(*a)))
    for whole_first in (False, True):
        for name in SHEETS:
            path = root / "coding" / f"{name}.csv"
            if not path.exists():
                continue
            # the cache written (a full read's frame has categorical field parts; one
            # built from the cache has them as text: compare frames built alike)
            df.latest_rows(Review.open(root), path)
            for studies in subsets(Review.open(root), rng):
                review = Review.open(root)   # from the caches on disk
                if whole_first:
                    df.latest_rows(review, path)
                got = df.latest_rows_of(review, path, studies)
                whole = df.latest_rows(Review.open(root), path)
                want = whole[whole["study_id"].isin(studies).to_numpy()]
                pd.testing.assert_frame_equal(got, want, check_exact=True)
                assert list(got.columns) == list(want.columns)
    assert taken and all(taken) == fast and any(taken) == fast


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_touched_rows_equal_the_whole_frame_filtered(unmerged, seed, monkeypatch):
    compare(unmerged, seed, True, monkeypatch)
    for round_ in range(2):
        scramble(unmerged, seed * 10 + round_)
        compare(unmerged, seed * 10 + round_, True, monkeypatch)


def test_with_merged_studies_the_whole_frame_is_filtered(root, monkeypatch):
    scramble(root, 5)
    compare(root, 5, False, monkeypatch)


def test_without_merges_random_appends_recount_only_touched_studies(unmerged, tmp_path, counts,
                                                                    on_columns):
    scramble(unmerged, 19)
    assert None in assert_same(unmerged, tmp_path, counts)
    for seed in range(20, 26):
        scramble(unmerged, seed)
        seen = assert_same(unmerged, tmp_path, counts)
        assert seen and None not in seen, (seed, seen)
        assert ("progress", None) not in seen, (seed, seen)
