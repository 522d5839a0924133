"""The history panel (H): the current study's events, blind until the reviewer finishes."""

from __future__ import annotations

from workbench.review import Review
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import sheet_path
from workbench.tui.app import make_app
from workbench.tui.history_modal import HistoryModal
from workbench.tui.screens.screening import ScreeningScreen

from .conftest import screening_ready, wait_for

STUDY = "Sda3dfc03-{:04d}"


def bob_excludes(review_dir, study: str) -> None:
    review = Review.open(review_dir)
    codebook = review.codebook()
    sheet = Sheet.open(sheet_path(review.coding, "bob"), "bob", codebook.version)
    sheet.record_screening(codebook, "title_abstract", study, "exclude", ["E1"])


async def open_history(app, pilot) -> str:
    await pilot.press("H")
    await wait_for(pilot, lambda: isinstance(app.screen, HistoryModal)
                   and app.screen.entries is not None)
    lines = str(app.screen.query_one("#history-lines").render())
    note = str(app.screen.query_one("#history-blind").render())
    return lines + "\n" + note


async def test_history_shows_changes_and_undo_but_not_the_other_reviewer_until_done(review_dir):
    first = STUDY.format(1)
    bob_excludes(review_dir, first)
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("i")                       # study 1 included, study 2 shown
        await pilot.press("left")                    # back to study 1
        await pilot.press("m", "u")                  # changed to maybe, then undone
        await wait_for(pilot, lambda: app.screen.source.id == first)
        shown = await open_history(app, pilot)
        assert "alice" in shown and "decision: include" in shown
        assert "include -> maybe" in shown and "undo" in shown
        assert "bob" not in shown
        assert "1 event of other reviewers hidden" in shown or "events of other" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        # finish the stage: every study decided
        for _ in range(8):
            if app.screen.session.progress().left == 0:
                break
            await pilot.press("g", "i")
        assert app.screen.session.progress().left == 0
        while app.screen.source.id != first:
            await pilot.press("left")
        shown = await open_history(app, pilot)
        assert "bob" in shown and "decision: exclude" in shown
        assert "Esc closes" in shown
