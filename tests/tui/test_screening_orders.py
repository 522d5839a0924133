"""Screening orders by year, title, database and a seeded shuffle (plugged into ORDERS)."""

from __future__ import annotations

from workbench.review.ordering import ORDERS, order_mark, shuffle_seed
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.widgets.order_choice import OrderModal

from .conftest import screening_ready, wait_for


async def choose(app, pilot, name):
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, OrderModal))
    app.screen.dismiss(name)
    await wait_for(pilot, lambda: not isinstance(app.screen, OrderModal))


async def test_year_order_keeps_the_current_study_and_records_the_order(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await pilot.press("right")
        current = screen.source.id
        await choose(app, pilot, "year")
        assert screen.source.id == current
        years = [screen.session.studies[p].year for p in screen.view]
        dated = [y for y in years if y is not None]
        assert dated == sorted(dated) and years[len(dated):] == [None] * (len(years) - len(dated))
        await pilot.press("i")
        await pilot.pause()
    events = read_sheet(review_dir / "coding" / "alice.csv").events
    assert ("order", "year") in [(e.field, e.value) for e in events]


async def test_the_shuffle_is_reproducible_and_its_seed_is_in_the_sheet(review_dir):
    views = []
    for _ in range(2):
        app = make_app(review_dir, reviewer="alice", start="screening")
        async with app.run_test(size=(80, 24)) as pilot:
            await screening_ready(app, pilot)
            await choose(app, pilot, "shuffle")
            views.append(list(app.screen.view))
            if len(views) == 1:
                await pilot.press("i")
                await pilot.pause()
    assert views[0] == views[1] and sorted(views[0]) == list(range(len(views[0])))
    events = read_sheet(review_dir / "coding" / "alice.csv").events
    mark = order_mark("shuffle", "alice")
    assert mark == f"shuffle seed={shuffle_seed('alice')}"
    assert ("order", mark) in [(e.field, e.value) for e in events]
    assert {"year", "title", "database", "shuffle"} <= set(ORDERS)


async def test_screening_reopens_in_the_order_the_sheet_records(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await choose(app, pilot, "year")
        await pilot.press("i")
        await pilot.pause()
    app = make_app(review_dir, reviewer="alice", start="screening")
    said = []
    shown = app.notify

    def notify(message, *args, **kwargs):   # kept: a notice expires on a slow machine
        said.append(str(message))
        return shown(message, *args, **kwargs)

    app.notify = notify
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await wait_for(pilot, lambda: screen.order_name == "year")
        years = [screen.session.studies[p].year for p in screen.view]
        dated = [y for y in years if y is not None]
        assert dated == sorted(dated)
        unscreened = [p for p in screen.view
                      if not screen.session.decision(screen.session.studies[p].id)]
        assert screen.view[screen.index] == unscreened[0]   # the oldest study left to screen
        assert any("the order you chose last" in message for message in said)


async def test_screening_reopens_prioritised_when_the_sheet_records_it(review_dir):
    from workbench.review import Review
    from workbench.review.prioritise import mark_order
    from workbench.review.screening import open_session
    session = open_session(Review.open(review_dir), "alice")
    first = session.studies[0].id
    session.record(first, "include", [])
    mark_order(session, first, "prioritised elas_u4")
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await wait_for(pilot, lambda: app.screen.prioritised is not None)
        screen = app.screen
        assert screen.order_name == "prioritised"

        def top_shown():
            rank = screen.prioritised.queue.rank_of(screen.view[screen.index])
            return rank is not None and rank[0] == 1

        await wait_for(pilot, top_shown, timeout=60)   # once ranked: its top study
