"""d on the screening screen: the study on screen and one picked go to the duplicates queue."""

from __future__ import annotations

import csv

from workbench.review import Review
from workbench.review.duplicate_marks import mark_possible_duplicate, similar_studies
from workbench.tui.app import make_app
from workbench.tui.screens.screening import ScreeningScreen

from .conftest import burst, screening_ready, wait_for

S = "Sda3dfc03-{:04d}".format


def answers(review_dir, name="alice"):
    path = review_dir / "coding" / "duplicates" / f"{name}.csv"
    return list(csv.DictReader(path.open(encoding="utf-8"))) if path.exists() else []


async def test_d_words_enter_sends_the_pair_and_the_key_after_goes_on(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        burst(app, "d w h a t s enter i")            # WhatsApp... is S5; then include S1
        await wait_for(pilot, lambda: answers(review_dir)
                       and isinstance(app.screen, ScreeningScreen)
                       and app.screen.session.decision(S(1)) == "include")
    [row] = answers(review_dir)
    assert (row["record_a"], row["record_b"], row["verdict"]) == (
        "da3dfc03-0001", "da3dfc03-0005", "possible")
    queue = Review.open(review_dir).pending_pairs()
    first = queue[0]
    assert {first.record_a, first.record_b} == {"da3dfc03-0001", "da3dfc03-0005"}
    assert first.reasons[0] == "marked as a possible duplicate by alice"
    from workbench.core.dedupe.duplicates import CandidatePair
    from workbench.tui.screens.duplicates import queue_order
    likely = CandidatePair("x-0001", "x-0002", 0.99, ("title and DOI",))
    assert queue_order([likely, first]) == [first, likely]   # the screen lists it first too


def test_suggestions_are_titles_alike_and_a_later_answer_takes_the_pair_off_the_queue(
        review_dir):
    review = Review.open(review_dir)
    studies = {s.id: s for s in review.studies()}
    assert similar_studies(review, studies[S(1)], "governance")[0].id == S(5)
    assert S(1) not in [s.id for s in similar_studies(review, studies[S(1)])]
    mark_possible_duplicate(review, "alice", S(2), S(4))
    assert any({p.record_a, p.record_b} == {"da3dfc03-0002", "da3dfc03-0004"}
               for p in Review.open(review_dir).pending_pairs())
    Review.open(review_dir).decide_pair("bob", "da3dfc03-0004", "da3dfc03-0002", "different")
    assert not any({p.record_a, p.record_b} == {"da3dfc03-0002", "da3dfc03-0004"}
                   for p in Review.open(review_dir).pending_pairs())
    assert len(Review.open(review_dir).studies()) == 6


async def test_enter_right_after_the_words_pairs_the_study_they_find_not_the_first_shown(
        review_dir):
    """Fix check in tmux: Enter acted on the suggestions shown before the words arrived."""
    review = Review.open(review_dir)
    studies = {s.id: s for s in review.studies()}
    top = similar_studies(review, studies[S(1)], "")[0]
    target = next(s for s in studies.values() if s.id not in (S(1), top.id)
                  and any(w.lower() not in top.title.lower() for w in s.title.split()
                          if len(w) > 6))
    word = next(w for w in target.title.split() if len(w) > 6
                and w.lower() not in top.title.lower()).strip(".,:;").lower()
    assert similar_studies(review, studies[S(1)], word)[0].id == target.id
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(80, 24)) as pilot:
        await screening_ready(app, pilot)
        burst(app, "d " + " ".join(word) + " enter")
        await wait_for(pilot, lambda: answers(review_dir)
                       and isinstance(app.screen, ScreeningScreen))
    [row] = answers(review_dir)
    assert row["record_b"] == target.record_ids[0] or row["record_a"] == target.record_ids[0]
