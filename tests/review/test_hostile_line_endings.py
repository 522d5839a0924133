"""A clone that converts line endings (core.autocrlf, Windows' default) gets the exports as imported.

references/ holds the search exports byte for byte, and their SHA-256 (in
imports.csv) names their records. Git on Windows converts the line ends of
files it takes for text when it checks them out, so a teammate's clone held
other bytes: before h7 their machine parsed other records with other ids,
without a word; since h7 it refuses the changed export. `init --git` and
`sync` now mark references/ `-text`, so no conversion happens.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.review.coding_fixture import DATA
from tests.review.test_sync import git, git_identity  # noqa: F401 (fixture)
from workbench.review import Review, init_review
from workbench.review.sync import init_git

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True)
                                .returncode != 0, reason="git is not installed")


def test_a_clone_with_autocrlf_reads_the_same_records(tmp_path):
    seed = tmp_path / "seed"
    review = init_review(seed)
    review.import_references([DATA / "search.ris"], database="Scopus")
    export = next(p for p in (seed / "references").iterdir() if p.suffix == ".ris")
    assert b"\n" in export.read_bytes() and b"\r\n" not in export.read_bytes()
    records = [(r.id, r.title) for r in Review.open(seed).records()]
    init_git(seed)
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "the review")
    clone = tmp_path / "windows"
    git(tmp_path, "clone", "-q", "-c", "core.autocrlf=true", str(seed), str(clone))
    assert (clone / "references" / export.name).read_bytes() == export.read_bytes()
    assert [(r.id, r.title) for r in Review.open(clone).records()] == records
