"""The app shell: reviewer name, home screen, help, remapped keys, fatal start-up errors."""

from __future__ import annotations

from workbench.review import Review
from workbench.tui.app import make_app
from workbench.tui.modals import ReviewerModal
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.home import HomeScreen
from workbench.tui.screens.screening import ScreeningScreen

from .conftest import screening_ready, wait_for


async def test_reviewer_is_asked_once_and_remembered(review_dir):
    app = make_app(review_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewerModal))
        name = app.screen.query_one("#name")
        name.value = "no way"
        await pilot.press("enter")                       # invalid: refused with a message
        assert isinstance(app.screen, ReviewerModal)
        assert "cannot be a reviewer name" in str(app.screen.query_one("#reviewer-error").render())
        name.value = "bob"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.reviewer == "bob"
    assert (review_dir / ".workbench" / "reviewer").read_text(encoding="utf-8") == "bob\n"


async def test_home_shows_progress_and_opens_screening(review_dir):
    from workbench.review.screening import open_session
    session = open_session(Review.open(review_dir), "alice")
    session.record("Sda3dfc03-0001", "include")
    session.record("Sda3dfc03-0002", "exclude", ["E1"])
    app = make_app(review_dir, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.stages)
        first = app.screen.stages[0]
        assert (first.done, first.total, first.counts) == (2, 6, {"include": 1, "exclude": 1})
        assert app.screen.stages[1].total == 1                 # one include passed to full text
        text = app.export_screenshot()
        assert "2/6" in text and "Title/abstract" in text
        await pilot.press("s")
        await screening_ready(app, pilot)
        assert app.screen.source.id == "Sda3dfc03-0003"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("f")
        await screening_ready(app, pilot)
        assert app.screen.session.stage.id == "full_text"


async def test_help_lists_every_screening_key_and_keys_can_be_remapped(review_dir):
    (review_dir / ".workbench").mkdir(exist_ok=True)
    (review_dir / ".workbench" / "keys.yaml").write_text(
        "keys:\n  screening.include: y\n", encoding="utf-8")
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await pilot.press("i")                                   # no longer bound
        await pilot.press("y")
        assert screen.session.decision("Sda3dfc03-0001") == "include"
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {row[2]: row for row in app.screen.rows}
        for action in ("include", "exclude", "maybe", "undo", "note", "next", "previous",
                       "next_unscreened", "filter", "criteria", "open", "back"):
            assert f"screening.{action}" in rows, action
        assert rows["screening.include"][0] == "y"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_light_and_dark_themes(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        dark = app.theme
        await pilot.press("f2")
        assert app.theme != dark and "light" in app.theme
        assert app.screen.source is not None


async def test_bad_codebook_ends_the_app_with_the_cli_message(review_dir):
    (review_dir / "codebook.yaml").write_text("stages:\n  - id: a\n    reviwers: 2\n",
                                              encoding="utf-8")
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert app.fatal_message.startswith("error: ")
    assert "codebook.yaml:3" in app.fatal_message and "reviwers" in app.fatal_message


async def test_unreadable_sheet_ends_the_app(review_dir):
    (review_dir / "coding" / "alice.csv").mkdir()
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1 and "alice.csv" in app.fatal_message
