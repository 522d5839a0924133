"""The duplicates screen: uncertain pairs side by side, answers saved at once and respected."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from textual.widgets import Static

from workbench.review import Review
from workbench.tui.app import make_app
from workbench.tui.screens.duplicates import DuplicatesScreen

from tests.tui.conftest import DATA, wait_for

PAIRS = Path(__file__).resolve().parents[1] / "data" / "duplicates"


@pytest.fixture
def pair_review(tmp_path) -> Path:
    root = tmp_path / "review"
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True)
    shutil.copy(DATA / "codebook.yaml", root / "codebook.yaml")
    review = Review.open(root)
    review.import_references([PAIRS / "scopus.ris"], database="Scopus")
    review.import_references([PAIRS / "scholar.csv"], database="Google Scholar")
    return root


def answers(root: Path) -> list[dict]:
    with (root / "coding" / "duplicates" / "alice.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def test_pairs_are_answered_from_the_keyboard_and_saved(pair_review):
    pending = Review.open(pair_review).pending_pairs()
    assert len(pending) >= 2
    app = make_app(pair_review, reviewer="alice", start="duplicates")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DuplicatesScreen)
                       and app.screen.pairs)
        screen = app.screen
        first = screen.pairs[0]
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.index == 1)
        saved = answers(pair_review)
        assert {saved[-1]["record_a"], saved[-1]["record_b"]} == {first.record_a, first.record_b}
        assert saved[-1]["verdict"] == "same" and saved[-1]["reviewer"] == "alice"
        second = screen.pairs[1]
        await pilot.press("d")
        await wait_for(pilot, lambda: screen.index == 2)
        saved = answers(pair_review)
        assert saved[-1]["verdict"] == "different"
        assert {saved[-1]["record_a"], saved[-1]["record_b"]} == {second.record_a, second.record_b}
    # Every later run respects the answers: neither pair waits any more.
    review = Review.open(pair_review)
    left = {frozenset((p.record_a, p.record_b)) for p in review.pending_pairs()}
    assert frozenset((first.record_a, first.record_b)) not in left
    assert frozenset((second.record_a, second.record_b)) not in left
    of = review.study_of_records()
    assert of[first.record_a] == of[first.record_b]
    assert of[second.record_a] != of[second.record_b]


async def test_differing_fields_are_highlighted_and_skip_saves_nothing(pair_review):
    app = make_app(pair_review, reviewer="alice", start="duplicates")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DuplicatesScreen)
                       and app.screen.pairs)
        screen = app.screen
        body = screen.query_one("#pair-body").render()
        assert "Title" in str(body) or screen.pairs
        await pilot.press("k")
        await wait_for(pilot, lambda: screen.index == 1)
        assert not (pair_review / "coding" / "duplicates" / "alice.csv").exists()
        await pilot.press("left")
        await wait_for(pilot, lambda: screen.index == 0)


def test_pair_table_marks_only_fields_that_differ():
    from workbench.core.records import Record
    from workbench.tui.screens.duplicates import pair_table
    a = Record(id="a-0001", title="Same title", year=2020, venue="J Pol")
    b = Record(id="b-0001", title="same title", year=2021, venue="J Pol")
    table = pair_table(a, b)
    cells = {col.header: [c for c in col._cells] for col in table.columns}
    labels = [str(c) for c in table.columns[0]._cells]
    year = labels.index("Year")
    title = labels.index("Title")
    assert "reverse" in str(cells["a-0001"][year].style)
    assert "reverse" not in str(cells["a-0001"][title].style)


async def test_queue_is_ordered_most_likely_duplicate_first(pair_review):
    app = make_app(pair_review, reviewer="alice", start="duplicates")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DuplicatesScreen)
                       and app.screen.pairs)
        screen = app.screen
        scores = [p.score for p in screen.pairs]
        assert scores == sorted(scores, reverse=True)
        title = str(screen.query_one("#pair-title", Static).render())
        assert "most likely first" in title and f"match score {scores[0]:.2f}" in title
        status = str(screen.query_one("#pair-status", Static).render())
        assert "Why unsure:" in status and screen.pairs[0].reasons[0] in status
