"""`workbench bulk`: preview, confirmation, noted events, refusals that save nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review
from workbench.store.sheet import read_sheet

DATA = Path(__file__).resolve().parents[1] / "data" / "tui"
S = "Sda3dfc03-{:04d}".format


def make(tmp_path) -> Path:
    root = tmp_path / "r"
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True)
    shutil.copy(DATA / "codebook.yaml", root / "codebook.yaml")
    Review.open(root).import_references([DATA / "search.ris"], database="Scopus")
    return root


def bulk(root, *args, input=None):
    return CliRunner().invoke(cli, ["--review", str(root), "bulk", *args], input=input)


def test_preview_then_confirm_saves_each_study_with_a_bulk_note(tmp_path):
    root = make(tmp_path)
    no = bulk(root, "exclude", "--years", "-2016", "--criteria", "E2", "--reviewer", "alice",
              input="n\n")
    assert no.exit_code == 1 and "Would exclude (E2) 2 studies." in no.output
    assert S(4) in no.output and "2006" in no.output
    assert not (root / "coding" / "alice.csv").exists()
    yes = bulk(root, "exclude", "--years", "-2016", "--criteria", "E2", "--reviewer", "alice",
               input="y\n")
    assert yes.exit_code == 0, yes.output
    events = read_sheet(root / "coding" / "alice.csv").events
    assert [(e.study_id, e.field, e.value) for e in events] == [
        (S(2), "decision", "exclude"), (S(2), "criteria", "E2"),
        (S(4), "decision", "exclude"), (S(4), "criteria", "E2")]
    assert {e.note for e in events} == {"bulk: filter years up to 2016 (2 studies)"}
    again = bulk(root, "exclude", "--years", "-2016", "--criteria", "E2", "--reviewer",
                 "alice", "--yes")
    assert "Nothing to do" in again.output and "2 already decided are kept" in again.output


def test_refusals_name_the_problem_and_save_nothing(tmp_path):
    root = make(tmp_path)
    unknown = bulk(root, "exclude", "--years", "-2016", "--criteria", "E9", "--reviewer",
                   "alice", "--yes")
    assert unknown.exit_code == 1 and "criterion 'E9' is not defined" in unknown.output
    nofilter = bulk(root, "include", "--reviewer", "alice", "--yes")
    assert nofilter.exit_code == 1 and "needs a filter" in nofilter.output
    dry = bulk(root, "maybe", "--text", "mice", "--reviewer", "alice", "--dry-run")
    assert dry.exit_code == 0 and "Would maybe 1 study." in dry.output
    assert not (root / "coding" / "alice.csv").exists()
