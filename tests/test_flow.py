"""The whole flow on a copy of the example review, through the same functions and verbs a team uses:
import -> dedupe -> screen (two reviewers) -> agreement -> resolve -> full text -> code -> export.
Every number asserted here is counted by hand from the example review's exports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.review.screening import open_session

REPO = Path(__file__).resolve().parents[1]


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--review", str(root), *args])
    return result


@pytest.mark.slow
def test_the_example_review_from_import_to_export(tmp_path):
    root = tmp_path / "review"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    (root / "coding").mkdir()

    # Import and dedupe: 43 records from 4 databases; one pair waits for a person.
    status = json.loads(run(root, "status", "--json").stdout)
    assert status["records_per_database"] == {
        "Google Scholar": 3, "Grey literature": 1, "Scopus": 27, "Web of Science": 12}
    dedupe = json.loads(run(root, "dedupe", "--json").stdout)
    assert (dedupe["records"], dedupe["studies"]) == (43, 28)
    (pending,) = dedupe["pending_pairs"]
    assert run(root, "pair", pending["record_a"], pending["record_b"], "same",
               "--reviewer", "alice").exit_code == 0
    review = Review.open(root)
    studies = [s.id for s in review.studies()]
    assert len(studies) == 27

    # Title/abstract: two blind reviewers; they disagree on one study.
    for reviewer in ("alice", "bob"):
        session = open_session(review, reviewer, "title_abstract")
        for n, sid in enumerate(studies):
            if n < 3:
                session.record(sid, "exclude", ["E1"])
            elif n == 3 and reviewer == "bob":
                session.record(sid, "exclude", ["E2"])
            else:
                session.record(sid, "include")
    report = json.loads(run(root, "agreement", "--stage", "title_abstract", "--format",
                            "json", "--resamples", "200").stdout)
    assert report, "agreement prints a report"
    text = run(root, "agreement", "--stage", "title_abstract", "--resamples", "200").stdout
    # 27 units, 26 agreements: percent agreement 26/27 = 0.963.
    assert "0.963" in text
    conflicts = run(root, "conflicts", "--stage", "title_abstract", "--format", "json")
    assert conflicts.exit_code == 0
    assert studies[3] in conflicts.stdout
    # The export refuses while a conflict is open, and says so.
    refused = run(root, "export", "--quiet")
    assert refused.exit_code == 1 and "conflict" in refused.stderr
    assert run(root, "resolve", studies[3], "--stage", "title_abstract", "--field", "decision",
               "--value", "include", "--reviewer", "carol", "--reason",
               "empirical data in section 4").exit_code == 0
    assert studies[3] not in run(root, "conflicts", "--stage", "title_abstract",
                                 "--format", "json").stdout

    # Full text: 24 reports sought; one not retrieved, two excluded (E2, E3).
    review = Review.open(root)
    for reviewer in ("alice", "bob"):
        session = open_session(review, reviewer, "full_text")
        for n, sid in enumerate(studies[3:]):
            if n == 0:
                session.record(sid, "not_retrieved")
            elif n == 1:
                session.record(sid, "exclude", ["E2"])
            elif n == 2:
                session.record(sid, "exclude", ["E3"])
            else:
                session.record(sid, "include")
    included = studies[6:]

    # Coding: two coders agree on one study's platforms and its campaign.
    for coder in ("alice", "bob"):
        coding = open_coding_session(review, coder)
        assert {s.id for s in coding.studies} == set(included)
        coding.set_codes(included[0], "platforms", ["twitter", "facebook"])
        coding.add_row(included[0], "campaign", {
            "name": "#MeTooPakistan", "platform": "twitter", "hashtag_reach": "",
            "engagement_rate": "4.5", "policy_action": "Workplace harassment law"})

    # Export: PRISMA numbers equal the hand count; NA stays missing.
    result = run(root, "export", "--quiet")
    assert result.exit_code == 0, result.stderr
    counts = pd.read_csv(root / "exports" / "prisma_counts.csv", dtype=str,
                         keep_default_na=False)
    n = dict(zip(counts["data"], counts["n"]))
    assert n["duplicates"] == "16"
    assert n["records_screened"] == "27"
    assert n["records_excluded"] == "3"
    assert n["dbr_sought_reports"] == "24"
    assert n["dbr_notretrieved_reports"] == "1"
    assert n["dbr_assessed"] == "23"
    assert n["new_studies"] == "21"
    dataset = pd.read_csv(root / "exports" / "coded_dataset.csv", dtype=str,
                          keep_default_na=False)
    assert len(dataset) == 21
    coded = dataset.set_index("study_id").loc[included[0]]
    twitter = [c for c in dataset.columns if c.endswith("twitter") and "platforms" in c]
    assert twitter and coded[twitter[0]] == "1"
    uncoded = dataset.set_index("study_id").loc[included[1]]
    assert uncoded[twitter[0]] == ""  # not coded: missing, not 0
    assert (root / "exports" / "prisma_flow.svg").exists()
    campaigns = pd.read_csv(next((root / "exports").glob("campaign*.csv")), dtype=str,
                            keep_default_na=False)
    assert len(campaigns) == 1
    row = campaigns.iloc[0]
    assert row.filter(like="reach").tolist() == [""]  # NA, never 0
    assert "4.5" in row.tolist()
