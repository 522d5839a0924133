"""A dimension the coders differ on keeps the codes they agree on in the coded dataset."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from tests.review.coding_fixture import S, build_review, screen
from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import open_coding_session


def test_codes_all_coders_gave_are_1_none_gave_0_and_only_the_disputed_are_empty(tmp_path):
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    screen(review, "bob", "full_text", {S(6): "exclude"})
    screen(review, "alice", "full_text", {S(6): "exclude"})
    ticks = {"alice": ("twitter", "facebook"), "bob": ("twitter",)}
    for coder, codes in ticks.items():
        session = open_coding_session(Review.open(root), coder)
        for sid in (S(1), S(3), S(5)):
            for code in codes if sid == S(1) else ("twitter",):
                session.toggle_code(sid, "platforms", code)
    result = CliRunner().invoke(cli, ["--review", str(root), "export", "--quiet", "--no-charts"])
    assert result.exit_code == 0, result.output
    data = pd.read_csv(root / "exports" / "coded_dataset.csv", dtype=str, keep_default_na=False)
    row = data[data["study_id"] == S(1)].iloc[0]
    assert row["platforms"] == ""                       # not agreed as a whole
    assert "code:platforms" in row["unresolved"]
    assert row["platforms__twitter"] == "1"             # both ticked it
    assert row["platforms__facebook"] == ""             # only alice: disputed
    assert row["platforms__instagram"] == "0"           # neither ticked it
    agreed = data[data["study_id"] == S(3)].iloc[0]
    assert (agreed["platforms"], agreed["platforms__twitter"], agreed["platforms__facebook"]) \
        == ("twitter", "1", "0")
