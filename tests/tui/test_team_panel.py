"""The home screen's team panel: everyone's progress, agreement so far, the pilot round."""

from __future__ import annotations

from workbench.review import Review
from workbench.review.screening import open_session
from workbench.tui.app import make_app
from workbench.tui.screens.home import HomeScreen

from .conftest import wait_for

STUDY = "Sda3dfc03-{:04d}"


def panel(app) -> str:
    if not isinstance(app.screen, HomeScreen):
        return ""
    return str(app.screen.query_one("#home-team").render())


async def test_team_panel_shows_both_reviewers_and_the_pilot_round(review_dir):
    path = review_dir / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  - id: title_abstract\n" in text
    path.write_text(text.replace("  - id: title_abstract\n",
                                 "  - id: title_abstract\n    pilot: 2\n", 1), encoding="utf-8")
    review = Review.open(review_dir)
    for who, decisions in (("alice", ["include", "include"]), ("bob", ["include"])):
        session = open_session(review, who, "title_abstract")
        for n, decision in enumerate(decisions, start=1):
            session.record(STUDY.format(n), decision)
    app = make_app(review_dir, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Team" in panel(app), timeout=20)
        shown = panel(app)
        assert "alice: title_abstract 2/6" in shown and "bob: title_abstract 1/6" in shown
        assert "Agreement so far at title_abstract: 100%" in shown
        assert "Pilot round at title_abstract: waiting for bob 1/2" in shown
