"""`workbench status` shows each coder's coding progress beside the screening stages."""

from __future__ import annotations

import json

from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import open_coding_session

from tests.review.coding_fixture import S, build_review


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
