"""`export --reviewer NAME` when her own include sends a study to full text that the team
did not: the study never reached her full-text work list, so she never screened it there.

Before session 8 her export was refused ("1 report still unscreened at full_text"), as if
it were her unfinished work. Now her export shows it as not screened by this reviewer
(PRISMA box, prisma_studies.csv, README, export_metadata.json) and warns; a report the
team did send to her that she has not assessed is still refused.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.core.prisma import FINAL, PENDING, FinalDecision, check_prisma, compute_flow
from workbench.review import Review
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import consensus_path

from .coding_fixture import S, build_review, screen


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    root = build_review(tmp_path_factory.mktemp("unseen") / "review")
    review = Review.open(root)
    # bob includes S2 at title/abstract, alice excluded it; the lead's consensus: exclude
    screen(review, "bob", "title_abstract", {S(2): "include"})
    codebook = review.codebook()
    Sheet.open(consensus_path(review.coding), "lead", codebook.version).record_screening(
        codebook, "title_abstract", S(2), "exclude", ["E1"])
    return root


@pytest.fixture
def root(_template, tmp_path):
    shutil.copytree(_template, tmp_path / "review")
    return tmp_path / "review"


def export(root, *args):
    return CliRunner().invoke(cli, ["--review", str(root), "export", "--no-charts", *args])


def test_a_report_the_team_sent_her_and_she_has_not_assessed_still_refuses(root):
    result = export(root, "--reviewer", "bob")        # S6: both included, bob has not
    assert result.exit_code == 1
    assert "1 report still unscreened at full_text" in result.stderr


def test_her_include_the_team_excluded_is_shown_as_not_screened_not_refused(root):
    screen(Review.open(root), "bob", "full_text", {S(6): "exclude"})   # bob's own work done
    result = export(root, "--reviewer", "bob")
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if "never screened" in line]
    assert len(warning) == 1 and S(2) in warning[0] and "full_text" in warning[0]
    assert "not screened by this reviewer 1, assessed 4" in result.stdout
    exports = root / "exports"
    boxes = pd.read_csv(exports / "prisma_studies.csv", dtype=str).set_index("study_id")["box"]
    assert boxes[S(2)] == "reports_not_screened" and boxes[S(6)] == "reports_excluded"
    meta = json.loads((exports / "export_metadata.json").read_text(encoding="utf-8"))
    assert meta["not_screened"] == {"stage": "full_text", "studies": [S(2)]}
    assert meta["source"] == "bob" and S(2) not in meta.get("studies_not_coded", [])
    assert "Reports not screened by this reviewer: 1 at full_text" in \
        (exports / "README.txt").read_text(encoding="utf-8")
    wide = pd.read_csv(exports / "coded_dataset.csv", dtype=str)
    assert S(2) not in set(wide["study_id"])                       # not included


def test_the_team_export_and_a_reviewer_with_nothing_unseen_are_unchanged(root):
    screen(Review.open(root), "bob", "full_text", {S(6): "include"})
    result = export(root)
    assert result.exit_code == 0, result.output
    meta = json.loads((root / "exports" / "export_metadata.json").read_text(encoding="utf-8"))
    assert "not_screened" not in meta and "never screened" not in result.stderr
    result = export(root, "--reviewer", "alice")
    assert result.exit_code == 0 and "not screened" not in result.output


def test_the_flow_adds_up_with_reports_not_screened():
    ta = {f"s{i}": FinalDecision(f"s{i}", "ta", FINAL, "include") for i in range(4)}
    ft = {"s0": FinalDecision("s0", "ft", FINAL, "include"),
          "s1": FinalDecision("s1", "ft", FINAL, "exclude", ("E1",)),
          "s2": FinalDecision("s2", "ft", PENDING)}
    counts = compute_flow(["db"] * 4, list(ta), [("ta", ta), ("ft", ft)], {"E1": "E1"},
                          not_screened={"s2", "s3", "s0"})
    assert (counts.reports_sought, counts.reports_not_screened, counts.reports_assessed,
            counts.reports_excluded, counts.studies_included) == (4, 2, 2, 1, 1)
    assert counts.placement["s0"] == "studies_included"           # decided: kept as decided
    assert check_prisma(counts) == []
    unfinished = compute_flow(["db"] * 4, list(ta), [("ta", ta), ("ft", ft)], {"E1": "E1"})
    assert check_prisma(unfinished) == ["2 reports still unscreened at ft"]
