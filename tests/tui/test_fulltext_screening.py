"""The full-text stage shows the linked text; decisions keep working; a scan falls back to the card."""

from __future__ import annotations

import pytest

from workbench.review import Review
from workbench.review.fulltext import link_file
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app

from ..review.coding_fixture import S, build_review, copy_review
from .conftest import screening_ready, wait_for


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    from tests.conftest import SHARED_DATA
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    path = build_review(tmp_path_factory.mktemp("fulltext-screening") / "review")
    review = Review.open(path)
    folder = SHARED_DATA / "fulltext"
    link_file(review, folder / "datta2010_dvt_prophylaxis_review.pdf", S(1), "carol")
    link_file(review, folder / "severens_asih_plasma_scanned.pdf", S(3), "carol")
    return path


@pytest.fixture
def review_dir(_template, tmp_path):
    return copy_review(_template, tmp_path / "review")


async def test_full_text_stage_reads_the_text_and_decides_with_the_same_keys(review_dir):
    app = make_app(review_dir, reviewer="carol", start="screening", stage="full_text")
    async with app.run_test(size=(120, 40)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        assert screen.source.id == S(1)
        await wait_for(pilot, lambda: screen.fulltext.showing_text, timeout=60)
        view = screen.fulltext.panel.view
        assert view.page.number == 1 and "Complications related" in view.text
        await pilot.press("slash", *"heparin", "enter")
        assert view.matches
        await pilot.press("t")  # the abstract instead of the text, and back
        assert not screen.fulltext.showing_text
        await pilot.press("t")
        assert screen.fulltext.showing_text
        await pilot.press("i")
        await pilot.pause()
        last = read_sheet(review_dir / "coding" / "carol.csv").events[-1]
        assert (last.study_id, last.stage, last.value) == (S(1), "full_text", "include")
        assert screen.source.id == S(3)
        # the scan has no text layer: the card stays, with a message
        await wait_for(pilot, lambda: any("no text layer" in str(n.message)
                                          for n in app._notifications), timeout=60)
        assert not screen.fulltext.showing_text
        assert screen.query_one("#card").display


async def test_link_a_full_text_from_the_screen_candidate_or_path(review_dir, shared_data):
    from workbench.core.fulltext_link import Signal, Verdict
    from workbench.review.fulltext import LinkReport, read_links
    from workbench.review.fulltext_pending import write_pending
    from workbench.tui.fulltext_modals import LinkModal
    folder = shared_data / "fulltext"
    unsure = folder / "tully2010_heart_failure_programmes.pdf"
    report = LinkReport(uncertain=[(unsure, Verdict(candidates={
        S(5): [Signal(S(5), "weak", "file name starts with author+year tully 2010")]}))])
    write_pending(Review.open(review_dir), report)
    app = make_app(review_dir, reviewer="carol", start="screening", stage="full_text")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        screen = app.screen
        await pilot.press("l", "l")  # to S(5): no full text yet
        await wait_for(pilot, lambda: screen.source.id == S(5))
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkModal))
        assert "tully2010" in str(app.screen.query_one("#link-candidates").get_option_at_index(0)
                                  .prompt)
        app.screen.query_one("#link-candidates").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.fulltext.showing_text, timeout=60)
        assert read_links(Review.open(review_dir))[S(5)].method == "manual"
        await pilot.press("l")  # S(6), typed path
        await wait_for(pilot, lambda: screen.source.id == S(6))
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkModal))
        await pilot.press(*str(folder / "webb2017_vespa_peerj.pdf"), "enter")
        await wait_for(pilot, lambda: screen.fulltext.showing_text, timeout=60)
        assert "VESPA" in screen.fulltext.panel.view.text
