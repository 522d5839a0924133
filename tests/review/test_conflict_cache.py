"""Conflicts and progress kept in .workbench/, recounted where sheets grew, equal a full count.

Random appends (decisions, undo, criteria, codes, values, group rows, memos,
consensus entries) between commands, each run on a new Review (so from the
caches on disk), compared with the per-study path on every stage; then a
codebook edit, a new merge of studies (a pair answer), a torn last line, a
hand-edited line, a shortened sheet and a damaged cache. `status` is compared
with a run without any cache.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.review.scenario_fixtures import on_columns, root, template  # noqa: F401 (fixtures)
from tests.review.test_decision_frames import scramble
from workbench.review import Review
from workbench.review import conflict_cache, progress_cache
from workbench.review.agreement import read_sheets
from workbench.review.conflicts import list_conflicts

STAGES = (None, "title_abstract", "full_text", "coding")


@pytest.fixture
def counts(monkeypatch):
    """Records each count: the studies it was restricted to (None: the whole stage)."""
    seen = []
    real = conflict_cache._count

    def counting(review, stage, only):
        seen.append(None if only is None else set(only))
        return real(review, stage, only)

    monkeypatch.setattr(conflict_cache, "_count", counting)
    real_facts = progress_cache._facts

    def facts(review, paths, only):
        seen.append(("progress", None if only is None else set(only)))
        return real_facts(review, paths, only)

    monkeypatch.setattr(progress_cache, "_facts", facts)
    return seen


def uncached_status(root, tmp_path):
    """`status` of a copy of the review without any cache in .workbench/."""
    copy = tmp_path / "uncached"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".workbench"))
    found = Review.open(copy).status()
    found["review"] = str(root)
    return json.loads(json.dumps(found))


def assert_same(root, tmp_path, counts=None):
    """Cached conflicts (every stage) and status equal uncached ones; return the cached counts."""
    seen = len(counts) if counts is not None else 0
    cached = {stage: list_conflicts(Review.open(root), stage) for stage in STAGES}
    status = json.loads(json.dumps(Review.open(root).status()))
    mine = list(counts[seen:]) if counts is not None else []
    for stage in STAGES:
        review = Review.open(root)
        assert cached[stage] == list_conflicts(review, stage, sheets=read_sheets(review)), stage
    assert status == uncached_status(root, tmp_path)
    return mine


def test_random_appends_recount_only_touched_studies(root, tmp_path, counts):
    scramble(root, 19)   # every sheet exists (a new sheet is counted in full)
    assert None in assert_same(root, tmp_path, counts)
    for seed in range(20, 25):
        scramble(root, seed)
        seen = assert_same(root, tmp_path, counts)
        assert seen and None not in seen   # only the studies the appends named
        assert ("progress", None) not in seen and any(s[0] == "progress" for s in seen
                                                     if isinstance(s, tuple))
    assert (root / ".workbench" / conflict_cache.CACHE_NAME).exists()


def test_codebook_edit_and_a_new_merge_recount_everything(root, tmp_path, counts):
    assert_same(root, tmp_path)
    scramble(root, 30)
    codebook = root / "codebook.yaml"
    codebook.write_text(codebook.read_text() + "\n# edited\n")
    assert None in assert_same(root, tmp_path, counts)
    review = Review.open(root)
    records = sorted(r.id for r in review.records())
    review.decide_pair("carol", records[0], records[1], "same")   # two more studies merged
    scramble(root, 31)
    assert None in assert_same(root, tmp_path, counts)
    scramble(root, 32)
    assert_same(root, tmp_path)


def test_torn_hand_edited_shortened_and_damaged(root, tmp_path):
    assert_same(root, tmp_path)
    alice = root / "coding" / "alice.csv"
    with open(alice, "ab") as handle:
        handle.write(b"2025-03-01T00:00:00.000000Z,alice,S1,title_abstract,deci")
    assert_same(root, tmp_path)
    scramble(root, 40)
    assert_same(root, tmp_path)
    with open(root / "coding" / "bob.csv", "ab") as handle:
        handle.write(b"2025-03-01T00:00:00.000000Z,bob,S2,full_text,decision,include,,v,0\n")
    assert_same(root, tmp_path)
    lines = alice.read_bytes().split(b"\n")
    alice.write_bytes(b"\n".join(lines[:-6]) + b"\n")
    assert_same(root, tmp_path)
    scramble(root, 41)
    path = root / ".workbench" / conflict_cache.CACHE_NAME
    path.write_bytes(path.read_bytes().replace(b'"decision"', b'"criteria"'))
    assert_same(root, tmp_path)
