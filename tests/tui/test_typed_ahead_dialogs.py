"""Keys typed in one burst after a key that opens a dialog (home `w`, resolve `1`/`2`) reach it."""

from __future__ import annotations

from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.screens.home import HomeScreen

from .conftest import burst, wait_for
from .test_resolve import TA, _template, ids_of, resolve_ready, review_dir  # noqa: F401


async def test_switch_reviewer_typed_in_one_burst(tmp_path):
    from .conftest import build_review
    root = build_review(tmp_path / "review")
    app = make_app(root, reviewer="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.stages)
        burst(app, "w c a r o l enter")
        await wait_for(pilot, lambda: app.reviewer == "carol")
        assert isinstance(app.screen, HomeScreen) and app.screen.reviewer == "carol"
    assert (root / ".workbench" / "reviewer").read_text(encoding="utf-8") == "carol\n"


async def test_resolve_reason_typed_right_after_the_pick(review_dir):  # noqa: F811
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        burst(app, "2 enter r e l e v a n t space s a m p l e enter")
        await wait_for(pilot, lambda: (review_dir / "coding" / "consensus.csv").exists())
        await wait_for(pilot, lambda: app.screen is screen)
    events = read_sheet(review_dir / "coding" / "consensus.csv").events
    assert [(e.study_id, e.field, e.value, e.note) for e in events] == [
        (ids[0], "decision", "exclude", "relevant sample"),
        (ids[0], "criteria", "E2", "relevant sample")]


async def test_enter_on_an_empty_switch_dialog_says_the_reviewer_stays(tmp_path):
    from .conftest import build_review
    root = build_review(tmp_path / "review")
    app = make_app(root, reviewer="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.stages)
        burst(app, "w ctrl+u enter")
        await wait_for(pilot, lambda: any("stays bob" in str(n.message)
                                          for n in app._notifications))
        assert app.reviewer == "bob" and isinstance(app.screen, HomeScreen)
