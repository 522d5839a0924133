"""The example review in the repository root, with the worked decisions committed in coding/
(written by examples/demo_decisions.py), checks clean and exports a complete set."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review

REPO = Path(__file__).resolve().parents[1]


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--review", str(root), *args])


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """A copy of the example review (references, codebook, coding), exported once."""
    root = tmp_path_factory.mktemp("example") / "review"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copytree(REPO / "coding", root / "coding")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    result = run(root, "export", "--quiet", "--no-charts")
    assert result.exit_code == 0, result.stderr
    return root


def test_the_committed_sheets_check_clean_and_leave_nothing_open(exported):
    checked = run(exported, "check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("OK")
    conflicts = run(exported, "conflicts", "--format", "json")
    assert conflicts.exit_code == 0
    assert json.loads(conflicts.stdout) == []
    status = json.loads(run(exported, "status", "--json").stdout)
    assert (status["studies"], status["duplicate_pairs_waiting"]) == (27, 0)
    assert status["conflicts_open"] == 0


def test_prisma_counts_are_the_hand_count(exported):
    counts = pd.read_csv(exported / "exports" / "prisma_counts.csv", dtype=str,
                         keep_default_na=False)
    n = dict(zip(counts["data"], counts["n"]))
    # 43 records (Scopus 27 + WoS 12 + Scholar 3 + grey 1) -> 27 studies once alice answers the
    # Alam & Rehman pair "same": 16 duplicates.
    assert n["duplicates"] == "16"
    assert n["records_screened"] == "27"
    # Title/abstract excludes Mahmood & Rafiq 2021 (both reviewers, E1) and Waheed & Riaz 2019
    # (carol, E1): 27 - 2 = 25 reports sought.
    assert n["records_excluded"] == "2"
    assert n["dbr_sought_reports"] == "25"
    # Khan & Ahmed 2019 not retrieved: 25 - 1 = 24 assessed.
    assert n["dbr_notretrieved_reports"] == "1"
    assert n["dbr_assessed"] == "24"
    # Latif & Shah 2021 excluded at full text (E2): 24 - 1 = 23 included.
    assert n["dbr_excluded"].endswith(", 1")
    assert n["new_studies"] == "23"
    reasons = pd.read_csv(exported / "exports" / "prisma_reasons.csv", dtype=str,
                          keep_default_na=False)
    assert sorted(zip(reasons["stage"], reasons["criterion"], reasons["n"])) == [
        ("full_text", "E2", "1"), ("title_abstract", "E1", "2")]


def test_the_campaigns_table_is_the_seeds_table_1_with_na_kept_empty(exported):
    campaigns = pd.read_csv(exported / "exports" / "campaigns.csv", dtype=str,
                            keep_default_na=False)
    table = {row["name"]: (row["platform"], row["hashtag_reach"], row["engagement_rate"],
                           row["policy_action"]) for _, row in campaigns.iterrows()}
    assert table == {
        "#MeTooPakistan": ("twitter", "5.2", "7.5", "Workplace policy revisions"),
        "#ClimateActionPK": ("facebook;instagram", "", "3.8", "Environmental policy review"),
        "#HarassmentFreeStreets": ("twitter;whatsapp", "", "2.4",
                                   "Municipal street safety measures"),
    }
    # Attached to the studies the seed cites for them: Farooq 2019 and Riaz & Khalid 2021.
    assert sorted(set(campaigns["study"])) == ["Farooq (2019)", "Riaz (2021)"]
    # Agreed through the group-row path: bob spelled a key differently and left a row
    # and a value out; carol's row-by-row resolutions are in the consensus sheet.
    bob = (exported / "coding" / "bob.csv").read_text(encoding="utf-8")
    assert "MeToo Pakistan" in bob and "#HarassmentFreeStreets" not in bob
    consensus = (exported / "coding" / "consensus.csv").read_text(encoding="utf-8")
    assert ",row:campaign:" in consensus


def test_the_coded_dataset_holds_the_resolved_values(exported):
    data = pd.read_csv(exported / "exports" / "coded_dataset.csv", dtype=str,
                       keep_default_na=False).set_index("study_id")
    assert len(data) == 23
    # carol's resolutions stand: UNESCO's report is grey literature; gender norms kept.
    assert data.loc["S7c8cb074-0007", "source_type"] == "grey_literature"
    assert data.loc["S7c8cb074-0003", "barriers_facilitators__gender_norms"] == "1"
    assert data.loc["S7c8cb074-0002", "platforms__twitter"] == "0"
    assert set(data["source_type"]) == {"peer_reviewed", "grey_literature"}


def test_the_script_refuses_a_review_that_already_has_sheets(exported):
    before = (exported / "coding" / "alice.csv").read_bytes()
    result = subprocess.run([sys.executable, str(REPO / "examples" / "demo_decisions.py"),
                             str(exported)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "already holds sheets" in result.stderr
    assert (exported / "coding" / "alice.csv").read_bytes() == before


@pytest.mark.slow
def test_the_script_rebuilds_the_same_flow_on_a_fresh_copy(tmp_path, exported):
    root = tmp_path / "review"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    (root / "coding").mkdir()
    made = subprocess.run([sys.executable, str(REPO / "examples" / "demo_decisions.py"),
                           str(root)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert run(root, "export", "--quiet", "--no-charts").exit_code == 0
    for name in ("prisma_counts.csv", "prisma_studies.csv", "campaigns.csv"):
        fresh = pd.read_csv(root / "exports" / name, dtype=str, keep_default_na=False)
        committed = pd.read_csv(exported / "exports" / name, dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(fresh, committed)


@pytest.mark.parametrize("folder", [REPO, REPO / "examples" / "influencer-advocacy"],
                         ids=["example", "influencer-advocacy"])
def test_every_shipped_example_passes_check(folder, tmp_path):
    """The examples' sheets (evidence passages included) are valid for their codebooks."""
    import shutil

    from workbench.review.checking import check_review
    copy = tmp_path / "review"
    copy.mkdir()
    shutil.copy(folder / "codebook.yaml", copy)
    for name in ("references", "coding", "fulltext"):
        if (folder / name).is_dir():
            shutil.copytree(folder / name, copy / name)
    report = check_review(Review.open(copy))
    assert report.problems == []


def test_check_reports_a_passage_with_a_bad_position_or_target():
    from workbench.core.checks import check_sheet_events
    from workbench.core.events import Event
    from workbench.io.codebook_yaml import load_codebook
    codebook = load_codebook(REPO / "codebook.yaml")
    events = [Event("2026-01-01T00:00:00.000000Z", "alice", "S1", "coding", f, v, "", "")
              for f, v in (("seg:abc", "code:no_such_code"), ("seg:abc:page", "two"),
                           ("seg:abc:sha256", "xyz"), ("seg:abc:start", "3"))]
    problems = check_sheet_events(codebook, "coding/alice.csv", events, [2, 3, 4, 5], "alice")
    found = " / ".join(str(p) for p in problems)
    assert "no_such_code" in found and "'two' is not a whole number" in found
    assert "is not 64 hex digits" in found and "'3'" not in found
