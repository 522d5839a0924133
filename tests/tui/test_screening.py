"""Screening by keys: every decision is on disk before the next study appears."""

from __future__ import annotations

import os

from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.modals import CriteriaModal, ErrorModal, FilterModal
from workbench.tui.screens.screening import ScreeningScreen

from .conftest import burst, screening_ready, wait_for

STUDY = "Sda3dfc03-{:04d}"


def rows(review_dir, name="alice"):
    """The sheet as (study, stage, field, value) tuples, in file order."""
    return [(e.study_id, e.stage, e.field, e.value)
            for e in read_sheet(review_dir / "coding" / f"{name}.csv").events]


async def test_include_is_saved_before_next_source(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        first = app.screen.source.id
        await pilot.press("i")
        assert rows(review_dir)[-1] == (first, "title_abstract", "decision", "include")
        assert app.screen.source.id != first


async def test_screen_several_studies_by_keys(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("i", "m")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, CriteriaModal))
        await pilot.press("1", "2", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        assert app.screen.source.id == STUDY.format(4)
    lines = (review_dir / "coding" / "alice.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time,reviewer,study_id,stage,field,value,note,codebook_version,check"
    assert rows(review_dir) == [
        (STUDY.format(1), "title_abstract", "decision", "include"),
        (STUDY.format(2), "title_abstract", "decision", "maybe"),
        (STUDY.format(3), "title_abstract", "decision", "exclude"),
        (STUDY.format(3), "title_abstract", "criteria", "E1;E2"),
    ]
    assert all(",alice," in line for line in lines[1:])


async def test_undo_restores_the_previous_state_and_shows_the_study(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("i", "m", "u")
        screen = app.screen
        assert screen.source.id == STUDY.format(2)
        assert screen.session.decision(STUDY.format(2)) == ""
        assert screen.session.decision(STUDY.format(1)) == "include"
        await pilot.press("u")
        assert screen.source.id == STUDY.format(1)
        assert screen.session.decision(STUDY.format(1)) == ""
    assert [r[3] for r in rows(review_dir)] == ["include", "maybe", "", ""]
    assert rows(review_dir)[2][0] == STUDY.format(2)


async def test_full_text_exclusion_needs_a_criterion(review_dir):
    _screen_title_abstract(review_dir, {1: "include", 2: "exclude", 3: "maybe", 5: "include"})
    app = make_app(review_dir, reviewer="alice", start="screening", stage="full_text")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        assert [s.id for s in screen.session.studies] == [STUDY.format(n) for n in (1, 3, 5)]
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, CriteriaModal))
        assert [c.id for c in app.screen.criteria] == ["E1", "E2", "E3"]
        await pilot.press("enter")          # no criterion chosen: refused, modal stays
        assert isinstance(app.screen, CriteriaModal)
        await pilot.press("3", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("r")              # full text not retrieved
        assert screen.source.id == STUDY.format(5)
    full = [r for r in rows(review_dir) if r[1] == "full_text"]
    assert full == [(STUDY.format(1), "full_text", "decision", "exclude"),
                    (STUDY.format(1), "full_text", "criteria", "E3"),
                    (STUDY.format(3), "full_text", "decision", "not_retrieved")]


async def test_not_retrieved_is_only_offered_at_full_text(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("r")
        assert not rows(review_dir)


async def test_reopening_resumes_at_the_first_unscreened_study(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("i", "m", "right", "i")   # 1, 2 decided; 3 skipped; 4 decided
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        assert app.screen.source.id == STUDY.format(3)
        assert app.screen.session.decision(STUDY.format(4)) == "include"
        await pilot.press("i", "g")                   # 5 is the next unscreened
        assert app.screen.source.id == STUDY.format(5)


async def test_filter_by_text_decision_and_year(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 40)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await pilot.press("i")
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        app.screen.query_one("#text").value = "activists"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert [screen.session.studies[i].id for i in screen.view] == \
            [STUDY.format(5), STUDY.format(6)]
        assert screen.source.id == STUDY.format(5)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        modal = app.screen
        modal.query_one("#text").value = ""
        modal.query_one("#decision").value = "unscreened"
        modal.query_one("#years").value = "2015-2019"
        modal.query_one("#years").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert [screen.session.studies[i].id for i in screen.view] == \
            [STUDY.format(2), STUDY.format(5)]
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        app.screen.query_one("#years").value = "20x"
        app.screen.query_one("#years").focus()
        await pilot.press("enter")          # a bad year range is refused in the dialog
        assert isinstance(app.screen, FilterModal)
        assert "20x" in str(app.screen.query_one("#filter-error").render())


async def test_torn_last_line_opens_with_a_warning(review_dir):
    sheet = review_dir / "coding" / "alice.csv"
    sheet.write_text("time,reviewer,study_id,stage,field,value,note,codebook_version\n"
                     f"2025-01-01T00:00:00.000000Z,alice,{STUDY.format(1)},title_abstract,"
                     "decision,include,,x\n"
                     f"2025-01-01T00:00:01.000000Z,alice,{STUDY.format(2)},title_ab",
                     encoding="utf-8")
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        notes = [n.message for n in app._notifications]
        assert any("alice.csv:3" in m and "incomplete last line" in m for m in notes), notes
        assert app.screen.source.id == STUDY.format(2)   # 1 was read; 2 is unscreened
        await pilot.press("m")
    assert rows(review_dir)[-1] == (STUDY.format(2), "title_abstract", "decision", "maybe")


async def test_a_failed_save_keeps_the_study_and_shows_the_error(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        (review_dir / "coding" / "alice.csv").mkdir()     # the sheet cannot be written
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal))
        assert any("alice.csv" in p for p in app.screen.problems)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.source.id == STUDY.format(1)
        assert screen.session.decision(STUDY.format(1)) == ""
        os.rmdir(review_dir / "coding" / "alice.csv")
        await pilot.press("i")                              # works again once writable
        assert screen.source.id == STUDY.format(2)
    assert rows(review_dir) == [(STUDY.format(1), "title_abstract", "decision", "include")]


async def test_note_is_saved_with_the_study(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ScreeningScreen))
        app.screen.query_one("#note").value = "check methods"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        assert app.screen.source.id == STUDY.format(1)
    assert rows(review_dir) == [(STUDY.format(1), "title_abstract", "note", "check methods")]


async def test_open_without_a_browser_does_not_crash(review_dir, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("o")
        await pilot.pause()
        assert any("https://doi.org/10.1000/jdp.2019.001" in n.message
                   for n in app._notifications)
        await pilot.press("right", "right", "right", "o")   # study 4: no DOI, URL or PDF
        await pilot.pause()
        assert any("no DOI, URL or PDF" in n.message for n in app._notifications)


def _screen_title_abstract(review_dir, decisions):
    from workbench.review import Review
    from workbench.review.screening import open_session
    session = open_session(Review.open(review_dir), "alice", "title_abstract")
    for n, decision in decisions.items():
        session.record(STUDY.format(n), decision, ("E1",) if decision == "exclude" else ())


async def test_open_prefers_a_pdf_under_references(review_dir, monkeypatch):
    opened = []
    monkeypatch.setattr("workbench.tui.screens.screening.open_external",
                        lambda target: opened.append(target) or True)
    pdf = review_dir / "references" / "full-texts" / "10.1000_jdp.2019.001.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4\n")
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("o", "right", "right", "o")       # study 3 has only a URL
        await pilot.pause()
    assert opened == [str(pdf), "https://example.org/twitter-gender"]


async def test_letters_typed_right_after_tab_land_in_the_next_field(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        modal = app.screen
        burst(app, "a c t tab m a y b e tab 2 0 1 5")
        await wait_for(pilot, lambda: modal.query_one("#years").value == "2015")
        assert modal.query_one("#text").value == "act"
        assert modal.query_one("#decision").value == "maybe"


async def test_filter_notice_says_1_study_not_1_studies(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterModal))
        app.screen.query_one("#years").value = "2006"
        app.screen.query_one("#years").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(screen.view) == 1
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("1 study shown") for m in messages), messages


async def test_a_notice_does_not_cover_the_status_line_at_80x24(review_dir):
    from textual.widgets._toast import Toast
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("i")
        app.screen.notify("3 studies shown (include)")
        await wait_for(pilot, lambda: any(t.region.height for t in app.screen.query(Toast)))
        status = app.screen.query_one("#decision").region
        footer = app.screen.query_one("KeyFooter").region
        assert "(16%)" in str(app.screen.query_one("#decision").render())
        for toast in app.screen.query(Toast):
            assert not toast.region.overlaps(status), (toast.region, status)
            assert not toast.region.overlaps(footer), (toast.region, footer)
