"""`workbench conflicts` shows the criteria each coder gave with a conflicting decision."""

from __future__ import annotations

from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review

from tests.review.coding_fixture import S, build_review, screen


def test_a_decision_conflict_lists_each_coders_criteria(tmp_path):
    root = build_review(tmp_path / "review")
    screen(Review.open(root), "bob", "title_abstract", {S(1): "exclude"})   # with E1
    result = CliRunner().invoke(cli, ["--review", str(root), "conflicts"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    head = next(i for i, line in enumerate(lines)
                if line.startswith(f"title_abstract  {S(1)}  decision"))
    coders = [line.split() for line in lines[head + 1:head + 4] if line.startswith("  ")]
    bob = next(line for line in lines[head + 1:head + 4] if line.split()[0] == "bob")
    alice = next(line for line in lines[head + 1:head + 4] if line.split()[0] == "alice")
    assert coders and "exclude  criteria: " in bob and bob.endswith(" (E1)"), bob
    assert "criteria" not in alice
