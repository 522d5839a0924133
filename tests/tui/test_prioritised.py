"""Prioritised order on the screening screen: a ranked queue, retraining that never blocks a key."""

from __future__ import annotations

import re
import threading

import pytest

from workbench.core.ranking import train_model
from workbench.review.prioritise import Prioritiser, load_features
from workbench.store.sheet import read_sheet
from workbench.tui import prioritised as prioritised_module
from workbench.tui.app import make_app
from workbench.tui.modals import CriteriaModal
from workbench.tui.screens.screening import ScreeningScreen
from workbench.tui.widgets.order_choice import OrderModal
from workbench.tui.widgets.stopping_choice import StoppingModal

from .conftest import screening_ready, wait_for


class SlowModel:
    """A trainer that blocks until released, to show that keys do not wait for it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        self.trained_on: list[int] = []

    def __call__(self, features, labelled, labels, settings):
        self.calls += 1
        self.trained_on.append(len(labelled))
        self.entered.set()
        assert self.release.wait(30), "the test never released the slow model"
        return train_model(features, labelled, labels, settings)


@pytest.fixture
def slow_model(monkeypatch):
    model = SlowModel()

    def factory(review, session, progress=None, cancel=None):
        return Prioritiser(session, load_features(review), trainer=model)

    monkeypatch.setattr(prioritised_module, "PRIORITISER_FACTORY", factory)
    yield model
    model.release.set()


def decisions(review_dir, name="alice"):
    return [(e.study_id, e.value) for e in read_sheet(review_dir / "coding" / f"{name}.csv").events
            if e.field == "decision"]


async def choose_prioritised(app, pilot) -> None:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, OrderModal))
    await pilot.press("down", "enter")
    # the first use imports scikit-learn and builds the features: slow on a loaded machine
    await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen)
                   and app.screen.prioritised is not None
                   and app.screen.prioritised.prioritiser is not None, timeout=120)


async def exclude(app, pilot) -> None:
    await pilot.press("x")
    await wait_for(pilot, lambda: isinstance(app.screen, CriteriaModal))
    await pilot.press("1", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen))


async def test_keys_never_wait_for_a_slow_retrain(review_dir, slow_model):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await exclude(app, pilot)
        # one relevant and one irrelevant decision: the (slow) model starts training
        await wait_for(pilot, slow_model.entered.is_set)
        assert screen.prioritised.busy
        before = len(decisions(review_dir))
        shown = screen.source.id
        await pilot.press("m")
        # saved and moved on while the model is still blocked in training
        assert not slow_model.release.is_set()
        assert len(decisions(review_dir)) == before + 1
        assert decisions(review_dir)[-1] == (shown, "maybe")
        assert screen.source.id != shown
        await pilot.press("i")
        assert len(decisions(review_dir)) == before + 2
        assert screen.prioritised.busy
        slow_model.release.set()
        await wait_for(pilot, lambda: not screen.prioritised.busy, timeout=60)
        # newest request wins: the decisions made while it trained are trained on next,
        # not once per decision (3 decisions was never a request's state when it was free;
        # 5 are the rankings made ahead for the study on screen)
        assert 3 not in slow_model.trained_on and 4 in slow_model.trained_on
        assert screen.prioritised.queue.ranking.trained_on == 4
        title = str(screen.query_one("#screen-title").render())
        assert re.search(r"· alice · rank \d+ of \d+ · top \d+% · model of 4 ", title)


async def test_prioritised_order_is_recorded_and_ranks_by_the_model(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await exclude(app, pilot)
        await wait_for(pilot, lambda: screen.prioritised.queue.ranking is not None
                       and screen.prioritised.queue.ranking.basis == "model", timeout=60)
        ranking = screen.prioritised.queue.ranking
        assert screen.view[screen.index] in ranking.order
        orders = [e.value for e in read_sheet(review_dir / "coding" / "alice.csv").events
                  if e.field == "order"]
        assert orders == ["prioritised elas_u4"]


async def test_home_shows_relevant_found_the_run_and_the_stopping_test(review_dir):
    from workbench.tui.screens.home import HomeScreen
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 40)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await exclude(app, pilot)
        await wait_for(pilot, lambda: screen.check_action("stopping_test", ()) is True)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StoppingModal))
        await pilot.press("d")
        await wait_for(pilot, lambda: bool(screen.prioritised.queue.sample))
        sample = list(screen.prioritised.queue.sample)
        assert screen.view[screen.index] == sample[0]
        assert "stopping sample: study 1 of" in str(screen.query_one("#screen-title").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        panel = app.screen.query_one("#home-priority")
        # the panel may first show figures read before the last decision: wait for the new ones
        await wait_for(pilot, lambda: panel.display
                       and "in 2 screened" in str(panel.render())
                       and "of a random sample" in str(panel.render()), timeout=30)
        text = str(panel.render())
        assert "1 relevant in 2 screened (prioritised); 1 irrelevant in a row" in text
        assert f"0/{len(sample)} of a random sample" in text


async def test_undo_in_prioritised_order_retrains_without_the_decision(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await exclude(app, pilot)
        await wait_for(pilot, lambda: screen.prioritised.queue.ranking is not None
                       and screen.prioritised.queue.ranking.trained_on == 2, timeout=60)
        undone = decisions(review_dir)[-1][0]
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.prioritised.queue.ranking.basis == "include terms",
                       timeout=60)
        assert screen.source.id == undone


def sample_events(review_dir, name="alice"):
    return [(e.study_id, e.value) for e in read_sheet(review_dir / "coding" / f"{name}.csv").events
            if e.field == "stopping_sample"]


async def test_stopping_test_asks_first_and_can_be_cancelled_or_withdrawn(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await exclude(app, pilot)
        await wait_for(pilot, lambda: screen.check_action("stopping_test", ()) is True)
        on_screen = screen.source.id
        # s says what will happen and draws nothing until the reviewer says yes
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StoppingModal))
        question = str(app.screen.query_one("#stopping-question").render())
        assert "drawn at random" in question and "unscreened" in question
        assert "withdraw" in question
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert sample_events(review_dir) == [] and not screen.prioritised.queue.sample
        assert screen.source.id == on_screen
        # yes: the sample is drawn, recorded and served next
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StoppingModal))
        await pilot.press("d")
        await wait_for(pilot, lambda: bool(screen.prioritised.queue.sample))
        drawn = sample_events(review_dir)
        assert drawn and all(v.startswith("test=1;") for _, v in drawn)
        # before any of it is screened, s offers to withdraw it: Esc keeps it
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StoppingModal))
        assert "Withdraw" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.prioritised.queue.sample and len(sample_events(review_dir)) == len(drawn)
        # w withdraws it: the sheet keeps the draw and records its withdrawal
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StoppingModal))
        await pilot.press("w")
        await wait_for(pilot, lambda: not screen.prioritised.queue.sample)
        events = sample_events(review_dir)
        assert events[:len(drawn)] == drawn
        assert sorted(events[len(drawn):]) == sorted((sid, "") for sid, _ in drawn)
        assert "stopping sample" not in str(screen.query_one("#screen-title").render())


async def test_a_save_from_a_shell_is_trained_on_and_never_served_again(review_dir):
    """Decisions appended to the reviewer's own sheet by another process (e.g. `workbench
    bulk`) reload the screen: the prioritised order goes on with them, in its queue and
    its model, and the study the app shows next is one still to screen."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path
    repo = Path(__file__).resolve().parents[2]
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await exclude(app, pilot)
        await wait_for(pilot, lambda: screen.prioritised.queue.ranking is not None
                       and screen.prioritised.queue.ranking.trained_on == 2, timeout=60)
        decided = {sid for sid, _ in decisions(review_dir)}
        shown = screen.source.id
        others = [s.id for s in screen.session.studies if s.id not in decided and s.id != shown]
        assert len(others) >= 2
        shell, left = others[:-1], others[-1]       # the shell decides all but one
        script = textwrap.dedent(f"""
            import sys
            from workbench.review import Review
            from workbench.review.screening import open_session
            session = open_session(Review.open(sys.argv[1]), "alice", "title_abstract")
            for study in {shell!r}:
                session.record(study, "exclude", ["E1"])
        """)
        subprocess.run([sys.executable, "-c", script, str(review_dir)], check=True, cwd=repo,
                       env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"})
        # the screen reads the sheet again and the model retrains on the shell's decisions
        trained = 2 + len(shell)
        await wait_for(pilot, lambda: screen.prioritised is not None
                       and screen.prioritised.queue.ranking is not None
                       and screen.prioritised.queue.ranking.trained_on == trained, timeout=90)
        assert screen.source.id == shown          # the study on screen stays on screen
        await pilot.press("m")
        # before the fix the old queue served a study the shell had decided, or none
        await wait_for(pilot, lambda: screen.source.id == left, timeout=30)
        await pilot.press("i")
        assert decisions(review_dir)[-2:] == [(shown, "maybe"), (left, "include")]
        await wait_for(pilot, lambda: screen.prioritised.queue.ranking.trained_on
                       == trained + 2, timeout=60)


async def test_ranked_ahead_the_next_study_follows_the_decision_just_made(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await choose_prioritised(app, pilot)
        await pilot.press("i")
        await exclude(app, pilot)
        order = screen.prioritised
        await wait_for(pilot, lambda: order.queue.ranking is not None
                       and order.queue.ranking.trained_on == 2 and not order.busy, timeout=60)
        shown = screen.view[screen.index]
        retrains = order.retrains
        # idle, the worker ranked ahead for the study on screen: deciding it installs that
        # ranking before the next study is chosen (no worker ran in between)
        await pilot.press("i")
        ranking = order.queue.ranking
        assert order.retrains == retrains + 1 and ranking.trained_on == 3
        assert shown not in ranking.order
        assert screen.view[screen.index] == ranking.order[0]
        expected = order.prioritiser.rank(order.prioritiser.snapshot())
        assert ranking.order == expected.order

        # undo: the study comes back on screen and is ranked ahead again
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.view[screen.index] == shown and not order.busy,
                       timeout=60)
        retrains = order.retrains
        await pilot.press("i")
        assert order.retrains == retrains + 1 and order.queue.ranking.trained_on == 3
        assert screen.view[screen.index] == order.queue.ranking.order[0]
