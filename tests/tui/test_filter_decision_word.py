"""`/unscreened` typed in the filter's first box (the words) matches nothing: the notice
says where a decision goes (s8 walkthrough: "No study matches "unscreened"" while 35
studies were unscreened; the README lists "unscreened" among what `/` filters on)."""

from __future__ import annotations

from workbench.tui.app import make_app
from workbench.tui.modals import FilterModal
from workbench.tui.screens.screening import ScreeningScreen

from .conftest import screening_ready, wait_for


async def test_a_decision_typed_as_words_says_it_goes_in_the_second_box(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        await pilot.press(*"unscreened", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen) and any(
            "No study matches" in n.message for n in app._notifications))
        said = [n.message for n in app._notifications if "No study matches" in n.message][-1]
        assert said == ('No study matches "unscreened"; filter unchanged; a decision goes in '
                        "the second box (Tab)."), said
        assert screen.filter.is_empty()
        # typed in the second box it filters
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        await pilot.press("tab", *"unscreened", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen)
                       and screen.filter.decision == "unscreened")
        assert len(screen.view) == len(screen.session)
