"""The export's screening methods counted on columns equal a SheetState per reviewer."""

from __future__ import annotations

import random

import pytest

from tests.io.export_review import make_review, study_ids
from workbench.core import stopping
from workbench.core.events import Event
from workbench.review import Review
from workbench.review.exporting import _read_sheets
from workbench.review.screening_methods import screening_methods
from workbench.store.sheet import append_events

DECISIONS = ("include", "exclude", "maybe", "not_retrieved", "")
ORDERS = ("prioritised elas_u4", "prioritised elas_h3", "prioritised nobody", "import order",
          "")


def _sample(rng: random.Random) -> str:
    """A stopping-test value: well formed (maybe with its draw), or one the parser rejects."""
    test, urn, found, seq = (rng.randint(1, 3), rng.randint(0, 9), rng.randint(0, 4),
                             rng.randint(0, 6))
    good = f"test={test};urn={urn};found={found};seq={seq}"
    return rng.choice([good, good + f";draw={rng.randint(1, 3)}", good + ";draw=x",
                       "test=1;urn=4", "nonsense", ""])


def _append_random(review: Review, rng: random.Random, n: int) -> None:
    ids = list(study_ids(review).values())
    # keys differing in case, an unknown study, a merged-away id (the aliases below)
    ids += [ids[0].upper(), "deadbeef-0001", "old-study"]
    for _ in range(n):
        sheet = rng.choice(["alice", "bob", "carol", "consensus"])
        study = rng.choice(ids)
        stage = rng.choice(["title_abstract", "full_text", "coding"])
        kind = rng.random()
        if kind < 0.5:
            changes = [("decision", rng.choice(DECISIONS))]
            if rng.random() < 0.3:
                changes.append(("criteria", rng.choice(["E1", "E2;E1", ""])))
        elif kind < 0.7:
            changes = [(stopping.ORDER_FIELD, rng.choice(ORDERS))]
        elif kind < 0.9:
            changes = [(stopping.SAMPLE_FIELD, _sample(rng))]
        else:
            changes = [("note", rng.choice(['a "quoted"\nnote, with a comma', ""]))]
        append_events(review.coding / f"{sheet}.csv",
                      [Event("", sheet, study, stage, f, v) for f, v in changes])


@pytest.mark.parametrize("seed", range(12))
def test_methods_on_columns_equal_the_sheet_states(tmp_path, monkeypatch, seed):
    review = make_review(tmp_path / "review")
    rng = random.Random(seed)
    _append_random(review, rng, rng.randint(5, 160))
    if seed % 3 == 0:   # a torn last line (a crash mid-write) is set aside by both paths
        with open(review.coding / "bob.csv", "ab") as handle:
            handle.write(b"2030-01-01T00:00:00.000000Z,bob,x,title_abstract,decision,incl")
    review = Review.open(review.root)
    ids = study_ids(review)
    monkeypatch.setattr(review, "aliases", lambda: {"old-study": ids["B"]})
    events = _read_sheets(review)[0]
    expected = screening_methods(review)
    assert screening_methods(review, events) == expected
    assert expected   # the hand-counted sheets alone have decisions at both stages


def test_methods_count_the_latest_decisions_and_the_stopping_sample(tmp_path):
    review = make_review(tmp_path / "review")
    ids = study_ids(review)
    sheet = review.coding / "alice.csv"
    # alice changes C to exclude, records a prioritised order and a test sampling D and G
    append_events(sheet, [Event("", "alice", ids["C"], "title_abstract", "decision",
                                "exclude")])
    append_events(sheet, [Event("", "alice", ids["A"], "title_abstract", stopping.ORDER_FIELD,
                                "prioritised elas_u4")])
    for seq, letter in enumerate("DG"):
        append_events(sheet, [Event("", "alice", ids[letter], "title_abstract",
                                    stopping.SAMPLE_FIELD,
                                    f"test=1;urn=2;found=5;seq={seq}")])
    review = Review.open(review.root)
    methods = screening_methods(review, _read_sheets(review)[0])
    alice = next(m for m in methods if m["reviewer"] == "alice"
                 and m["stage"] == "title_abstract")
    # A, B, E, F, G include/maybe-or-exclude as in the hand-counted sheets, C now excluded
    assert alice["decided"] == 7 and alice["relevant"] == 4
    assert alice["orders_recorded"] == ["prioritised elas_u4"]
    assert alice["order"].startswith("prioritised screening (")
    assert "2/2 of a random sample from 2 unscreened" in alice["stopping"]
    assert methods == screening_methods(review)
