"""`workbench conflicts` shows code labels beside the ids, so no code looks like an empty value."""

from __future__ import annotations

from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import open_coding_session

from tests.review.coding_fixture import S, build_review


def test_conflicting_codes_are_shown_with_their_labels(tmp_path):
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    open_coding_session(review, "alice", "coding").toggle_code(
        S(1), "policy_results", "no_policy_change")
    open_coding_session(review, "bob", "coding").toggle_code(
        S(1), "platforms", "twitter")   # bob coded the study, not this dimension
    result = CliRunner().invoke(cli, ["--review", str(root), "conflicts", "--stage", "coding"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "code:policy_results" in line)
    block = "\n".join(lines[start:start + 4])
    assert "alice  no_policy_change (Awareness without concrete policy change)" in block, block
    assert "bob    (none)" in block, block
