"""A review put in git by hand (no `workbench init --git`, so no .gitattributes) still syncs.

Two resolvers on two machines append to the one shared consensus sheet; the
w7 walkthrough's second sync stopped with "the others' changes conflict with
yours in: coding/consensus.csv" because git merged the appended lines as text.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.review.coding_fixture import DATA, S
from tests.review.test_sync import decide, git, git_identity  # noqa: F401 (fixture)
from workbench.review import Review, init_review
from workbench.review.resolving import resolve_conflict
from workbench.review.sync import sync_review

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True)
                                .returncode != 0, reason="git is not installed")


@pytest.fixture
def plain_team(tmp_path) -> tuple[Path, Path]:
    """A review committed with plain `git init` (no .gitattributes), cloned twice."""
    seed = tmp_path / "seed"
    review = init_review(seed)
    review.import_references([DATA / "search.ris"], database="Scopus")
    decide(seed, "alice", {S(1): "include", S(2): "exclude"})
    decide(seed, "bob", {S(1): "exclude", S(2): "include"})
    git(seed, "init", "-q", "--initial-branch=main")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "the review")
    remote = tmp_path / "team.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(seed, "remote", "add", "origin", str(remote))
    git(seed, "push", "-q", "-u", "origin", "main")
    carol, dave = tmp_path / "carol", tmp_path / "dave"
    git(tmp_path, "clone", "-q", str(remote), str(carol))
    git(tmp_path, "clone", "-q", str(remote), str(dave))
    return carol, dave


def test_two_resolvers_without_gitattributes_both_sync_and_keep_every_line(plain_team):
    carol, dave = plain_team
    assert not (carol / ".gitattributes").exists()
    resolve_conflict(Review.open(carol), S(1), "title_abstract", "decision", "include",
                     resolver="carol", reason="I1 holds")
    resolve_conflict(Review.open(dave), S(2), "title_abstract", "decision", "exclude",
                     resolver="dave", reason="E1 holds")
    assert sync_review(Review.open(carol), "carol").pushed
    report = sync_review(Review.open(dave), "dave")     # refused before: a text conflict
    assert report.pushed and not report.offline
    assert sync_review(Review.open(carol), "carol").pushed
    for folder in (carol, dave):
        text = (folder / "coding" / "consensus.csv").read_text()
        assert "I1 holds" in text and "E1 holds" in text
        assert text.count("time,reviewer") == 1
        assert git(folder, "status", "--porcelain", "--", "coding") == ""
    assert (carol / "coding" / "consensus.csv").read_bytes() == \
        (dave / "coding" / "consensus.csv").read_bytes()
    assert not (dave / ".gitattributes").exists()   # nothing the team did not commit
