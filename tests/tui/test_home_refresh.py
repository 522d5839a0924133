"""The home screen's panels follow the reviewer and the sheets; screens see the CLI's appends.

Walkthrough #5: after `w` the priority panel showed the previous reviewer's figures (a
blinding leak) and the Team panel never counted this app's own decisions. #6: a CLI
command appending to the reviewer's own sheet went unnoticed by the screening screen.
"""

from __future__ import annotations

from workbench.review import Review
from workbench.review.screening import open_session
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.screens.home import HomeScreen

from .conftest import burst, screening_ready, wait_for

STUDY = "Sda3dfc03-{:04d}"


def shown(app, panel: str) -> str:
    if not isinstance(app.screen, HomeScreen):
        return ""
    widget = app.screen.query_one(panel)
    return str(widget.render()) if widget.display else ""


async def test_switching_reviewer_shows_the_new_reviewers_figures_only(review_dir):
    review = Review.open(review_dir)
    alice = open_session(review, "alice", "title_abstract")
    for n in (1, 2, 3):
        alice.record(STUDY.format(n), "include")
    app = make_app(review_dir, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: "3 relevant in 3 screened" in shown(app, "#home-priority"),
                       timeout=20)
        burst(app, "w b o b enter")
        await wait_for(pilot, lambda: app.reviewer == "bob")
        # alice's figures go at once; bob has decided nothing, so the panel is hidden
        assert "3 relevant" not in shown(app, "#home-priority")
        bob = open_session(Review.open(review_dir), "bob", "title_abstract")
        bob.record(STUDY.format(1), "exclude", ["E1"])
        await wait_for(pilot, lambda: "0 relevant in 1 screened" in shown(app, "#home-priority"),
                       timeout=20)
        assert "3 relevant" not in shown(app, "#home-priority")


async def test_team_panel_counts_decisions_made_in_this_app(review_dir):
    for who in ("alice", "bob"):
        open_session(Review.open(review_dir), who, "title_abstract").record(STUDY.format(1),
                                                                             "include")
    app = make_app(review_dir, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: "alice: title_abstract 1/6" in shown(app, "#home-team"),
                       timeout=20)
        burst(app, "s")
        await screening_ready(app, pilot)
        burst(app, "i i escape")
        await wait_for(pilot, lambda: "alice: title_abstract 3/6" in shown(app, "#home-team"),
                       timeout=20)


async def test_screening_screen_reads_what_a_cli_appended_to_the_own_sheet(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        burst(app, "i right")          # decide study 1 (goes on to 2), then stand on 3
        await wait_for(pilot, lambda: screen.source.id == STUDY.format(3))
        # `workbench screen`-like command in the same folder, as alice, while the app runs
        cli = open_session(Review.open(review_dir), "alice", "title_abstract")
        for n in (2, 4, 5):
            cli.record(STUDY.format(n), "exclude", ["E1"])
        await wait_for(pilot, lambda: screen.session.progress().done == 4, timeout=20)
        assert screen.source.id == STUDY.format(3)        # still on the study shown
        burst(app, "g")                                   # next unscreened skips 4 and 5
        await wait_for(pilot, lambda: screen.source.id == STUDY.format(6))
        burst(app, "i")
        await wait_for(pilot, lambda: screen.session.progress().done == 5)
    decided = {e.study_id: e.value for e in read_sheet(review_dir / "coding" / "alice.csv").events
               if e.field == "decision"}
    assert decided == {STUDY.format(1): "include", STUDY.format(2): "exclude",
                       STUDY.format(4): "exclude", STUDY.format(5): "exclude",
                       STUDY.format(6): "include"}


def drawn(app) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def test_home_scrolls_to_the_panels_below_the_fold_at_80x24(review_dir):
    for who in ("alice", "bob"):
        session = open_session(Review.open(review_dir), who, "title_abstract")
        for n in (1, 2, 3):
            session.record(STUDY.format(n), "include")
    app = make_app(review_dir, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "3 relevant in 3" in shown(app, "#home-priority")
                       and "bob:" in shown(app, "#home-team"), timeout=20)
        screen = app.screen
        await pilot.pause()
        assert screen.max_scroll_y > 0 and "Press a key below" not in drawn(app)
        burst(app, "end")
        await wait_for(pilot, lambda: screen.scroll_y == screen.max_scroll_y)
        await pilot.pause()
        assert "Press a key below" in drawn(app)
        burst(app, "home")
        await wait_for(pilot, lambda: screen.scroll_y == 0)
        burst(app, "pagedown")
        await wait_for(pilot, lambda: screen.scroll_y > 0)
