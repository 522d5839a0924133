"""Coding keys typed in one burst (a fast typist, tmux send-keys) land as typed.

Keys after one that opens a dialog (a field's number, m, Enter) reach that
dialog, and the keys after Enter in a text dialog reach the screen again.
Each test reads the sheet on disk.
"""

from __future__ import annotations

import pytest

from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.screens.coding import CodingScreen

from ..review.coding_fixture import EXTRA_FIELDS, S, build_review, copy_review
from .conftest import burst, wait_for


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    return build_review(tmp_path_factory.mktemp("coding-burst") / "review", EXTRA_FIELDS)


@pytest.fixture
def coding_dir(_template, tmp_path):
    return copy_review(_template, tmp_path / "review")


def rows(review_dir, name="carol"):
    path = review_dir / "coding" / f"{name}.csv"
    return [(e.study_id, e.field, e.value) for e in read_sheet(path).events
            if e.stage == "coding"] if path.exists() else []


async def ready(app, pilot):
    await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                   and app.screen.session is not None)
    return app.screen


async def test_codes_a_memo_and_next_study_in_one_burst(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        assert screen.source.id == S(1)
        burst(app, "1 j space m h i x backspace enter n 3")
        await wait_for(pilot, lambda: len(rows(coding_dir)) == 4)
        assert isinstance(app.screen, CodingScreen) and app.screen.source.id == S(3)
    assert rows(coding_dir) == [(S(1), "code:platforms", "twitter"),
                                (S(1), "code:platforms", "twitter;facebook"),
                                (S(1), "memo:platforms", "hi"),
                                (S(3), "code:platforms", "instagram")]


async def test_fields_typed_at_once_reach_their_dialogs(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        tabs = next(i for i, s in enumerate(screen.sections) if s.label == "Extraction fields")
        fields = [f.id for f in screen.session.codebook.fields]
        source, finding = fields.index("source_type") + 1, fields.index("key_finding") + 1
        burst(app, " ".join(["tab"] * tabs)
              + f" {source} 2 enter {finding} l a w enter down down")
        await wait_for(pilot, lambda: len(rows(coding_dir)) == 2)
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                       and app.screen.cursor == finding + 1)
    assert rows(coding_dir) == [(S(1), "field:source_type", "government_report"),
                                (S(1), "field:key_finding", "law")]


async def test_tab_typed_after_enter_in_the_evidence_dialog_reaches_the_screen(coding_dir):
    # The walkthrough typed `e quote Enter Tab 2 ...`: the Tab moved the focus inside the
    # closing dialog, the keys after it went to the page field, and its Enter closed the
    # coding screen as well (the home screen showed, the field typed after was lost).
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        burst(app, "e h i enter tab")
        await wait_for(pilot, lambda: len(rows(coding_dir)) == 3)
        await wait_for(pilot, lambda: screen.section == 1)
        assert app.screen is screen
    # The quote ticks its code in the same save (a quote for an unticked code is never saved alone)
    assert rows(coding_dir) == [(S(1), "code:platforms", "twitter"),
                                (S(1), "quote:twitter", "hi"), (S(1), "page:twitter", "")]


async def test_tab_between_the_evidence_fields_then_the_next_section_in_one_burst(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        tabs = next(i for i, s in enumerate(screen.sections) if s.label == "Extraction fields")
        source = [f.id for f in screen.session.codebook.fields].index("source_type") + 1
        burst(app, "e h i tab 1 2 enter" + " tab" * tabs + f" {source} 2 enter")
        await wait_for(pilot, lambda: len(rows(coding_dir)) == 4)
        await pilot.pause(0.2)
        assert app.screen is screen and screen.section == tabs
    assert rows(coding_dir) == [(S(1), "code:platforms", "twitter"),
                                (S(1), "quote:twitter", "hi"), (S(1), "page:twitter", "12"),
                                (S(1), "field:source_type", "government_report")]
