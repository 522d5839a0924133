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
