"""The hand-counted export review (tests/io/export_review.py), built and exported once per worker.

test_export, test_export_csl and test_export_stats read the same export; building and
exporting it costs seconds, so they share it. Tests that export again or edit take a
`shutil.copytree` copy of `hand_counted_built` (see `fresh` in test_export.py).
"""

from __future__ import annotations

import shutil

import pytest

from tests.io.export_review import make_review
from workbench.review import Review
from workbench.review.exporting import write_exports


@pytest.fixture(scope="session")
def hand_counted_built(tmp_path_factory):
    """The hand-counted review, imported and deduplicated (studies cache warm), not exported."""
    review = make_review(tmp_path_factory.mktemp("built") / "review")
    review.studies()
    return review.root


@pytest.fixture(scope="session")
def hand_counted_exported(hand_counted_built, tmp_path_factory):
    """(review, summary, progress steps) of one `write_exports` on a copy: read it, never write."""
    root = tmp_path_factory.mktemp("export") / "review"
    shutil.copytree(hand_counted_built, root)
    review = Review.open(root)
    steps = []
    summary = write_exports(review, progress=lambda done, total: steps.append((done, total)))
    return review, summary, steps
