"""Keys typed in one burst with the full text shown act in the order typed (w7 walkthrough).

With the PDF focused, `j`/`k` and `n`/`b` were declined as priority keys (the text
view has other keys on the same actions: the arrows read the text, `n` is its next
match during a search). They waited in the text's queue while the keys after them,
priority keys, ran at once: `k e` saved the passage for the code *before* the move,
and `n 1` ticked code 1 on the study being left, then showed the next one unticked.
"""

from __future__ import annotations

from workbench.core.events import SheetState
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app

from ..review.coding_fixture import S
from .conftest import burst, wait_for
from .test_fulltext_coding import _linked_template, linked_dir, text_ready  # noqa: F401


def coding_events(review_dir):
    path = review_dir / "coding" / "carol.csv"
    return [(e.study_id, e.field, e.value) for e in read_sheet(path).events
            if e.stage == "coding"] if path.exists() else []


async def test_j_then_e_saves_the_passage_for_the_code_j_moved_to(linked_dir):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await text_ready(app, pilot)
        view = screen.fulltext.panel.view
        assert screen.cursor == 0 and screen.section == 0
        await pilot.press("s")                       # the sentence at the text cursor
        await wait_for(pilot, lambda: view.selected_text.strip() != "")
        burst(app, "j e")
        await wait_for(pilot, lambda: any(f.startswith("seg:") for _, f, _ in
                                          coding_events(linked_dir)))
        await pilot.pause(0.2)
        assert screen.cursor == 1
    state = SheetState(read_sheet(linked_dir / "coding" / "carol.csv").events)
    targets = [e.value for f, e in state.fields("coding", S(1)).items()
               if f.startswith("seg:") and f.count(":") == 1]
    assert targets == ["code:facebook"]              # the second code; twitter before


async def test_n_then_a_number_codes_the_next_study(linked_dir):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await text_ready(app, pilot)
        assert screen.source.id == S(1) and screen.section == 0
        burst(app, "n 1")
        await wait_for(pilot, lambda: coding_events(linked_dir) != [])
        await pilot.pause(0.2)
        assert screen.source.id == S(3)
    assert coding_events(linked_dir) == [(S(3), "code:platforms", "twitter")]


async def test_n_during_a_search_is_still_the_texts_next_match(linked_dir):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await text_ready(app, pilot)
        view = screen.fulltext.panel.view
        await pilot.press("slash", *"patients", "enter")
        await wait_for(pilot, lambda: len(view.matches) > 1)
        burst(app, "n 1")
        await wait_for(pilot, lambda: coding_events(linked_dir) != [])
        await pilot.pause(0.2)
        # n went to the next match, so the code stays on this study; ticking it ended the
        # search (k8: n is the next study again, tests/tui/test_search_then_next_study.py)
        assert screen.source.id == S(1) and view.matches == []
    assert coding_events(linked_dir) == [(S(1), "code:platforms", "twitter")]
