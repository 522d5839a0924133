"""`workbench check` and `workbench sheet` on a review with decisions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review
from workbench.review.screening import open_session

REPO = Path(__file__).resolve().parents[2]


def example_copy(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    (root / "coding").mkdir()
    return root


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--review", str(root), *args])


def test_check_passes_on_the_shipped_example(tmp_path):
    root = example_copy(tmp_path)
    result = run(root, "check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK: codebook.yaml (version ")


def test_check_names_file_line_and_key_of_an_unknown_codebook_key(tmp_path):
    root = example_copy(tmp_path)
    text = (root / "codebook.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("stages:"))
    lines[n] = "stagess:"
    (root / "codebook.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(root, "check")
    assert result.exit_code == 1
    assert f"codebook.yaml:{n + 1}" in result.stderr
    assert "stagess" in result.stderr and "stages" in result.stderr  # did you mean


def test_check_reports_a_torn_sheet_line_without_changing_the_sheet(tmp_path):
    root = example_copy(tmp_path)
    review = Review.open(root)
    session = open_session(review, "alice", "title_abstract")
    first = review.studies()[0].id
    session.record(first, "include")
    sheet = root / "coding" / "alice.csv"
    with sheet.open("a", encoding="utf-8") as handle:
        handle.write("2026-01-01T00:00:00.000000Z,alice,S1,title_ab")  # a crash mid-write
    before = sheet.read_bytes()
    result = run(root, "check")
    assert result.exit_code == 1
    n = len(before.decode("utf-8").splitlines())
    assert f"alice.csv:{n}" in result.stderr
    assert sheet.read_bytes() == before


def test_sheet_writes_the_wide_table_one_row_per_study(tmp_path):
    root = example_copy(tmp_path)
    review = Review.open(root)
    session = open_session(review, "alice", "title_abstract")
    studies = [s.id for s in review.studies()[:3]]
    session.record(studies[0], "include")
    session.record(studies[1], "exclude", ["E1"])
    session.record(studies[2], "maybe")
    session.record(studies[2], "include")  # a changed decision: latest wins in the table
    result = run(root, "sheet", "--reviewer", "alice")
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(root / "exports" / "sheet-alice.csv", dtype=str, keep_default_na=False)
    assert list(frame["study_id"]) == studies
    assert list(frame.columns[:2]) == ["study_id", "title"]
    assert list(frame["title"]) == [s.title for s in review.studies()[:3]]
    assert list(frame["title_abstract.decision"]) == ["include", "exclude", "include"]
    assert frame.loc[1, "title_abstract.criteria"] == "E1"
    assert (root / "exports" / "sheet-alice.xlsx").exists()
    missing = run(root, "sheet", "--reviewer", "bob")
    assert missing.exit_code == 1 and "no such sheet" in missing.stderr
    assert run(root, "sheet").exit_code == 2


def test_status_shows_studies_each_reviewers_progress_and_open_conflicts(tmp_path):
    import json
    root = example_copy(tmp_path)
    review = Review.open(root)
    studies = [s.id for s in review.studies()[:2]]
    open_session(review, "alice", "title_abstract").record(studies[0], "include")
    open_session(review, "bob", "title_abstract").record(studies[0], "exclude", ["E1"])
    open_session(review, "bob", "title_abstract").record(studies[1], "include")
    status = json.loads(run(root, "status", "--json").stdout)
    assert (status["records"], status["studies"], status["duplicate_pairs_waiting"]) == (43, 28, 1)
    assert status["reviewers"]["alice"]["title_abstract"]["done"] == 1
    assert status["reviewers"]["bob"]["title_abstract"]["done"] == 2
    assert status["conflicts_open"] == 1
    text = run(root, "status").stdout
    assert "Reviewer bob: title_abstract 2/28" in text and "Conflicts to resolve: 1" in text
