"""A decision a stage does not offer is refused everywhere it could enter, and `check` finds one."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.review.coding_fixture import S, build_review
from workbench.cli import cli
from workbench.core.events import DecisionRefused
from workbench.review import Review
from workbench.review.resolving import resolve_conflict
from workbench.store.sheet import read_sheet, sheet_path
from workbench.store.sheet_reading import SHEET_COLUMNS, sheet_line


@pytest.fixture
def review_dir(tmp_path):
    return build_review(tmp_path / "review")


def test_resolving_title_abstract_as_not_retrieved_is_refused_and_nothing_is_saved(review_dir):
    consensus = review_dir / "coding" / "consensus.csv"
    before = consensus.read_bytes() if consensus.exists() else b""
    with pytest.raises(DecisionRefused, match="not_retrieved belongs to a later stage"):
        resolve_conflict(Review.open(review_dir), S(2), "title_abstract", "decision",
                         "not_retrieved", resolver="carol", reason="cannot find it")
    assert (consensus.read_bytes() if consensus.exists() else b"") == before
    result = CliRunner().invoke(cli, ["--review", str(review_dir), "resolve", S(2),
                                      "--stage", "title_abstract", "--field", "decision",
                                      "--value", "not_retrieved", "--reason", "x",
                                      "--reviewer", "carol", "--yes"])
    assert result.exit_code != 0
    assert "offers only include, exclude, maybe" in result.output + result.stderr
    # the full-text stage (fed by title/abstract) still takes it
    resolve_conflict(Review.open(review_dir), S(1), "full_text", "decision", "not_retrieved",
                     resolver="carol", reason="library has no copy", criteria=[])
    assert read_sheet(consensus).events[-2].value == "not_retrieved"


def test_check_names_the_line_and_study_of_a_decision_the_stage_does_not_offer(review_dir):
    path = sheet_path(review_dir / "coding", "dave")
    version = Review.open(review_dir).codebook().version
    path.write_text(",".join(SHEET_COLUMNS) + "\n" + sheet_line(
        ["2026-01-01T00:00:00.000000Z", "dave", S(4), "title_abstract", "decision",
         "not_retrieved", "", version]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--review", str(review_dir), "check"])
    assert result.exit_code != 0
    text = result.output + result.stderr
    assert "dave.csv" in text and ":2" in text and S(4) in text
    assert "decision 'not_retrieved' is not offered at stage 'title_abstract'" in text
