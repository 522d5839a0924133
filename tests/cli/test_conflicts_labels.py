"""`workbench conflicts` shows each code, criterion and choice as "Label (id)", so no code looks
like an empty value and a choice is read as the coders saw it."""

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
    assert "alice  Awareness without concrete policy change (no_policy_change)" in block, block
    assert "bob    (none)" in block, block


def test_conflicting_choices_are_shown_with_their_labels(tmp_path):
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    open_coding_session(review, "alice", "coding").set_field(S(1), "source_type", "peer_reviewed")
    open_coding_session(review, "bob", "coding").set_field(S(1), "source_type", "grey_literature")
    result = CliRunner().invoke(cli, ["--review", str(root), "conflicts", "--stage", "coding"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "field:source_type" in line)
    block = "\n".join(lines[start:start + 4])
    assert "alice  Peer-reviewed article (peer_reviewed)" in block, block
    assert "bob    Grey literature (grey_literature)" in block, block
    result = CliRunner().invoke(cli, ["--review", str(root), "conflicts", "--format", "json"])
    assert '"peer_reviewed"' in result.stdout      # JSON keeps the values as saved
