"""Bulk decisions from the screening screen (b): preview, confirm, noted events, one undo.

Keys are queued in bursts as a fast typist types them (see conftest.burst);
each test reads the sheet on disk.
"""

from __future__ import annotations

from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.bulk_modal import BulkModal
from workbench.tui.screens.screening import ScreeningScreen

from .conftest import burst, screening_ready, wait_for

S = "Sda3dfc03-{:04d}".format
# years of the six studies: 2019, 2015, 2021, 2006, 2018, 2020


def events(review_dir, name="alice"):
    path = review_dir / "coding" / f"{name}.csv"
    return read_sheet(path).events if path.exists() else []


async def filtered(app, pilot, years: str) -> None:
    burst(app, "slash tab tab " + " ".join("minus" if c == "-" else c for c in years)
          + " enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen)
                   and not app.screen.filter.is_empty())


async def test_b_excludes_every_study_the_filter_shows_after_a_preview(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        burst(app, "i")                                     # S1 (2019) included by hand
        await wait_for(pilot, lambda: len(events(review_dir)) == 1)
        await filtered(app, pilot, "-2019")
        burst(app, "b")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkModal))
        modal = app.screen
        assert [s.id for s in modal.studies] == [S(2), S(4), S(5)] and modal.kept == 1
        listed = str(modal.query_one("#bulk-studies").render())
        assert "2006" in listed and "Effects of a drug in mice" in listed
        burst(app, "x 2 enter")
        await wait_for(pilot, lambda: modal.planned is not None)
        assert len(events(review_dir)) == 1                 # nothing saved before y
        assert "exclude (E2) 3 studies; 1 already decided is kept" in str(
            modal.query_one("#bulk-hint").render())
        burst(app, "y")
        await wait_for(pilot, lambda: len(events(review_dir)) == 7)
    bulk = events(review_dir)[1:]
    assert [(e.study_id, e.field, e.value) for e in bulk] == [
        (S(2), "decision", "exclude"), (S(2), "criteria", "E2"),
        (S(4), "decision", "exclude"), (S(4), "criteria", "E2"),
        (S(5), "decision", "exclude"), (S(5), "criteria", "E2")]
    assert {e.note for e in bulk} == {"bulk: filter years up to 2019 (3 studies)"}
    assert events(review_dir)[0].value == "include"


async def test_one_u_takes_the_whole_bulk_back(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await filtered(app, pilot, "2000-2030")
        burst(app, "b m enter y u")                          # typed at once
        await wait_for(pilot, lambda: len(events(review_dir)) == 12)
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        assert all(not screen.session.decision(S(n)) for n in range(1, 7))
        assert not screen.session.can_undo()
    values = [(e.study_id, e.value) for e in events(review_dir)]
    assert values[:6] == [(S(n), "maybe") for n in range(1, 7)]
    assert values[6:] == [(S(n), "") for n in range(1, 7)]


async def test_bulk_refuses_without_a_filter_and_keeps_the_stage_rules(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        burst(app, "b")                                      # no filter: a notice, no dialog
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        await filtered(app, pilot, "-2016")
        burst(app, "b x enter")                              # E-less exclusion is allowed
        await wait_for(pilot, lambda: isinstance(app.screen, BulkModal)
                       and app.screen.planned is not None)
        burst(app, "escape escape")                          # back, then cancel
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen))
    assert events(review_dir) == []


async def test_filter_and_bulk_typed_in_one_burst(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        burst(app, "slash tab tab minus 2 0 1 6 enter b x 2 enter y")
        await wait_for(pilot, lambda: len(events(review_dir)) == 4)
        assert isinstance(app.screen, ScreeningScreen)
    assert [(e.study_id, e.value) for e in events(review_dir)] == [
        (S(2), "exclude"), (S(2), "E2"), (S(4), "exclude"), (S(4), "E2")]
