"""`s` on the screening screen once the stopping test says stop: close screening (Pilot).

Before session 8 a finished test that said stop only said "You may stop screening";
the studies left still blocked the export. Now `s` offers to close screening: `c`
(or Enter) records the studies left as not screened (stopping criterion met),
Esc records nothing.
"""

from __future__ import annotations

from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.widgets.stopping_choice import StoppingModal
from workbench.review.screening import open_session

from tests.review.test_stopping_close import N, _review, _screen_until_stop
from .conftest import screening_ready, wait_for
from .test_prioritised import choose_prioritised, exclude


def _stopped(root) -> list:
    return [e for e in read_sheet(root / "coding" / "alice.csv").events if e.field == "stopped"]


async def test_s_closes_screening_once_the_test_says_stop(tmp_path):
    root = tmp_path / "review"
    review = _review(root)
    ids = [s.id for s in open_session(review, "alice").studies]
    screened = _screen_until_stop(review, "alice", ids[:20], ids[20:30], seed=5)
    app = make_app(root, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StoppingModal))
        assert "Close screening" in str(app.screen.query_one(".dialog-title").render())
        question = str(app.screen.query_one("#stopping-question").render())
        assert f"{N - len(screened)} studies left unscreened" in question
        assert "the stopping test says stop" in question
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert _stopped(root) == []
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StoppingModal))
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen is screen and bool(_stopped(root)))
        assert {e.study_id for e in _stopped(root)} == set(ids) - screened


async def test_the_footer_shows_s_slash_and_b_and_the_title_fits_at_80x24(tmp_path):
    """s8 walkthrough: the footer never showed s, / or b; the title lost its model part."""
    from textual.widgets._footer import FooterKey
    root = tmp_path / "review"
    _review(root)
    app = make_app(root, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await exclude(app, pilot)
        await wait_for(pilot, lambda: "model of 2 decisions" in
                       str(screen.query_one("#screen-title").render()), timeout=60)
        title = screen.query_one("#screen-title")
        assert len(str(title.render()).rstrip()) <= title.region.width
        await pilot.pause()
        keys = {(k.key_display, k.description) for k in screen.query(FooterKey)
                if k.region.height}
        assert {("s", "Stop test"), ("/", "Filter"), ("b", "Bulk")} <= keys, keys
