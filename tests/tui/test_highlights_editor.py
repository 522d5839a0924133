"""e on the screening screen: edit the highlight terms, see the diff, y writes codebook.yaml."""

from __future__ import annotations

from workbench.review import Review
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.highlights_modal import HighlightsModal
from workbench.tui.screens.screening import ScreeningScreen

from .conftest import burst, screening_ready, wait_for


async def test_e_adds_a_term_shows_the_diff_saves_and_rehighlights(review_dir):
    path = review_dir / "codebook.yaml"
    before = path.read_text(encoding="utf-8")
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        old_version = app.screen.session.codebook.version
        burst(app, "e , space p a k i s t a n enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HighlightsModal)
                       and app.screen.planned is not None)
        diff = str(app.screen.query_one("#highlights-diff-text").render())
        assert "+  include: [activis*, social media, hashtag*, pakistan]" in diff
        assert path.read_text(encoding="utf-8") == before          # nothing before y
        burst(app, "y i")                                            # save, then include
        await wait_for(pilot, lambda: (review_dir / "coding" / "alice.csv").exists())
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        assert screen.matcher.spans("in Pakistan") == [(3, 11, "include")]   # redrawn
        new = Review.open(review_dir).codebook()
        assert new.highlights.include == ("activis*", "social media", "hashtag*", "pakistan")
        [event] = read_sheet(review_dir / "coding" / "alice.csv").events
        assert event.codebook_version == new.version != old_version
    after = path.read_text(encoding="utf-8")
    assert after.replace("activis*, social media, hashtag*, pakistan]",
                         "activis*, social media, hashtag*]") == before


async def test_esc_goes_back_to_editing_then_cancels_and_nothing_is_written(review_dir):
    path = review_dir / "codebook.yaml"
    before = path.read_bytes()
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        burst(app, "e tab , space y e s enter")      # y is a letter while editing
        await wait_for(pilot, lambda: isinstance(app.screen, HighlightsModal)
                       and app.screen.planned is not None)
        assert app.screen.planned.exclude[-1] == "yes"
        burst(app, "escape escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen))
    assert path.read_bytes() == before
