"""Roles in the codebook (`team:`), the team overview and the pilot (calibration) round."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.review.coding_fixture import S, build_review
from workbench.cli import cli
from workbench.errors import CodebookError, ReviewError
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.review.screening import open_session
from workbench.review.team import pilot_status, team_overview

TEAM = "\nteam:\n  alice: [screen, code]\n  bob: [screen, code]\n  carol: [resolve]\n"


def with_team(folder, team: str = TEAM, pilot: int = 0) -> None:
    path = folder / "codebook.yaml"
    text = path.read_text(encoding="utf-8").replace("\nrenamed: {}", team + "\nrenamed: {}")
    if pilot:
        text = text.replace("  - id: title_abstract\n", f"  - id: title_abstract\n    pilot: {pilot}\n", 1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def review_dir(tmp_path):
    return build_review(tmp_path / "review")


def test_roles_decide_who_may_screen_code_and_resolve(review_dir):
    with_team(review_dir)
    review = Review.open(review_dir)
    assert review.codebook().team["carol"] == ("resolve",)
    assert review.codebook().resolver_names() == ("carol",)
    with pytest.raises(ReviewError, match="carol's roles are resolve; the screen role belongs "
                                          "to alice, bob"):
        open_session(review, "carol", "title_abstract")
    with pytest.raises(ReviewError, match="dana is not in the codebook's team"):
        open_coding_session(review, "dana")
    assert not (review_dir / "coding" / "carol.csv").exists()
    assert open_session(review, "alice", "title_abstract").progress().done == 6


def test_an_unknown_role_is_a_codebook_error_with_a_suggestion(review_dir):
    with_team(review_dir, "\nteam:\n  alice: [screen, coder]\n")
    with pytest.raises(CodebookError, match="unknown role 'coder' \\(did you mean 'code'\\?\\)"):
        Review.open(review_dir).codebook()


def test_overview_lists_each_member_with_progress_for_their_roles(review_dir):
    with_team(review_dir)
    members, agreement = team_overview(Review.open(review_dir))
    by_name = {m.name: m for m in members}
    assert by_name["alice"].progress["title_abstract"] == (6, 6)
    assert by_name["bob"].progress["full_text"] == (3, 4)
    assert by_name["carol"].progress == {}          # a resolver screens nothing
    ta = next(a for a in agreement if a.stage == "title_abstract")
    assert ta.units == 6 and ta.percent == 1.0


def test_pilot_round_waits_for_everyone_then_reports_agreement(review_dir):
    with_team(review_dir, "\nteam:\n  alice: [screen]\n  bob: [screen]\n  dana: [screen]\n",
              pilot=3)
    review = Review.open(review_dir)
    status = pilot_status(review, "title_abstract")
    assert status.size == 3 and status.done == {"alice": 3, "bob": 3, "dana": 0}
    assert status.waiting_for == ["dana"] and status.agreement is None
    dana = open_session(review, "dana", "title_abstract")
    assert [s.id for s in dana.studies[:3]] == [S(1), S(2), S(3)]   # the pilot comes first
    for study, decision in ((S(1), "include"), (S(2), "include"), (S(3), "include")):
        dana.record(study, decision)
    status = pilot_status(Review.open(review_dir), "title_abstract")
    assert status.waiting_for == [] and status.agreement.units == 3
    assert status.agreement.kappa_name == "Fleiss' kappa"
    # dana includes S(2), alice and bob excluded it: pairwise agreement (1 + 1/3 + 1) / 3
    assert status.agreement.percent == pytest.approx(7 / 9)


def test_team_cli(review_dir):
    with_team(review_dir, pilot=2)
    result = CliRunner().invoke(cli, ["--review", str(review_dir), "team"])
    assert result.exit_code == 0, result.output
    assert "carol        resolve" in result.stdout
    assert "Pilot round at title_abstract (2 studies) done" in result.stdout
    data = json.loads(CliRunner().invoke(cli, ["--review", str(review_dir), "team",
                                               "--json"]).stdout)
    assert data["pilots"][0]["size"] == 2


def test_agreement_so_far_says_how_many_studies_were_decided_in_bulk(review_dir):
    # s8 walkthrough: the team panel said "95% (Cohen's kappa 0.85, 1269 studies)" when 922
    # of them had a bulk decision; `workbench agreement`'s methods sentence says so, the
    # panel and `workbench team` did not
    from workbench.tui.widgets.team_panel import agreement_words
    runner = CliRunner()
    members, agreement = team_overview(Review.open(review_dir))
    ta = next(a for a in agreement if a.stage == "title_abstract")
    assert ta.bulk == 0 and "bulk" not in agreement_words(ta)
    result = runner.invoke(cli, ["--review", str(review_dir), "bulk", "exclude", "--years",
                                 "1900-", "--criteria", "E1", "--reviewer", "dana", "--yes"])
    assert result.exit_code == 0, result.output
    _, agreement = team_overview(Review.open(review_dir))
    ta = next(a for a in agreement if a.stage == "title_abstract")
    assert ta.units == 6 and ta.bulk == 6
    assert agreement_words(ta).endswith("6 studies; 6 decided in bulk by a reviewer)")
    shown = runner.invoke(cli, ["--review", str(review_dir), "team"]).stdout
    assert "on 6 studies" in shown and "6 of them decided in bulk by a reviewer" in shown
    # full text: nobody decided in bulk
    ft = next(a for a in agreement if a.stage == "full_text")
    assert ft.bulk == 0
