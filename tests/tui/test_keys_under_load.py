"""Keys typed while a screen is still loading, or a dialog still opening, land as typed.

Under load (w7: load ~14, the app took ~8 s to start) the keys typed while the
coding screen read the review were lost, and the rest of the burst acted on
whichever study was shown once it had loaded (`n` inside a typed word moved the
study). Each test makes the loading (or the dialog's focus) slow on purpose with
a gate the test opens itself (never a timed assertion) and reads the sheet on disk.
"""

from __future__ import annotations

import threading

import pytest

from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.screens import coding as coding_module
from workbench.tui.screens import screening as screening_module
from workbench.tui.screens.coding import CodingScreen
from workbench.tui.screens.home import HomeScreen
from workbench.tui.screens.screening import ScreeningScreen

from ..review.coding_fixture import S, build_review, copy_review
from .conftest import burst, wait_for

STUDY = "Sda3dfc03-{:04d}"


@pytest.fixture(scope="module")
def _coding_template(tmp_path_factory):
    return build_review(tmp_path_factory.mktemp("keys-under-load") / "review")


@pytest.fixture
def coding_dir(_coding_template, tmp_path):
    return copy_review(_coding_template, tmp_path / "review")


def rows(review_dir, name="carol"):
    path = review_dir / "coding" / f"{name}.csv"
    return [(e.study_id, e.field, e.value) for e in read_sheet(path).events
            if e.stage == "coding"] if path.exists() else []


def notices(app):
    """Record what the app says in notifications (they expire; the record does not)."""
    said, notify = [], app.notify
    app.notify = lambda message, *args, **kwargs: (said.append(message),
                                                   notify(message, *args, **kwargs))
    return said


def gated(monkeypatch, module, name):
    """Make `module.name` (the screen's loader) wait for the returned gate, as on a
    machine so loaded that reading the review takes as long as the test wants."""
    gate, started = threading.Event(), threading.Event()
    real = getattr(module, name)

    def slow(*args, **kwargs):
        started.set()
        if not gate.wait(60):
            raise AssertionError("the test never opened the gate")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)
    return gate, started


async def test_keys_typed_while_the_coding_screen_loads_code_the_studies_they_were_typed_for(
        coding_dir, monkeypatch):
    gate, started = gated(monkeypatch, coding_module, "open_coding_session")
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, started.is_set)
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.session is None
        burst(app, "1 n 2")             # typed while it loads: twitter here, facebook on the next
        await pilot.pause(0.1)
        assert rows(coding_dir) == []   # nothing acts before the study is shown
        gate.set()
        await wait_for(pilot, lambda: len(rows(coding_dir)) == 2, timeout=30)
        await pilot.pause(0.1)
        assert app.screen is screen and screen.source.id == S(3)
    assert rows(coding_dir) == [(S(1), "code:platforms", "twitter"),
                                (S(3), "code:platforms", "facebook")]


async def test_the_rest_of_a_burst_after_loading_is_not_moved_to_another_study(
        coding_dir, monkeypatch):
    # w7: part of the burst came while loading (lost), the rest after it, so the `2` typed
    # for the next study ticked a code on the first one.
    gate, started = gated(monkeypatch, coding_module, "open_coding_session")
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, started.is_set)
        burst(app, "1 n")
        await pilot.pause(0.1)
        gate.set()
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                       and app.screen.session is not None, timeout=30)
        burst(app, "2")
        await wait_for(pilot, lambda: len(rows(coding_dir)) == 2, timeout=30)
        await pilot.pause(0.1)
    assert rows(coding_dir) == [(S(1), "code:platforms", "twitter"),
                                (S(3), "code:platforms", "facebook")]


async def test_esc_while_loading_leaves_at_once_and_the_keys_typed_before_it_are_dropped(
        coding_dir, monkeypatch):
    gate, started = gated(monkeypatch, coding_module, "open_coding_session")
    app = make_app(coding_dir, reviewer="carol", start="coding")
    said = notices(app)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, started.is_set)
            screen = app.screen
            burst(app, "1 2 escape")
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
            assert screen.cancel.is_set()     # the load is cancelled, not waited for
            gate.set()
            await pilot.pause(0.3)
            assert isinstance(app.screen, HomeScreen)
            assert any("2 keys typed while the coding screen was loading not used" in m
                       for m in said)
    finally:
        gate.set()
    assert rows(coding_dir) == []


async def test_keys_held_for_a_screen_whose_loading_failed_reach_no_other_screen(
        coding_dir, monkeypatch):
    gate, started = threading.Event(), threading.Event()

    def broken(*args, **kwargs):
        started.set()
        gate.wait(60)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(coding_module, "open_coding_session", broken)
    app = make_app(coding_dir, reviewer="carol", start="coding")
    said = notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, started.is_set)
        screen = app.screen
        burst(app, "1 n 2")
        await pilot.pause(0.1)
        gate.set()
        await wait_for(pilot, lambda: screen.load_state() == "failed", timeout=30)
        # the hold ends (its time limit applies again: nothing is loading any more) and
        # the keys are dropped with a notice, not handed on
        await wait_for(pilot, lambda: app._held is None, timeout=30)
        assert any("3 keys typed while the coding screen was loading not used: it did not "
                   "load" in m for m in said)
        # the error is shown (it stayed at "Loading..." before), and no held key closed it
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ErrorModal", timeout=30)
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "ErrorModal"
        assert "disk on fire" in " ".join(str(w.render()) for w in app.screen.query("Static"))
    assert rows(coding_dir) == []


async def test_decisions_typed_while_the_screening_screen_loads_land_study_by_study(
        review_dir, monkeypatch):
    gate, started = gated(monkeypatch, screening_module, "open_session")
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, started.is_set)
        burst(app, "i x 1 enter i")
        await pilot.pause(0.1)
        gate.set()
        path = review_dir / "coding" / "alice.csv"
        await wait_for(pilot, lambda: path.exists() and len(read_sheet(path).events) == 4,
                       timeout=30)
        await pilot.pause(0.1)
        assert isinstance(app.screen, ScreeningScreen)
    assert [(e.study_id, e.field, e.value) for e in read_sheet(path).events] == [
        (STUDY.format(1), "decision", "include"),
        (STUDY.format(2), "decision", "exclude"), (STUDY.format(2), "criteria", "E1"),
        (STUDY.format(3), "decision", "include")]


async def test_an_enter_typed_before_the_app_took_the_terminal_is_an_enter(
        coding_dir, monkeypatch):
    # By hand in tmux under load (k8): `1 m hello Enter n 2` sent as the app started. The
    # terminal was still in cooked mode, which turns Return into a newline: the app read
    # ctrl+j, the memo dialog ignored it and `n2` went into the memo.
    gate, started = gated(monkeypatch, coding_module, "open_coding_session")
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, started.is_set)
        burst(app, "1 m h i ctrl+j n 2")
        await pilot.pause(0.1)
        gate.set()
        await wait_for(pilot, lambda: len(rows(coding_dir)) == 3, timeout=30)
        await pilot.pause(0.1)
        assert isinstance(app.screen, CodingScreen)
    assert rows(coding_dir) == [(S(1), "code:platforms", "twitter"),
                                (S(1), "memo:platforms", "hi"),
                                (S(3), "code:platforms", "facebook")]
