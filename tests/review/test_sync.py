"""Team sync through git: a bare remote and two clones, each reviewer deciding on their own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.review.coding_fixture import DATA, S
from workbench.cli import cli
from workbench.review import Review, init_review
from workbench.review.screening import open_session
from workbench.review.sync import SyncError, init_git, sync_review

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True)
                                .returncode != 0, reason="git is not installed")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(autouse=True)
def git_identity(monkeypatch, tmp_path):
    for key, value in {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
                       "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org",
                       "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
                       "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n")


@pytest.fixture
def team(tmp_path) -> tuple[Path, Path, Path]:
    """A review pushed to a bare remote, cloned by alice and by bob."""
    seed = tmp_path / "seed"
    review = init_review(seed)
    review.import_references([DATA / "search.ris"], database="Scopus")
    init_git(seed)
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "the review")
    remote = tmp_path / "team.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(seed, "remote", "add", "origin", str(remote))
    git(seed, "push", "-q", "-u", "origin", "main")
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    git(tmp_path, "clone", "-q", str(remote), str(alice))
    git(tmp_path, "clone", "-q", str(remote), str(bob))
    return remote, alice, bob


def decide(folder: Path, reviewer: str, decisions: dict[str, str]) -> None:
    session = open_session(Review.open(folder), reviewer, "title_abstract")
    for study, decision in decisions.items():
        session.record(study, decision, ["E1"] if decision == "exclude" else [])


def test_two_reviewers_deciding_at_once_sync_both_ways_without_conflict(team):
    _, alice, bob = team
    decide(alice, "alice", {S(1): "include", S(2): "exclude", S(3): "include"})
    decide(bob, "bob", {S(1): "include", S(2): "include"})

    first = sync_review(Review.open(alice), "alice")
    assert first.pushed and first.committed == 3 and first.sent == 3
    assert first.incoming == {}

    second = sync_review(Review.open(bob), "bob")
    assert second.pushed and second.committed == 2
    assert second.incoming == {"alice": 3}

    third = sync_review(Review.open(alice), "alice")
    assert third.incoming == {"bob": 2} and third.committed == 0
    for name in ("alice.csv", "bob.csv"):
        assert (alice / "coding" / name).read_bytes() == (bob / "coding" / name).read_bytes()
    assert git(alice, "status", "--porcelain", "--", "coding") == ""


def test_the_cli_reports_new_decisions_and_new_conflicts(team):
    _, alice, bob = team
    decide(alice, "alice", {S(2): "exclude"})
    decide(bob, "bob", {S(2): "include"})
    runner = CliRunner()
    assert runner.invoke(cli, ["--review", str(alice), "sync", "--reviewer", "alice"]).exit_code == 0
    result = runner.invoke(cli, ["--review", str(bob), "sync", "--reviewer", "bob"])
    assert result.exit_code == 0, result.output
    assert "alice: 1 new decision" in result.stdout
    assert "1 new conflict" in result.stdout


def test_uncommitted_codebook_edit_is_refused_and_nothing_changes(team):
    _, alice, _ = team
    decide(alice, "alice", {S(1): "include"})
    codebook = alice / "codebook.yaml"
    codebook.write_text(codebook.read_text() + "\n# my edit\n")
    head = git(alice, "rev-parse", "HEAD")
    with pytest.raises(SyncError, match="uncommitted changes to shared files: codebook.yaml"):
        sync_review(Review.open(alice), "alice")
    assert git(alice, "rev-parse", "HEAD") == head
    assert "# my edit" in codebook.read_text()
    assert "?? coding/alice.csv" in git(alice, "status", "--porcelain", "--untracked-files=all")


def test_codebook_edited_on_both_sides_is_a_conflict_for_a_person_and_loses_nothing(team):
    _, alice, bob = team
    for folder, text in ((alice, "alice's wording"), (bob, "bob's wording")):
        path = folder / "codebook.yaml"
        path.write_text(path.read_text() + f"\n# {text}\n")
        git(folder, "commit", "-q", "-am", f"codebook: {text}")
    sync_review(Review.open(alice), "alice")
    decide(bob, "bob", {S(1): "include"})
    with pytest.raises(SyncError, match="conflict with yours in: codebook.yaml"):
        sync_review(Review.open(bob), "bob")
    assert not (bob / ".git" / "rebase-merge").exists()
    assert "bob's wording" in (bob / "codebook.yaml").read_text()
    assert git(bob, "log", "-1", "--format=%s").strip() == "workbench sync: bob"
    assert S(1) in (bob / "coding" / "bob.csv").read_text()


def test_offline_keeps_the_commit_and_the_next_sync_sends_it(team, tmp_path):
    remote, alice, bob = team
    decide(alice, "alice", {S(1): "include"})
    git(alice, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    report = sync_review(Review.open(alice), "alice")
    assert report.offline and not report.pushed and report.committed == 1
    result = CliRunner().invoke(cli, ["--review", str(alice), "sync", "--reviewer", "alice"])
    assert result.exit_code == 1 and "offline" in result.stdout
    git(alice, "remote", "set-url", "origin", str(remote))
    again = sync_review(Review.open(alice), "alice")
    assert again.pushed and again.sent == 1
    assert sync_review(Review.open(bob), "bob").incoming == {"alice": 1}


def test_no_git_and_no_remote_are_clear_errors(tmp_path):
    plain = init_review(tmp_path / "plain")
    with pytest.raises(SyncError, match="not in a git repository"):
        sync_review(plain, "alice")
    init_git(plain.root)
    with pytest.raises(SyncError, match="no remote"):
        sync_review(Review.open(plain.root), "alice")
    assert "merge=union" in (plain.root / ".gitattributes").read_text()


def test_consensus_lines_by_the_resolver_are_sent_with_their_sync(team):
    from workbench.review.resolving import resolve_conflict
    _, alice, bob = team
    decide(alice, "alice", {S(2): "exclude"})
    decide(alice, "carol", {S(2): "include"})
    resolve_conflict(Review.open(alice), S(2), "title_abstract", "decision", "exclude",
                     resolver="alice", reason="E1 holds")
    os.remove(alice / "coding" / "carol.csv")
    report = sync_review(Review.open(alice), "alice")
    assert report.pushed
    assert sync_review(Review.open(bob), "bob").incoming == {"alice": 1, "consensus": 1}
