"""ResolveScreen: keys pick or enter the consensus value, saved at once with reason, resolver, time."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.tui.conftest import burst, shown_text, wait_for
from workbench.review import Review
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import parse_time, read_sheet
from workbench.tui.app import make_app
from workbench.tui.modals import ErrorModal
from workbench.tui.screens.resolve import ResolveModal, ResolveScreen

DATA = Path(__file__).resolve().parents[1] / "data" / "agreement"
TA = "title_abstract"


def build_conflicts(root: Path) -> list[str]:
    """A review where alice and bob disagree on studies 1 and 2 and agree on 3; returns ids."""
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "codebook.yaml", root / "codebook.yaml")
    review = Review.open(root)
    review.import_references([DATA / "search.ris"], database="Scopus")
    ids = [s.id for s in review.studies()]
    codebook = review.codebook()
    plan = {"alice": [("include", [], "fits I1"), ("exclude", ["E1"], None), ("exclude", ["E2"], None)],
            "bob": [("exclude", ["E2"], "2008 per the record"), ("include", [], None),
                    ("exclude", ["E2"], None)]}
    for reviewer, decisions in plan.items():
        sheet = Sheet.open(root / "coding" / f"{reviewer}.csv", reviewer, codebook.version)
        for study, (decision, criteria, note) in zip(ids, decisions):
            sheet.record_screening(codebook, TA, study, decision, criteria, note)
    return ids


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("resolve") / "review"
    build_conflicts(root)
    return root


@pytest.fixture
def review_dir(_template, tmp_path) -> Path:
    shutil.copytree(_template, tmp_path / "review")
    return tmp_path / "review"


def ids_of(review_dir: Path) -> list[str]:
    return [s.id for s in Review.open(review_dir).studies()]


async def resolve_ready(app, pilot) -> ResolveScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, ResolveScreen)
                   and app.screen.conflicts is not None)
    return app.screen


async def answer(app, pilot, reason: str, value: str | None = None) -> None:
    """Fill the ResolveModal (value when entering one) and press Enter in the reason field."""
    await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
    if value is not None:
        app.screen.query_one("#resolve-value", Input).value = value
    reason_input = app.screen.query_one("#resolve-reason", Input)
    reason_input.value = reason
    reason_input.focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_pick_a_coders_value_saves_consensus_and_shows_the_next_conflict(review_dir):
    ids = ids_of(review_dir)
    before = datetime.now(timezone.utc)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        assert [(c.study_id, c.field) for c in screen.conflicts] == [(ids[0], "decision"),
                                                                     (ids[1], "decision")]
        shown = screen.query_one("#resolve-values").render()
        assert screen.conflict.notes == {"alice": "fits I1", "bob": "2008 per the record"}
        assert shown is not None
        await pilot.press("2")  # bob's value: exclude
        await answer(app, pilot, "published in 2008, outside the window")
        assert isinstance(app.screen, ResolveScreen)
        events = read_sheet(review_dir / "coding" / "consensus.csv").events
        assert [(e.study_id, e.field, e.value) for e in events] == [
            (ids[0], "decision", "exclude"), (ids[0], "criteria", "E2")]
        for event in events:
            assert event.reviewer == "carol"
            assert event.note == "published in 2008, outside the window"
            assert before <= parse_time(event.time) <= datetime.now(timezone.utc)
        # the resolved conflict is gone; the next one is on screen
        assert [c.study_id for c in screen.conflicts] == [ids[1]]
        assert screen.conflict.study_id == ids[1]
        assert "conflict 1 of 1" in str(screen.query_one("#screen-title").render())


async def test_enter_a_value_then_none_left(review_dir):
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("right")
        assert screen.conflict.study_id == ids[1]
        await pilot.press("e")
        await answer(app, pilot, "both partly right", value="maybe")
        events = read_sheet(review_dir / "coding" / "consensus.csv").events
        assert (events[0].study_id, events[0].value, events[0].note) == (
            ids[1], "maybe", "both partly right")
        assert screen.conflict.study_id == ids[0]
        await pilot.press("1")
        await answer(app, pilot, "fits I1 after all")
        assert screen.conflicts == [] and screen.conflict is None
        assert "No conflicts left" in str(screen.query_one("#resolve-study").render())
    assert len(read_sheet(review_dir / "coding" / "consensus.csv").events) == 4


async def test_no_reason_or_a_bad_value_saves_nothing_and_keeps_the_conflict(review_dir):
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    consensus = review_dir / "coding" / "consensus.csv"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        first = screen.conflict
        await pilot.press("1")
        await answer(app, pilot, "   ")
        assert isinstance(app.screen, ResolveModal)  # still asking
        assert "Give a reason" in str(app.screen.query_one("#resolve-error").render())
        await pilot.press("escape")
        await pilot.press("e")
        await answer(app, pilot, "typo", value="inclde")
        # refused inline: the dialog stays open with what was typed, the problem under it
        assert isinstance(app.screen, ResolveModal)
        assert not any(isinstance(s, ErrorModal) for s in app.screen_stack)
        assert "unknown decision 'inclde'" in str(app.screen.query_one("#resolve-error").render())
        assert "unknown decision 'inclde'" in str(
            app.screen.query_one("#resolve-value-error").render())  # already while typing
        assert app.screen.query_one("#resolve-reason", Input).value == "typo"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.conflict == first
        await pilot.press("9")  # only two coders
        await pilot.pause()
        assert app.screen is screen
    assert not consensus.exists() or read_sheet(consensus).events == []


async def test_each_coders_criteria_are_shown_and_chosen_when_resolving_to_exclude(review_dir):
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("right")  # study 2: alice exclude (E1), bob include
        text = shown_text(screen.query_one("#resolve-study").content)
        assert "1  alice: exclude\n    criteria: Not about social media (E1)\n" in text
        assert "2  bob: include\n    criteria: -\n" in text
        await pilot.press("1")  # alice's exclude: her criteria are offered, and can be changed
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        dialog = app.screen
        box = dialog.query_one("#resolve-criteria", Input)
        assert box.value == "E1"
        box.value = "E1; E9"
        await pilot.pause()
        assert "unknown criterion E9" in str(dialog.query_one("#resolve-criteria-error").render())
        box.value = "E1; E2"
        reason = dialog.query_one("#resolve-reason", Input)
        reason.value = "not about social media, and old"
        reason.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        events = read_sheet(review_dir / "coding" / "consensus.csv").events
        assert [(e.study_id, e.field, e.value) for e in events] == [
            (ids[1], "decision", "exclude"), (ids[1], "criteria", "E1;E2")]


async def test_keys_typed_fast_after_tab_and_enter_reach_the_right_field(review_dir):
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        burst(app, "m a y b e enter tab b o t h space u n s u r e enter")
        await wait_for(pilot, lambda: app.screen is screen)
        events = read_sheet(review_dir / "coding" / "consensus.csv").events
        assert [(e.study_id, e.field, e.value, e.note) for e in events][:1] == [
            (ids[0], "decision", "maybe", "both unsure")]


async def test_the_dialog_opens_on_its_first_field(review_dir):
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        assert app.screen.focused.id == "resolve-value"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        # a picked decision: the reason first (s8 walkthrough: the reason typed right after
        # `2` replaced the prefilled criteria); its criteria are one Shift+Tab back
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        assert app.screen.focused.id == "resolve-reason"
        await pilot.press("shift+tab")
        assert app.screen.focused.id == "resolve-criteria"


async def test_a_reason_typed_right_after_picking_a_value_keeps_the_coders_criteria(review_dir):
    """s8 walkthrough: `2` then the reason typed at once replaced the prefilled criteria."""
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("2")  # bob's exclude, criteria E2 prefilled
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        burst(app, "o l d space r e c o r d enter")
        await wait_for(pilot, lambda: app.screen is screen, timeout=20)
    events = read_sheet(review_dir / "coding" / "consensus.csv").events
    assert [(e.study_id, e.field, e.value, e.note) for e in events] == [
        (ids[0], "decision", "exclude", "old record"), (ids[0], "criteria", "E2", "old record")]


async def test_two_conflicts_resolved_in_one_burst_each_with_its_own_reason(review_dir):
    """Walkthrough check: keys after the reason's Enter went into the reason, then the app
    saved the first conflict twice and stopped (ValueError)."""
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        burst(app, "1 enter w h y enter 2 enter t w o enter")
        await wait_for(pilot, lambda: len(read_sheet(review_dir / "coding" /
                                                     "consensus.csv").events) >= 4, timeout=20)
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause()
    events = read_sheet(review_dir / "coding" / "consensus.csv").events
    decisions = [(e.study_id, e.value, e.note) for e in events if e.field == "decision"]
    assert decisions == [(ids[0], "include", "why"), (ids[1], "include", "two")]


async def test_criteria_typed_fast_after_an_edited_value_are_the_ones_saved(review_dir):
    """Walkthrough check: the coders' criteria overwrote E1 typed right after the value."""
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        burst(app, "e x c l u d e tab E 1 tab b u r s t enter")
        await wait_for(pilot, lambda: app.screen is screen, timeout=20)
    events = read_sheet(review_dir / "coding" / "consensus.csv").events
    assert [(e.study_id, e.field, e.value) for e in events] == [
        (ids[0], "decision", "exclude"), (ids[0], "criteria", "E1")]


async def test_an_empty_criteria_box_records_the_coders_criteria_of_that_decision(review_dir):
    ids = ids_of(review_dir)
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resolve_ready(app, pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        burst(app, "e x c l u d e tab tab b o b s enter")
        await wait_for(pilot, lambda: app.screen is screen, timeout=20)
    events = read_sheet(review_dir / "coding" / "consensus.csv").events
    assert [(e.field, e.value) for e in events] == [("decision", "exclude"), ("criteria", "E2")]


async def test_the_criteria_placeholder_names_a_criterion_of_the_stage(review_dir):
    # s6 walkthrough: the box suggested "e.g. E2" at a stage that offers only I1 and E1.
    app = make_app(review_dir, reviewer="carol", start="resolve", stage=TA)
    async with app.run_test(size=(80, 24)) as pilot:
        await resolve_ready(app, pilot)
        await pilot.press("1")       # alice's include: no criteria of the coders to show
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveModal))
        box = app.screen.query_one("#resolve-criteria", Input)
        assert box.value == "" and box.placeholder == "e.g. E1"
