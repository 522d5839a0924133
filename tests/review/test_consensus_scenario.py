"""The issue #11 scenario end to end: nothing a coder entered is lost on the way to the export.

Two coders; one fills fields and adds two group rows the other leaves empty;
a fuzzy-matched row whose key is spelled differently; a criteria mismatch
under an agreeing decision; two studies merged after both reviewers decided
on each. `conflicts` lists each one, `export` names them before resolution,
and resolving them through the CLI puts every value and row into
coded_dataset.csv and campaigns.csv.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from tests.review.coding_fixture import S, build_review, screen
from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.review.conflicts import conflict_counts, list_conflicts
from workbench.store.reviewer_sheet import Sheet

EXTRA = """  - id: software
    label: Software
    type: text
  - id: validated
    label: Validated
    type: boolean
"""
TA = "title_abstract"


def build_scenario(root):
    """Build the scenario through the public API; return the Review."""
    build_review(root, EXTRA)
    review = Review.open(root)
    screen(review, "bob", "full_text", {S(6): "include"})
    codebook = review.codebook()
    # alice excludes S2 for E2, bob for E1: the decision agrees, the criteria do not.
    Sheet.open(root / "coding" / "alice.csv", "alice", codebook.version).record_screening(
        codebook, TA, S(2), "exclude", ["E2"])
    alice, bob = open_coding_session(review, "alice"), open_coding_session(review, "bob")
    for session in (alice, bob):
        for sid in (S(1), S(3), S(5)):
            session.set_codes(sid, "platforms", ["twitter"])
    alice.set_field(S(1), "software", "R (rpart), own code")
    alice.set_field(S(1), "validated", "no")
    alice.add_row(S(1), "campaign", {"name": "#MeTooPakistan", "platform": "twitter",
                                     "hashtag_reach": "5.2", "engagement_rate": "7.5"})
    alice.add_row(S(1), "campaign", {"name": "#ClimateActionPK",
                                     "platform": "facebook;instagram", "engagement_rate": "3.8"})
    alice.add_row(S(3), "campaign", {"name": "#MeTooPakistan", "hashtag_reach": "5.2"})
    bob.add_row(S(3), "campaign", {"name": "MeToo Pakistan", "hashtag_reach": "5.2"})
    # A person joins two records both reviewers had already screened differently.
    records = {r.id: r for r in review.records()}
    four, six = sorted(r for r in records if r.endswith(("-0004", "-0006")))
    review.decide_pair("carol", four, six, "same")
    return Review.open(root)


def run(root, *args, input=None):
    return CliRunner().invoke(cli, ["--review", str(root), *args], input=input)


def listed(review):
    return {(c.study_id, c.field, c.kind) for c in list_conflicts(review)}


def test_conflicts_list_every_disagreement_of_the_scenario(root):
    review = Review.open(root)
    found = listed(review)
    merged = S(4)
    assert {(S(1), "field:software", "field"), (S(1), "field:validated", "field"),
            (S(1), "row:campaign:#MeTooPakistan", "row"),
            (S(1), "row:campaign:#ClimateActionPK", "row"),
            (S(3), "row:campaign:#MeTooPakistan:name", "row_field"),
            (S(2), "criteria", "criteria"),
            (merged, "decision", "merge")} <= found
    # S3's reach is the same on both matched rows: no conflict there.
    assert (S(3), "row:campaign:#MeTooPakistan:hashtag_reach", "row_field") not in found
    counts = conflict_counts(review)
    assert counts["total"] == len(list_conflicts(review)) >= 7
    text = run(root, "conflicts").stdout
    assert ("name=#ClimateActionPK, platform=Facebook (facebook); Instagram (instagram), "
            "engagement_rate=3.8") in text   # choices shown "Label (id)"
    assert "(no row)" in text and "merged studies differ" in text
    assert "Conflicts to resolve: " in run(root, "status").stdout
    check = run(root, "check")
    assert check.exit_code == 0 and "conflict: merged studies differ: title_abstract" in \
        check.stdout


@pytest.mark.slow
def test_export_names_what_it_leaves_empty_then_resolving_by_cli_fills_everything(root):
    # The merge conflict leaves the merged study unscreened: PRISMA refuses, naming it.
    result = run(root, "export", "--quiet", "--no-charts")
    assert result.exit_code == 1 and S(4) in result.stderr
    reason = ["--reviewer", "carol", "--reason", "checked"]
    assert run(root, "resolve", S(4), "--stage", TA, "--field", "decision", "--value",
               "exclude", "--criteria", "E1", *reason).exit_code == 0
    result = run(root, "export", "--quiet", "--no-charts", "--json")
    assert result.exit_code == 0, result.output
    names = {(n["study_id"], n["field"], n["why"]) for n in json.loads(result.stdout)["not_agreed"]}
    assert {(S(1), "field:software", "not agreed"), (S(1), "field:validated", "not agreed"),
            (S(1), "row:campaign:#MeTooPakistan", "not agreed"),
            (S(1), "row:campaign:#ClimateActionPK", "not agreed"),
            (S(3), "row:campaign:#MeTooPakistan:name", "not agreed"),
            (S(2), "criteria", "criteria union")} <= names
    text = run(root, "export", "--quiet", "--no-charts").stdout
    assert "left empty because the coders have not agreed" in text and S(1) in text
    refused = run(root, "export", "--quiet", "--no-charts", "--require-agreed")
    assert refused.exit_code == 1 and "field:software" in refused.stderr
    data = pd.read_csv(root / "exports" / "coded_dataset.csv", dtype=str,
                       keep_default_na=False).set_index("study_id")
    assert data.loc[S(1), "software"] == "" and "field:software" in data.loc[S(1), "unresolved"]

    for args in (("--field", "field:software", "--from", "alice"),
                 ("--field", "field:validated", "--from", "alice"),
                 ("--field", "row:campaign", "--from", "alice")):
        result = run(root, "resolve", S(1), "--stage", "coding", *args, *reason)
        assert result.exit_code == 0, result.output
    result = run(root, "resolve", S(3), "--stage", "coding", "--field",
                 "row:campaign:metoo pakistan:name", "--value", "#MeTooPakistan", *reason)
    assert result.exit_code == 0, result.output
    assert run(root, "resolve", S(2), "--stage", TA, "--field", "criteria", "--value",
               "E1;E2", *reason).exit_code == 0
    assert run(root, "conflicts").stdout.startswith("No conflicts")
    result = run(root, "export", "--quiet", "--no-charts", "--require-agreed", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["not_agreed"] == []
    data = pd.read_csv(root / "exports" / "coded_dataset.csv", dtype=str,
                       keep_default_na=False).set_index("study_id")
    assert data.loc[S(1), "software"] == "R (rpart), own code"
    assert data.loc[S(1), "validated"] == "0"
    assert data.loc[S(1), "unresolved"] == ""
    rows = pd.read_csv(root / "exports" / "campaigns.csv", dtype=str, keep_default_na=False)
    assert rows[["study_id", "name", "hashtag_reach", "engagement_rate"]].values.tolist() == [
        [S(1), "#MeTooPakistan", "5.2", "7.5"], [S(1), "#ClimateActionPK", "", "3.8"],
        [S(3), "#MeTooPakistan", "5.2", ""]]


def test_a_party_to_the_conflict_is_asked_before_resolving(root):
    args = ["resolve", S(1), "--stage", "coding", "--field", "field:software", "--from",
            "alice", "--reviewer", "alice", "--reason", "mine"]
    result = run(root, *args, input="n\n")
    assert result.exit_code != 0 and "alice took part" in result.output
    assert (S(1), "field:software", "field") in listed(Review.open(root))
    assert run(root, *args, input="y\n").exit_code == 0
    assert (S(1), "field:software", "field") not in listed(Review.open(root))


def test_the_codebook_names_who_resolves(root):
    from workbench.review.resolving import resolver_warning
    path = root / "codebook.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nresolvers: [carol]\n",
                    encoding="utf-8")
    review = Review.open(root)
    assert review.codebook().resolvers == ("carol",)
    assert resolver_warning(review, "carol", "coding", S(1)) == ""
    assert "not one of the codebook's resolvers" in resolver_warning(review, "dave", "coding",
                                                                     S(1))
    assert "took part" in resolver_warning(review, "alice", "coding", S(1))
    result = run(root, "resolve", S(1), "--stage", "coding", "--field", "field:software",
                 "--from", "alice", "--reviewer", "dave", "--reason", "x", "--yes")
    assert result.exit_code == 0, result.output
