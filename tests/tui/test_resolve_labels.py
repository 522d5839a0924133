"""The resolve screen and its dialog name a choice as "Label (id)", not by its bare id."""

from __future__ import annotations

from textual.widgets import Static

from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.screens.resolve import ResolveModal, ResolveScreen

from ..review.coding_fixture import S, build_review
from .conftest import wait_for


async def test_a_choice_conflict_is_shown_and_resolved_with_its_labels(tmp_path):
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    open_coding_session(review, "alice", "coding").set_field(S(1), "source_type", "peer_reviewed")
    open_coding_session(review, "bob", "coding").set_field(S(1), "source_type", "grey_literature")
    app = make_app(root, reviewer="carol", start="resolve", stage="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveScreen)
                       and app.screen.conflicts is not None)
        screen = app.screen
        while screen.conflict.field != "field:source_type":
            await pilot.press("right")
        shown = str(screen.query_one("#resolve-study", Static).render())
        assert "alice: Peer-reviewed article (peer_reviewed)" in shown
        assert "bob: Grey literature (grey_literature)" in shown
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        chosen = str(app.screen.query_one("#resolve-chosen", Static).render())
        assert chosen == "Consensus value: Grey literature (grey_literature)"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        help_text = " ".join(str(w.render()) for w in app.screen.query(".dialog-help"))
        assert "Peer-reviewed article (peer_reviewed) | Government report (government_report)" \
            in help_text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
    assert not (root / "coding" / "consensus.csv").exists() or \
        read_sheet(root / "coding" / "consensus.csv").events == []
