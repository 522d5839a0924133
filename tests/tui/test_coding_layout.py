"""The coding screen at 80x24 and 100 columns: every key visible, a readable study pane,
placeholders from the codebook, and each new study starting at the first dimension."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from workbench.tui.app import make_app
from workbench.tui.coding_modals import RowModal, TextModal
from workbench.tui.screens.coding import CodingScreen

from ..review.coding_fixture import S, build_review, copy_review
from .conftest import burst, wait_for


@pytest.fixture(scope="session")
def _layout_template(tmp_path_factory):
    return build_review(tmp_path_factory.mktemp("coding-layout") / "review")


@pytest.fixture
def coding_dir(_layout_template, tmp_path):
    return copy_review(_layout_template, tmp_path / "review")


async def ready(app, pilot):
    await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                   and app.screen.session is not None)
    return app.screen


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_footer_key_and_a_wide_study_pane(coding_dir, size):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=size) as pilot:
        screen = await ready(app, pilot)
        await pilot.pause()
        keys = list(screen.query(FooterKey))
        shown = {k.description for k in keys}
        assert {"Keys", "Home", "Next", "Flag", "Memo"} <= shown, shown
        width, height = size
        for key in keys:
            region = key.region
            assert region.width and region.right <= width and region.bottom <= height, \
                (key.description, region)
        assert screen.query_one("#coding-left").region.width >= 38


async def test_next_study_starts_at_the_first_dimension(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("tab", "tab", "tab", "j", "n")
        await wait_for(pilot, lambda: screen.source.id == S(3))
        assert (screen.section, screen.cursor) == (0, 0)


async def test_placeholders_come_from_the_codebook_or_stay_neutral(coding_dir):
    path = coding_dir / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  - id: platforms\n" in text
    path.write_text(text.replace("  - id: platforms\n", "  - id: platforms\n"
                                 "    memo_hint: which platform carried the campaign\n", 1),
                    encoding="utf-8")
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        burst(app, "m")
        dialog = await _modal(app, pilot, TextModal)
        assert dialog.query_one(Input).placeholder == "which platform carried the campaign"
        await pilot.press("escape", "tab", "m")
        await wait_for(pilot, lambda: isinstance(app.screen, TextModal) and app.screen is not dialog)
        placeholder = app.screen.query_one(Input).placeholder
        assert placeholder and "barrier" not in placeholder
        await pilot.press("escape", "f")
        await wait_for(pilot, lambda: isinstance(app.screen, TextModal)
                       and app.screen.title_text.startswith("Flag"))
        assert "policy change" not in app.screen.query_one(Input).placeholder


async def test_row_dialog_fields_say_what_they_take(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        while screen.sections[screen.section].kind != "group":
            await pilot.press("tab")
        await pilot.press("a")
        dialog = await _modal(app, pilot, RowModal)
        inputs = list(dialog.query(Input))
        assert inputs and all(i.placeholder for i in inputs)
        assert all(i.styles.border_left[0] for i in inputs)


async def _modal(app, pilot, kind):
    await wait_for(pilot, lambda: isinstance(app.screen, kind))
    return app.screen
