"""Guessable temporary names placed beforehand as links are never written through.

Files the tool replaces atomically are first written to a temporary file next
to them whose name holds only the process id (`exports/.sheet-alice.csv.<pid>.tmp`,
`.codebook.yaml.<pid>.tmp`, `.workbench/reviewer.<pid>.tmp`, the ranking
features' `.<pid>.tmp.npz`, a recall plot's `.<stem>.<pid>.tmp.png`). A review
folder travels by shared drives, git and zip files, which keep links, and
pids repeat: such a name placed as a link to a file outside the review made
the write go through the link, over that file. A stale file or link of that
name is now removed and the temporary file created exclusively, as session
6 did for the caches and the import copy (h6: 7dd2a2c, 9b46412).
"""

from __future__ import annotations

import os

import pytest

OUTSIDE = "export PATH=$HOME/bin:$PATH\n"


@pytest.fixture
def outside(tmp_path):
    victim = tmp_path / "outside.sh"
    victim.write_text(OUTSIDE)
    return victim


def link(path, target):
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def plant(path, outside):
    link(path.with_name(f".{path.name}.{os.getpid()}.tmp"), outside)


def test_the_wide_sheet_written_in_chunks(tmp_path, outside):
    from tests.review.test_consensus_scenario import build_scenario
    from workbench.review import Review
    from workbench.review.checking import write_wide_sheet
    root = tmp_path / "review"
    build_scenario(root)
    review = Review.open(root)
    exports = root / "exports"
    for name in ("sheet-alice.csv", "sheet-alice.xlsx"):
        plant(exports / name, outside)
    written = write_wide_sheet(review, "alice")
    assert outside.read_text() == OUTSIDE
    assert {p.name for p in written} == {"sheet-alice.csv", "sheet-alice.xlsx"}
    assert all(p.is_file() and not p.is_symlink() and p.stat().st_size for p in written)
    assert not list(exports.glob(".*.tmp"))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_wide_sheet_written_from_a_frame(tmp_path, outside, suffix):
    import pandas as pd

    from workbench.io.exports.sheet_table import write_sheet_table
    target = tmp_path / "exports" / f"sheet-alice{suffix}"
    plant(target, outside)
    frame = pd.DataFrame({"study_id": ["s1", "s2"], "note": ["=1+1", "plain"]})
    write_sheet_table(frame, **{f"{suffix[1:]}_path": target})
    assert outside.read_text() == OUTSIDE
    assert target.is_file() and not target.is_symlink() and target.stat().st_size


def test_the_codebook_written_by_the_highlight_editor(tmp_path, outside):
    from tests.review.test_consensus_scenario import build_scenario
    from workbench.review import Review
    from workbench.review.highlights import plan_highlights, write_highlights
    root = tmp_path / "review"
    build_scenario(root)
    review = Review.open(root)
    plant(review.codebook_path, outside)
    write_highlights(review, plan_highlights(review, ["randomised"], []))
    assert outside.read_text() == OUTSIDE
    assert "randomised" in review.codebook_path.read_text(encoding="utf-8")
    assert not review.codebook_path.is_symlink()


def test_the_remembered_reviewer_name(tmp_path, outside):
    from workbench.review.screening import (
        REVIEWER_FILE, read_remembered_reviewer, write_remembered_reviewer,
    )
    path = tmp_path / REVIEWER_FILE
    link(path.with_name(f"reviewer.{os.getpid()}.tmp"), outside)
    write_remembered_reviewer(tmp_path, "alice")
    assert outside.read_text() == OUTSIDE
    assert read_remembered_reviewer(tmp_path) == "alice"


def test_the_ranking_features_cache(tmp_path, outside):
    import numpy as np
    from scipy import sparse

    from workbench.store.features import cache_path, read_features, write_features
    path = cache_path(tmp_path, "k1")
    link(path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz"), outside)
    matrix = sparse.csr_matrix(np.eye(3))
    write_features(tmp_path, "k1", matrix)
    assert outside.read_text() == OUTSIDE
    assert (read_features(tmp_path, "k1") != matrix).nnz == 0


def test_the_recall_plot(tmp_path, outside):
    from workbench.io.simulation_plot import write_recall_plot
    target = tmp_path / "recall.png"
    link(target.with_name(f".recall.{os.getpid()}.tmp.png"), outside)
    write_recall_plot(target, [[1, 0, 1, 0]], "t")
    assert outside.read_text() == OUTSIDE
    assert target.read_bytes().startswith(b"\x89PNG")
