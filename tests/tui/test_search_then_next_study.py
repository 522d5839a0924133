"""`n` after a search in the full text: the next match while searching, the next study again
once coding work ends the search (w7 typed `n` for the next study long after a search, with
codes, fields and rows in between, and the keys after it went into the wrong places)."""

from __future__ import annotations

from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app

from ..review.coding_fixture import S
from .conftest import burst, wait_for
from .test_fulltext_coding import _linked_template, linked_dir, text_ready  # noqa: F401


def coding_events(review_dir):
    path = review_dir / "coding" / "carol.csv"
    return [(e.study_id, e.field, e.value) for e in read_sheet(path).events
            if e.stage == "coding"] if path.exists() else []


async def searched(app, pilot):
    screen = await text_ready(app, pilot)
    view = screen.fulltext.panel.view
    await pilot.press("slash", *"patients", "enter")
    await wait_for(pilot, lambda: len(view.matches) > 2)
    return screen, view


async def test_ticking_a_code_ends_the_search_and_n_is_the_next_study_again(linked_dir):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    said, notify = [], app.notify
    app.notify = lambda message, *args, **kwargs: (said.append(message),
                                                   notify(message, *args, **kwargs))
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await searched(app, pilot)
        first = view.current
        burst(app, "n 1 n 2")           # next match, tick, next study, tick there
        await wait_for(pilot, lambda: len(coding_events(linked_dir)) == 2, timeout=30)
        await pilot.pause(0.2)
        assert screen.source.id == S(3)
        assert view.matches == []
        assert any("Search ended" in m for m in said)
    assert first >= 0
    assert coding_events(linked_dir) == [(S(1), "code:platforms", "twitter"),
                                         (S(3), "code:platforms", "facebook")]


async def test_moving_in_the_list_and_quoting_a_match_keep_the_search(linked_dir):
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await searched(app, pilot)
        first = view.current
        burst(app, "j n")               # j moves the codebook cursor; n is still next match
        await wait_for(pilot, lambda: view.current == first + 1 and screen.cursor == 1,
                       timeout=30)
        await pilot.pause(0.2)
        assert screen.source.id == S(1) and len(view.matches) > 2
    assert coding_events(linked_dir) == []


async def test_a_search_typed_in_one_burst_goes_into_the_prompt(linked_dir):
    # By hand in tmux (k8): `/ patients Enter` sent at once. `/` is the text's key, read
    # in the text's queue, while the letters after it ran at once as coding keys (p copied,
    # e ticked a code for a quote, n moved the study...) before the prompt had the focus.
    app = make_app(linked_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await text_ready(app, pilot)
        view = screen.fulltext.panel.view
        burst(app, "slash p a t i e n t s enter n 1")
        await wait_for(pilot, lambda: coding_events(linked_dir) != [], timeout=30)
        await pilot.pause(0.2)
        assert screen.source.id == S(1) and app.screen is screen
        assert view.matches == []       # found, n went to the second match, 1 ended it
    assert coding_events(linked_dir) == [(S(1), "code:platforms", "twitter")]
