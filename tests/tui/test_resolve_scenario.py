"""The issue #11 scenario resolved from the keyboard: the resolve screen (Pilot) puts every
value and every agreed row into coded_dataset.csv and the group CSV."""

from __future__ import annotations


import pandas as pd
import pytest
from textual.widgets import Input

from tests.review.coding_fixture import S
from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from tests.tui.conftest import shown_text, wait_for
from workbench.review import Review
from workbench.review.conflicts import list_conflicts
from workbench.review.exporting import write_exports
from workbench.tui.app import make_app
from workbench.tui.screens.home import HomeScreen
from workbench.tui.screens.resolve import ConfirmModal, ResolveModal, ResolveScreen


async def ready(app, pilot) -> ResolveScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, ResolveScreen)
                   and app.screen.conflicts is not None)
    return app.screen


async def take_first_coder(app, pilot, screen, reason="as the coder entered it"):
    await pilot.press("1")
    await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
    box = app.screen.query_one("#resolve-reason", Input)
    box.value = reason
    box.focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is screen)


@pytest.mark.slow
async def test_every_conflict_resolved_in_the_screen_reaches_the_dataset(root, tmp_path):
    from workbench.review.fulltext import link_file
    paper = tmp_path / "khan2019.txt"
    paper.write_text("Full text of the Khan and Ali study.", encoding="utf-8")
    link_file(Review.open(root), paper, S(1), "alice")
    app = make_app(root, reviewer="carol", start="resolve")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        total = len(screen.conflicts)
        assert total >= 7
        # A one-sided group row: alice's whole row is shown, never cut at 80 columns.
        while "row:campaign:#ClimateActionPK" not in screen.conflict.field:
            await pilot.press("right")
        text = shown_text(screen.query_one("#resolve-study").content)
        flat = " ".join(text.split())
        assert ("name=#ClimateActionPK, platform=Facebook (facebook); Instagram (instagram), "
                "engagement_rate=3.8") in flat   # choices shown "Label (id)"
        assert "(no row: drop it)" in text
        record = shown_text(screen.query_one("#resolve-record").content)
        assert "Khan, Ayesha" in record and "social media activism shaped" in record
        assert "Full text: " in record and "fulltext/" in record
        await pilot.press("left", "left", "left", "left", "left", "left", "left", "left")
        taken = 0
        while screen.conflicts:
            await take_first_coder(app, pilot, screen)
            taken += 1
        # Taking a merged study's decision settles the other reviewer's merge conflict too.
        assert taken < total and screen.resolved == total
    review = Review.open(root)
    assert list_conflicts(review) == []
    summary = write_exports(review, charts=False, require_agreed=True)
    assert summary.not_agreed == ()
    data = pd.read_csv(root / "exports" / "coded_dataset.csv", dtype=str,
                       keep_default_na=False).set_index("study_id")
    assert data.loc[S(1), "software"] == "R (rpart), own code"
    assert data.loc[S(1), "validated"] == "0"
    rows = pd.read_csv(root / "exports" / "campaigns.csv", dtype=str, keep_default_na=False)
    assert rows[["study_id", "name", "hashtag_reach"]].values.tolist() == [
        [S(1), "#MeTooPakistan", "5.2"], [S(1), "#ClimateActionPK", ""],
        [S(3), "#MeTooPakistan", "5.2"]]


async def test_a_mistyped_value_gets_a_did_you_mean_and_a_party_is_asked(root):
    app = make_app(root, reviewer="alice", start="resolve", stage="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        while screen.conflict.field != "field:validated":
            await pilot.press("right")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "alice took part" in shown_text(app.screen.query_one("#confirm-question").content)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        dialog = app.screen
        dialog.query_one("#resolve-value", Input).value = "nope"
        box = dialog.query_one("#resolve-reason", Input)
        box.value = "typo"
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "not yes/no" in str(dialog.query_one("#resolve-error").render())
        await pilot.press("escape")
        while screen.conflict.field != "row:campaign:#MeTooPakistan:name":
            await pilot.press("right")
        await pilot.press("e", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        assert app.screen.hint == "text"


async def test_the_home_screen_switches_reviewer_and_counts_every_kind_of_conflict(root):
    app = make_app(root, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen)
                       and "Conflicts to resolve" in shown_text(
                           app.screen.query_one("#home-waiting").content))
        waiting = shown_text(app.screen.query_one("#home-waiting").content)
        assert "merge" in waiting and "row" in waiting and "criteria" in waiting
        await pilot.press("w")
        await wait_for(pilot, lambda: not isinstance(app.screen, HomeScreen))
        name = app.screen.query_one("#name", Input)
        name.value = "carol"
        name.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.reviewer == "carol" and "reviewer carol" in str(
            app.screen.query_one("#home-title").render())
        await pilot.press("r")
        screen = await ready(app, pilot)
        assert screen.reviewer == "carol"


async def test_the_saved_notice_shows_the_value_as_saved_not_as_typed(root):
    # s6 walkthrough: "Report" typed for a choice was saved as "report", and the notice
    # said "= Report".
    app = make_app(root, reviewer="carol", start="resolve", stage="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        while screen.conflict.field != "field:validated":
            await pilot.press("right")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, (ResolveModal, ConfirmModal)))
        if isinstance(app.screen, ConfirmModal):
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        dialog = app.screen
        dialog.query_one("#resolve-value", Input).value = "TRUE"
        box = dialog.query_one("#resolve-reason", Input)
        box.value = "checked"
        box.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        saved = [n.message for n in app._notifications if n.message.startswith("Saved")]
    from workbench.store.sheet import read_sheet
    [event] = [e for e in read_sheet(root / "coding" / "consensus.csv").events
               if e.field == "field:validated"]
    assert event.value == "true"
    assert saved and saved[-1].endswith("field:validated = true"), saved
