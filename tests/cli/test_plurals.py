"""Counts in the CLI's messages agree with their nouns: "1 study", "2 decisions"."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.core.wording import conflict_kinds, plural
from workbench.review import Review
from workbench.store.sheet import read_sheet

from tests.review.coding_fixture import S, build_review, screen

TUI_DATA = Path(__file__).resolve().parents[1] / "data" / "tui"


def run(root, *args):
    return CliRunner().invoke(cli, ["--review", str(root), *args])


def test_plural_and_conflict_kinds():
    assert [plural(n, "study") for n in (0, 1, 2)] == ["0 studies", "1 study", "2 studies"]
    assert plural(1, "key") == "1 key" and plural(2, "key") == "2 keys"
    assert plural(2, "criterion", "criteria") == "2 criteria"
    assert conflict_kinds({"total": 4, "decision": 3, "row_field": 1}) == \
        "3 decisions, 1 row field"
    assert conflict_kinds({"decision": 1, "criteria": 2, "code": 2}) == \
        "1 decision, 2 criteria, 2 codes"


def test_a_bulk_of_one_study_says_one_study(tmp_path):
    root = tmp_path / "review"
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True)
    shutil.copy(TUI_DATA / "codebook.yaml", root / "codebook.yaml")
    Review.open(root).import_references([TUI_DATA / "search.ris"], database="Scopus")
    done = run(root, "bulk", "exclude", "--years", "2006", "--criteria", "E2",
               "--reviewer", "alice", "--yes")
    assert done.exit_code == 0, done.output
    assert "exclude (E2) 1 study." in done.output and "1 studies" not in done.output
    notes = {e.note for e in read_sheet(root / "coding" / "alice.csv").events}
    assert notes == {"bulk: filter year 2006 (1 study)"}


def test_status_and_check_count_in_words(tmp_path):
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    screen(review, "bob", "title_abstract", {S(6): "exclude"})
    one = run(root, "status").stdout
    assert "Conflicts to resolve: 1 (1 decision; see `workbench conflicts`)" in one
    screen(review, "bob", "title_abstract", {S(3): "exclude"})
    two = run(root, "status").stdout
    assert "Conflicts to resolve: 2 (2 decisions; see `workbench conflicts`)" in two
    with (root / "coding" / "bob.csv").open("a", encoding="utf-8") as out:
        out.write(f"2026-01-01T00:00:00.000000Z,bob,{S(2)},title_abstract,decision,maybe,,x\n")
    check = run(root, "check")
    assert check.exit_code == 1
    assert "1 problem in codebook.yaml" in check.stderr and "and 2 sheets:" in check.stderr
