"""A new review's home screen says where to start (the s6 walkthrough saw only 0/0 counts)."""

from __future__ import annotations

from workbench.review import Review
from workbench.review.folder import init_review
from workbench.tui.app import make_app

from .conftest import DATA, wait_for
from .test_home_refresh import shown


async def test_a_review_without_studies_says_to_import_and_the_hint_goes_after_an_import(
        tmp_path):
    root = tmp_path / "review"
    init_review(root)
    app = make_app(root, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Waiting for a person" in shown(app, "#home-waiting"))
        text = shown(app, "#home-waiting")
        assert "No studies yet" in text and "workbench import" in text
        Review.open(root).import_references([DATA / "search.ris"], database="Scopus")
        await wait_for(pilot, lambda: "Waiting for a person" in shown(app, "#home-waiting")
                       and "No studies yet" not in shown(app, "#home-waiting"), timeout=20)


async def test_screening_a_review_without_studies_shows_no_progress_figure(tmp_path):
    # s6 walkthrough: "not screened yet   0/0 screened (100%)".
    from workbench.tui.widgets.decision_bar import DecisionBar
    from .conftest import screening_ready
    root = tmp_path / "review"
    init_review(root)
    app = make_app(root, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.pause(0.2)
        bar = str(app.screen.query_one(DecisionBar).render())
        assert "no studies to screen" in bar and "100%" not in bar, bar
