"""`workbench agreement`, `conflicts` and `resolve` on a review with two coders' sheets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet

DATA = Path(__file__).resolve().parents[1] / "data" / "agreement"
TA = "title_abstract"
# alice x bob: 3 both include, 1 alice only, 2 bob only, 4 both exclude (see
# tests/review/test_agreement.py): po 0.7, pe 0.5, kappa 0.4, alpha 1 - 114/198.
PLAN = {"alice": ["include"] * 4 + ["exclude"] * 6,
        "bob": ["include"] * 3 + ["exclude"] + ["include"] * 2 + ["exclude"] * 4}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    (root / "coding").mkdir(parents=True)
    shutil.copy(DATA / "codebook.yaml", root / "codebook.yaml")
    codebook = Review.open(root).codebook()
    for reviewer, decisions in PLAN.items():
        sheet = Sheet.open(root / "coding" / f"{reviewer}.csv", reviewer, codebook.version)
        for i, decision in enumerate(decisions):
            note = "pre-2010?" if (reviewer, i) == ("bob", 3) else None
            criteria = ["E2"] if decision == "exclude" else []
            sheet.record_screening(codebook, TA, f"u{i:02d}", decision, criteria, note)
    return root


def run(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["--review", str(folder), *args])


def test_agreement_table_prints_hand_computed_kappa_in_80_columns(folder):
    result = run(folder, "agreement", "--stage", TA, "--resamples", "200", "--seed", "11")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "coders: alice, bob" in result.stdout
    assert "200 resamples, seed 11" in result.stdout
    kappa = next(line for line in lines if line.startswith("  Cohen's kappa")).split()
    assert kappa[2] == "0.400" and kappa[-1] == "fair" and kappa[-3:-1] == ["10", "2"]
    alpha = next(line for line in lines if "alpha (nominal)" in line).split()
    assert alpha[2] == f"{1 - 114 / 198:.3f}" and alpha[-1] == "unreliable"
    agree = next(line for line in lines if "% agreement" in line).split()
    assert agree[2] == "0.700"
    # E1 was never chosen: kappa/alpha undefined, said so (not 0 or 1); I1 (an inclusion
    # criterion nobody recorded) is not in the table
    assert "never chosen by any coder (10 units)" in result.stdout


def test_agreement_csv_and_json(folder):
    result = run(folder, "agreement", "--format", "csv", "--resamples", "0")
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split(",")
    assert header[:5] == ["stage", "variable", "kind", "variable_label", "name"]
    result = run(folder, "agreement", "--format", "json", "--resamples", "100")
    data = json.loads(result.stdout)
    ta = next(s for s in data if s["stage"] == TA)
    assert ta["seed"] == 20260701 and ta["n_resamples"] == 100
    kappa = next(r for r in ta["statistics"]
                 if r["variable"] == "decision" and r["name"] == "cohen_kappa")
    assert kappa["value"] == pytest.approx(0.4, abs=1e-12) and kappa["ci_low"] is not None
    undefined = next(r for r in ta["statistics"]
                     if r["variable"] == "criterion:E1" and r["name"] == "cohen_kappa")
    assert undefined["value"] is None and undefined["label"] == "undefined"
    assert "no variation" in undefined["reason"]
    assert not any(r["variable"] == "criterion:I1" for r in ta["statistics"])


def test_conflicts_then_resolve_writes_the_consensus_sheet(folder):
    result = run(folder, "conflicts", "--stage", TA)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == ["title_abstract  u03  decision  [decision]",
                                              "  alice  include",
                                              "  bob    exclude  criteria: Published before 2010 (E2)  · pre-2010?"]
    assert "\n3 conflicts.\nResolve one: workbench resolve" in result.stdout
    result = run(folder, "resolve", "u03", "--stage", TA, "--field", "decision", "--value",
                 "exclude", "--reviewer", "carol", "--reason", "published 2008")
    assert result.exit_code == 0, result.output
    events = read_sheet(folder / "coding" / "consensus.csv").events
    assert [(e.reviewer, e.study_id, e.field, e.value, e.note) for e in events] == [
        ("carol", "u03", "decision", "exclude", "published 2008"),
        ("carol", "u03", "criteria", "E2", "published 2008")]
    result = run(folder, "conflicts")
    assert "u03" not in result.stdout and "2 conflicts." in result.stdout
    result = run(folder, "conflicts", "--all")
    assert "u03  decision  [decision]  (resolved: exclude)" in result.stdout


def test_resolve_refuses_bad_input_on_stderr_and_writes_nothing(folder):
    result = run(folder, "resolve", "u03", "--stage", TA, "--field", "decision", "--value",
                 "perhaps", "--reviewer", "carol", "--reason", "x")
    assert result.exit_code == 1
    assert "unknown decision 'perhaps'" in result.stderr and result.stdout == ""
    result = run(folder, "resolve", "u03", "--stage", "nope", "--field", "decision", "--value",
                 "include", "--reviewer", "carol", "--reason", "x")
    assert result.exit_code == 2 and "unknown stage 'nope'" in result.stderr
    result = run(folder, "resolve", "u03", "--stage", TA, "--field", "decision",
                 "--value", "include", "--reviewer", "carol")
    assert result.exit_code == 2 and "--reason" in result.stderr
    assert not (folder / "coding" / "consensus.csv").exists()


def test_helps_end_with_an_example():
    for verb in ("agreement", "conflicts", "resolve"):
        result = CliRunner().invoke(cli, [verb, "--help"])
        assert result.exit_code == 0
        assert f"Example: workbench {verb}" in result.stdout


def test_resolve_refuses_a_study_nobody_decided_at_that_stage(folder):
    before = (folder / "coding" / "consensus.csv").exists()
    for study, stage in (("S9999", TA), ("u01", "full_text")):
        result = run(folder, "resolve", study, "--stage", stage, "--field", "decision",
                     "--value", "include", "--reviewer", "carol", "--reason", "x")
        assert result.exit_code == 1, result.output
        assert f"no reviewer has decided '{study}'" in result.stderr
    assert (folder / "coding" / "consensus.csv").exists() == before


def test_a_conflict_resolved_to_an_empty_value_counts_as_resolved(folder):
    """Resolving to "no code" is a resolution: `conflicts` and `--all` must agree."""
    from workbench.review.agreement import list_conflicts
    review = Review.open(folder)
    first = list_conflicts(review, TA)[0]
    result = run(folder, "resolve", first.study_id, "--stage", TA, "--field", "criteria",
                 "--value", "", "--reviewer", "carol", "--reason", "no criterion applies")
    if result.exit_code != 0:  # criteria need an agreed decision first: resolve that
        assert run(folder, "resolve", first.study_id, "--stage", TA, "--field", "decision",
                   "--value", "include", "--reviewer", "carol", "--reason", "x",
                   "--criteria", "").exit_code == 0
    open_ = [c for c in list_conflicts(review, TA) if c.study_id == first.study_id]
    assert open_ == []
    every = json.loads(run(folder, "conflicts", "--all", "--format", "json").stdout)
    mine = [c for c in every if c["study_id"] == first.study_id]
    assert mine and all(c["resolved"] for c in mine)
    assert run(folder, "conflicts", "--all").stdout.rstrip().endswith("still open.")
