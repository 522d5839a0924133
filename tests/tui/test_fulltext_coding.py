"""Coding from the full text: select a passage on a page of a real PDF, save it, find it again."""

from __future__ import annotations

import hashlib

import pytest

from workbench.core.evidence import passages_of
from workbench.core.events import SheetState
from workbench.review import Review
from workbench.review.fulltext import link_file
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.screens.coding import CodingScreen
from workbench.tui.widgets.text_view import Span

from ..review.coding_fixture import S, build_review, copy_review
from .conftest import wait_for

PDF = "tully2010_heart_failure_programmes"


@pytest.fixture(scope="module")
def _linked_template(tmp_path_factory):
    from tests.conftest import SHARED_DATA
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    path = build_review(tmp_path_factory.mktemp("fulltext-tui") / "review")
    link_file(Review.open(path), SHARED_DATA / "fulltext" / f"{PDF}.pdf", S(1), "carol")
    return path


@pytest.fixture
def linked_dir(_linked_template, tmp_path):
    return copy_review(_linked_template, tmp_path / "review")


async def text_ready(app, pilot):
    await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                   and app.screen.session is not None, timeout=30)
    screen = app.screen
    await wait_for(pilot, lambda: screen.fulltext.showing_text, timeout=60)
    return screen


def saved_passages(review_dir):
    state = SheetState(read_sheet(review_dir / "coding" / "carol.csv").events)
    return passages_of(state.fields("coding", S(1)))


async def test_passage_on_page_3_is_saved_and_highlighted_after_reopening(linked_dir,
                                                                          shared_data):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await text_ready(app, pilot)
        view = screen.fulltext.panel.view
        assert screen.source.id == S(1) and view.page.number == 1
        await pilot.press("colon", "3", "enter")
        await wait_for(pilot, lambda: view.page.number == 3)
        for _ in range(6):
            await pilot.press("down")
        await pilot.press("v", "down", "down", "end")
        span = view.selected_span()
        assert span is not None and span.page == 3 and span.end - span.start > 40
        code = screen._item()[1]
        await pilot.press("e")
        await pilot.pause()
        [passage] = saved_passages(linked_dir)
        page_text = view.extraction.pages[2].text
        assert (passage.kind, passage.target, passage.page) == ("code", code.id, 3)
        assert passage.quote == page_text[passage.start:passage.end]
        assert passage.quote == page_text[span.start:span.end].strip()
        sha = hashlib.sha256((shared_data / "fulltext" / f"{PDF}.pdf").read_bytes()).hexdigest()
        assert passage.sha256 == sha
        assert "1 passage (p. 3" in str(screen.query_one("#coding-hint").render())

    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await text_ready(app, pilot)
        view = screen.fulltext.panel.view
        assert Span(3, passage.start, passage.end) in view.evidence
        await pilot.press("w")  # the code under the cursor -> its passage
        await wait_for(pilot, lambda: view.page.number == 3)
        assert view.cursor_span() == Span(3, passage.start, passage.start)
        assert view.selected_span() is None  # e would not save it twice
        row, _ = view.selection.start
        assert any(name == "evidence" for *_, name in view._highlights[row])
        await pilot.press("end", "ctrl+left")  # inside the passage: c finds its code
        screen.cursor = 2
        await pilot.press("c")
        assert screen._item()[1].id == passage.target


async def test_passage_removed_and_brought_back_by_undo(linked_dir):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await text_ready(app, pilot)
        await pilot.press("down", "down", "s", "e")
        await pilot.pause()
        [passage] = saved_passages(linked_dir)
        await pilot.press("w", "z")
        await pilot.pause()
        assert saved_passages(linked_dir) == []
        await pilot.press("u")
        await pilot.pause()
        assert [p.id for p in saved_passages(linked_dir)] == [passage.id]


async def test_search_and_page_jump_in_the_text(linked_dir):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await text_ready(app, pilot)
        view = screen.fulltext.panel.view
        await pilot.press("slash", *"nurse", "enter")
        await pilot.pause()
        assert view.matches and view.current >= 0
        first = view.matches[view.current]
        await pilot.press("n")
        assert view.matches[view.current] != first
        await pilot.press("N")
        assert view.matches[view.current] == first
        assert view.page.number == first.page
        await pilot.press("escape")  # clears the search; n is "next study" again
        await pilot.press("right_square_bracket")
        assert view.page.number == min(first.page + 1, view.page_count)


async def test_a_passage_selected_with_the_mouse_is_saved(linked_dir):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await text_ready(app, pilot)
        view = screen.fulltext.panel.view
        await pilot.mouse_down(view, offset=(2, 6))
        await pilot.hover(view, offset=(30, 8))
        await pilot.mouse_up(view, offset=(30, 8))
        await pilot.pause()
        span = view.selected_span()
        assert span is not None and span.page == 1 and span.end > span.start
        await pilot.press("e")
        await pilot.pause()
        [passage] = saved_passages(linked_dir)
        assert passage.quote == view.extraction.pages[0].text[passage.start:passage.end]
        assert passage.quote.strip() and passage.page == 1


async def test_a_burst_with_the_full_text_shown_lands_and_the_arrows_stay_in_the_text(
        linked_dir):
    from .conftest import burst
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await text_ready(app, pilot)
        view = screen.fulltext.panel.view
        row = view.cursor_location[0]
        burst(app, "1 m o k enter down down j")   # code 1, a memo, text cursor, list cursor
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                       and screen.cursor == 1 and view.cursor_location[0] == row + 2)
        events = [(e.field, e.value) for e in read_sheet(linked_dir / "coding" / "carol.csv")
                  .events if e.stage == "coding" and e.study_id == S(1)]
        assert events[-2:] == [("code:platforms", "twitter"), ("memo:platforms", "ok")]
        assert "j/k move in the list, arrows in the text" in str(
            screen.query_one("#coding-hint").render())


async def test_tab_then_a_row_in_one_burst_with_the_full_text_shown(linked_dir):
    # The s6 walkthrough typed `Tab a readmission Tab 8 Enter` on the Extraction fields
    # with a PDF shown: the Tab waited in the text's queue while `a`, `e`, `m`... ran at
    # once on the old section, so no row was added and the letters opened other dialogs.
    from .conftest import burst
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await text_ready(app, pilot)
        group = next(i for i, s in enumerate(screen.sections) if s.kind == "group")
        burst(app, " ".join(["tab"] * group) + " a h i enter")
        await wait_for(pilot, lambda: any(e.field.endswith(":campaign") or e.value == "hi"
                                          for e in read_sheet(linked_dir / "coding"
                                                              / "carol.csv").events))
        await pilot.pause(0.2)
        assert app.screen is screen and screen.section == group
    values = [e.value for e in read_sheet(linked_dir / "coding" / "carol.csv").events
              if e.stage == "coding"]
    assert "hi" in values


async def test_the_status_line_names_the_file_at_80x24(linked_dir):
    # s6 walkthrough: a long file name wrapped to the status line's hidden second line,
    # which showed "p. 1/6 · " and nothing else.
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await text_ready(app, pilot)
        panel = screen.fulltext.panel
        panel.label = "datta2010_dvt_prophylaxis_review.pdf"   # the walkthrough's file
        panel.update_status()
        await pilot.pause(0.2)
        status = screen.query_one("#text-status")
        from textual.geometry import Region
        strip = status.render_lines(Region(0, 0, status.size.width, 1))[0]
        line = "".join(segment.text for segment in strip)
        assert line.strip().startswith("p. 1/6 · datta2010_dvt"), line
