"""What the screening screen says, from a new user's walkthrough: each number named,
why a stage is empty, and `o` with nothing to open."""

from __future__ import annotations

from workbench.review import Review
from workbench.review.screening import open_session
from workbench.tui.app import make_app

from .conftest import burst, screening_ready, wait_for


def title(app) -> str:
    from workbench.tui.screens.screening import ScreeningScreen
    screen = next(s for s in app.screen_stack if isinstance(s, ScreeningScreen))
    return str(screen.query_one("#screen-title").render())


async def test_the_title_names_what_each_number_is(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        assert title(app).endswith("· alice · study 1 of 6")
        burst(app, "slash tab tab minus 2 0 1 6 enter right")
        # the filter shows two studies and `right` moves to the second (a `right` lost
        # or run before the filter applied leaves "study 1 of 2 shown": the wait fails)
        await wait_for(pilot, lambda: title(app).endswith("study 2 of 2 shown"))
        assert title(app).endswith("· alice · study 2 of 2 shown")


async def test_an_empty_full_text_stage_says_why_and_o_says_there_is_nothing(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening", stage="full_text")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        why = app.screen.query_one("#card").empty_text
        assert why.startswith("No study has passed Title/abstract yet") and "include" in why
        card = str(app.screen.query_one("#card-body").render())
        assert "No study has passed Title/abstract yet" in card
        burst(app, "o")
        await wait_for(pilot, lambda: any("nothing to open" in n.message
                                          for n in app._notifications))
        assert title(app).endswith("no study")


async def test_the_reason_names_the_reviewers_a_dual_stage_needs(review_dir):
    text = (review_dir / "codebook.yaml").read_text(encoding="utf-8")
    (review_dir / "codebook.yaml").write_text(
        text.replace("    reviewers: 1\n", "    reviewers: 2\n", 1), encoding="utf-8")
    from workbench.review.screening import empty_stage_reason
    review = Review.open(review_dir)
    reason = empty_stage_reason(review, review.codebook().stage("full_text"))
    assert "from 2 reviewers alike, or a consensus" in reason
    open_session(review, "alice", "title_abstract")   # the codebook is valid
