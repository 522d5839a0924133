"""`workbench status` shows each coder's coding progress beside the screening stages."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import coding_progress, open_coding_session

from tests.review.coding_fixture import S, build_review, screen


def test_status_lists_coding_progress(tmp_path):
    root = build_review(tmp_path / "review")
    session = open_coding_session(Review.open(root), "alice", "coding")
    session.toggle_code(S(1), "platforms", "twitter")
    runner = CliRunner()
    status = json.loads(runner.invoke(cli, ["--review", str(root), "status", "--json"]).stdout)
    assert status["reviewers"]["alice"]["coding"] == {"done": 1, "total": 3, "flagged": 0}
    assert status["reviewers"]["bob"]["coding"]["done"] == 0
    text = runner.invoke(cli, ["--review", str(root), "status"]).stdout
    assert "coding 1/3" in text


def test_status_text_shows_the_flagged_studies_as_the_json_does(tmp_path):
    root = build_review(tmp_path / "review")
    session = open_coding_session(Review.open(root), "alice", "coding")
    session.toggle_code(S(1), "platforms", "twitter")
    session.set_flag(S(1), True, "ask the team")
    runner = CliRunner()
    status = json.loads(runner.invoke(cli, ["--review", str(root), "status", "--json"]).stdout)
    assert status["reviewers"]["alice"]["coding"]["flagged"] == 1
    lines = runner.invoke(cli, ["--review", str(root), "status"]).stdout.splitlines()
    alice = next(line for line in lines if line.startswith("Reviewer alice:"))
    assert "(1 flagged)" in alice
    bob = next(line for line in lines if line.startswith("Reviewer bob:"))
    assert "flagged" not in bob


@pytest.mark.parametrize("columns", [False, True], ids=["per study", "columns"])
def test_a_study_back_in_title_abstract_conflict_leaves_the_coding_count(
        tmp_path, monkeypatch, columns):
    import workbench.review.decision_frames as decision_frames
    if columns:  # the large-review path: the sheets' columns and .workbench/progress.json
        monkeypatch.setattr(decision_frames, "COLUMNS_FROM_BYTES", 0)
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    session = open_coding_session(review, "alice", "coding")
    session.toggle_code(S(1), "platforms", "twitter")
    runner = CliRunner()
    before = json.loads(runner.invoke(cli, ["--review", str(root), "status", "--json"]).stdout)
    assert before["reviewers"]["alice"]["coding"] == {"done": 1, "total": 3, "flagged": 0}
    screen(review, "bob", "title_abstract", {S(1): "exclude"})  # S(1) is back in conflict
    after = json.loads(runner.invoke(cli, ["--review", str(root), "status", "--json"]).stdout)
    assert after["conflicts_open"] == 1
    assert after["reviewers"]["alice"]["full_text"]["total"] == 3
    assert after["reviewers"]["alice"]["coding"] == {"done": 0, "total": 2, "flagged": 0}
    fresh = Review.open(root)  # the home screen's figures
    assert [(p.total, p.coded) for p in coding_progress(fresh, "alice")] == [(2, 0)]
    assert S(1) not in {s.id for s in open_coding_session(fresh, "alice", "coding").studies}
