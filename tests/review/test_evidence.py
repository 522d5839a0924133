"""Passages through the coding session: the quote is the extraction's own text; overlap per pair."""

from __future__ import annotations

import pytest

from workbench.core.events import DecisionRefused
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.review.evidence import add_passage, passage_overlap, passages, remove_passage
from workbench.review.fulltext import link_file, open_fulltext

from .coding_fixture import S, build_review

TEXT = "Title line\n\nThe campaign reached 2 million people on Twitter.\nPolicy changed in 2019.\n"


@pytest.fixture
def review(tmp_path):
    root = build_review(tmp_path / "review")
    paper = tmp_path / "paper.txt"
    paper.write_text(TEXT, encoding="utf-8")
    review = Review.open(root)
    link_file(review, paper, S(1), "alice")
    return review


def test_quote_comes_from_the_text_and_blanks_are_trimmed(review):
    session = open_coding_session(review, "carol")
    extraction = open_fulltext(review, S(1))
    code = next(iter(session.codebook.code_index()))
    start = TEXT.index("The campaign") - 1  # a leading newline is trimmed off
    saved = add_passage(session, S(1), "code", code, extraction, 1, start, start + 40)
    assert saved.quote == TEXT[saved.start:saved.end] and saved.start == start + 1
    assert passages(session, S(1)) == [saved]
    with pytest.raises(DecisionRefused, match="outside page 1"):
        add_passage(session, S(1), "code", code, extraction, 1, 0, 10_000)
    remove_passage(session, S(1), saved.id)
    assert passages(session, S(1)) == []
    session.undo()
    assert [p.id for p in passages(session, S(1))] == [saved.id]


def test_overlap_between_two_coders(review):
    extraction = open_fulltext(review, S(1))
    code = next(iter(review.codebook().code_index()))
    at = TEXT.index("The campaign")
    for coder, (a, b) in (("carol", (at, at + 20)), ("dave", (at + 10, at + 30))):
        session = open_coding_session(review, coder)
        add_passage(session, S(1), "code", code, extraction, 1, a, b)
    later = TEXT.index("Policy")
    add_passage(open_coding_session(review, "dave"), S(1), "code", code, extraction, 1, later,
                later + 6)
    [row] = passage_overlap(review)
    assert row == {"target": f"code:{code}", "coder_a": "carol", "coder_b": "dave",
                   "overlapping": 1, "only_a": 0, "only_b": 1}
