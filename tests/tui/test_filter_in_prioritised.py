"""A filter in prioritised order: the screen says that the order is now import order.

The s6 walkthrough: bob screened in prioritised order, filtered on a database,
and went on in import order without being told (his sheet then recorded
`order: import`); after the filter the model no longer chose his next study.
"""

from __future__ import annotations

from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.modals import FilterModal
from workbench.tui.screens.screening import ScreeningScreen

from .conftest import screening_ready, wait_for
from .test_prioritised import choose_prioritised


async def test_a_filter_says_it_ends_the_prioritised_order(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await pilot.pause(0.2)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        await pilot.press(*"twitter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen)
                       and screen.prioritised is None)
        await wait_for(pilot, lambda: any("studies shown" in n.message or "study shown"
                                          in n.message for n in app._notifications))
        shown = [n.message for n in app._notifications if "shown" in n.message][-1]
        assert "prioritised order is off" in shown and "p chooses it again" in shown, shown
        assert "1 study shown" in shown and "b decides it in bulk" in shown, shown
        await pilot.press("i")
        await pilot.pause(0.2)
    orders = [e.value for e in read_sheet(review_dir / "coding" / "alice.csv").events
              if e.field == "order"]
    assert orders == ["prioritised elas_u4", "import"]
