"""Keys held by KeyHold and replayed while the resolve dialog closes (a loaded machine).

On a loaded machine `KeyHold`'s time limit (HOLD_LIMIT) can end a hold before
the dialog has handled the Enter typed in its reason field: the keys typed
after that Enter are replayed into the reason field's queue, behind the
submission. The dialog then closes, and the field still gets them. Session 6
saw `NoMatches '#resolve-reason'` from such a replayed Enter (w6's flaky burst
test). Here the same order of events is made without any clock: the field
reads Enter and the keys after it, the hold is ended as the time limit ends
it (`_release_stale`), and only then does the app run the submission.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tests.tui.conftest import wait_for
from tests.tui.test_resolve import _template, ids_of, resolve_ready, review_dir  # noqa: F401
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.screens.resolve import ResolveModal

TA = "title_abstract"


def _key(name: str) -> events.Key:
    return events.Key(name, name if len(name) == 1 else None)


async def _typed_with_a_stale_release(app, pilot, reason: str, after: str) -> None:
    """Type `reason` in the open dialog's reason field, then Enter and `after` in one
    burst, with the hold ended by its time limit before the dialog handled the Enter."""
    await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
    field = app.screen.query_one("#resolve-reason", Input)
    field.focus()
    field.value = reason
    await pilot.pause()
    await field._on_key(_key("enter"))        # the field holds keys, its submit is queued
    for name in after.split():                # read by the field after its Enter: kept
        await field._on_key(_key(name))
    await app._release_stale(app._holds)      # the time limit, before the submit ran
    await pilot.pause()


async def test_keys_replayed_into_a_closing_dialog_go_to_the_screen_behind(review_dir):  # noqa: F811
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("1")
        await _typed_with_a_stale_release(app, pilot, "why", "2 enter t w o enter")
        await wait_for(pilot, lambda: len(read_sheet(review_dir / "coding" /
                                                     "consensus.csv").events) >= 4, timeout=20)
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause()
    events_ = read_sheet(review_dir / "coding" / "consensus.csv").events
    decisions = [(e.study_id, e.value, e.note) for e in events_ if e.field == "decision"]
    assert decisions == [(ids[0], "include", "why"), (ids[1], "include", "two")]


async def test_an_enter_replayed_into_a_closing_dialog_saves_nothing_twice(review_dir):  # noqa: F811
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("1")
        await _typed_with_a_stale_release(app, pilot, "why", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        for _ in range(5):
            await pilot.pause()
        assert app.screen is screen and app.is_running
    events_ = read_sheet(review_dir / "coding" / "consensus.csv").events
    assert [(e.study_id, e.field, e.value, e.note) for e in events_ if e.field == "decision"] \
        == [(ids[0], "decision", "include", "why")]


async def test_keys_held_while_the_dialog_opens_wait_for_it_past_the_time_limit(review_dir):  # noqa: F811
    """The time limit ends a hold whose dialog is not drawn yet (its fields not built):
    the keys must wait for the dialog, not reach it before it has a reason field."""
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        screen.action_pick(1)                     # the dialog is pushed, not yet drawn
        assert isinstance(app.screen, ResolveModal) and not app.screen.is_mounted
        for name in "enter w h y enter".split():
            await app.on_event(_key(name))        # read while the dialog opens: held
        await app._release_stale(app._holds)      # the time limit, before it is drawn
        await wait_for(pilot, lambda: len(read_sheet(review_dir / "coding" /
                                                     "consensus.csv").events) >= 2, timeout=20)
        await wait_for(pilot, lambda: app.screen is screen)
    events_ = read_sheet(review_dir / "coding" / "consensus.csv").events
    assert [(e.study_id, e.value, e.note) for e in events_ if e.field == "decision"] \
        == [(ids[0], "include", "why")]
