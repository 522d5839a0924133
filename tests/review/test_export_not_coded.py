"""An included study no coder has started is never exported as if coded with nothing."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from tests.review.coding_fixture import S, build_review, screen
from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import open_coding_session


def run(root, *args):
    return CliRunner().invoke(cli, ["--review", str(root), *args])


def test_an_uncoded_included_study_is_named_pending_and_refused_by_require_agreed(tmp_path):
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    screen(review, "bob", "full_text", {S(6): "exclude"})
    screen(review, "alice", "full_text", {S(6): "exclude"})
    for coder in ("alice", "bob"):            # S(1) and S(3) coded alike; S(5) by nobody
        session = open_coding_session(Review.open(root), coder)
        for sid in (S(1), S(3)):
            session.toggle_code(sid, "platforms", "twitter")
            session.set_field(sid, "youth_focus", "yes")

    refused = run(root, "export", "--quiet", "--no-charts", "--require-agreed")
    assert refused.exit_code != 0
    assert S(5) in refused.stderr

    result = run(root, "export", "--no-charts")
    assert result.exit_code == 0, result.output
    assert "1 included study no coder has started" in result.output
    assert S(5) in result.output
    data = pd.read_csv(root / "exports" / "coded_dataset.csv", dtype=str, keep_default_na=False)
    row = data[data["study_id"] == S(5)].iloc[0]
    assert "code:platforms" in row["unresolved"] and "field:youth_focus" in row["unresolved"]
    assert row["youth_focus"] == ""
    coded = data[data["study_id"] == S(1)].iloc[0]
    assert coded["unresolved"] == "" and coded["youth_focus"] != ""
    meta = json.loads((root / "exports" / "export_metadata.json").read_text(encoding="utf-8"))
    assert meta["studies_not_coded"] == [S(5)]
    assert {n["why"] for n in meta["not_agreed"] if n["study_id"] == S(5)} == {"not coded"}
    readme = (root / "exports" / "README.txt").read_text(encoding="utf-8")
    assert f"Included studies no coder has started: {S(5)}" in readme
