"""Extending the stopping test after relevant studies turned up in its sample.

Walkthrough (session 8): alice drew 147 of 668 unscreened, found 11 relevant in
them (confidence 0.2%), and `s` offered to extend the sample by "1 more studies":
the extension was sized as if the sample had found nothing, so each extension of
one study left the test where it was. The extension must be the draws that, if
none of them is relevant, give recall >= 95% with 95% confidence.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from workbench.core import stopping
from workbench.review import Review
from workbench.review.prioritise import (draw_stopping_sample, open_sample,
                                         plan_stopping_sample, stopping_estimate)
from workbench.review.screening import open_session

DATA = Path(__file__).resolve().parents[1] / "data" / "tui"


def _review(path: Path, n: int = 300) -> Review:
    for name in ("references", "coding", "exports"):
        (path / name).mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "codebook.yaml", path / "codebook.yaml")
    export = path.parent / "search.csv"
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "abstract", "year"])
        for i in range(n):
            writer.writerow([f"Study number {i} on topic {i % 17} with words w{i * 7919 % 1000}",
                             f"Abstract {i} of a trial in group {i % 23}.", 2011 + i % 10])
    review = Review.open(path)
    review.import_references([export], database="Scopus")
    return Review.open(path)


def test_a_sample_with_relevant_finds_is_extended_far_enough_to_stop(tmp_path):
    review = _review(tmp_path / "review")
    session = open_session(review, "alice")
    ids = [s.id for s in session.studies]
    for sid in ids[:20]:
        session.record(sid, "include")
    for sid in ids[20:30]:
        session.record(sid, "exclude", ["E1"])
    drawn = draw_stopping_sample(session, seed=5)
    urn = len(ids) - 30
    # three relevant studies in the sample, the rest irrelevant
    for k, position in enumerate(drawn):
        session.record(session.studies[position].id, "include" if k < 3 else "exclude", ["E1"]
                       if k >= 3 else [])
    estimate = stopping_estimate(session.state, "title_abstract")
    assert (estimate.screened, estimate.relevant_in_sample) == (len(drawn), 3)
    assert not estimate.can_stop
    # the sample is finished: it no longer says to keep screening it
    assert "keep screening the sample" not in estimate.describe()
    assert "not enough to stop: extend the sample" in estimate.describe()

    plan = plan_stopping_sample(session)
    assert plan.extend and plan.urn == urn and plan.found_before == 20
    total = len(drawn) + plan.size
    # if every extra draw is irrelevant, the whole sample stops the test; one fewer does not
    assert stopping.stopping_p_value(urn, total, 3, 20) < stopping.ALPHA
    assert stopping.stopping_p_value(urn, total - 1, 3, 20) >= stopping.ALPHA
    assert f"draw {plan.size:,} more at random" in plan.describe()

    more = draw_stopping_sample(session, seed=6, plan=plan)
    assert len(more) == plan.size and open_sample(session) == more
    for position in more:
        session.record(session.studies[position].id, "exclude", ["E1"])
    after = stopping_estimate(session.state, "title_abstract")
    assert after.screened == total and after.relevant_in_sample == 3
    assert after.can_stop, after.describe()
    assert "stop: recall >= 95% reached" in after.describe()


def test_sample_needed_counts_the_relevant_already_in_the_sample():
    # walkthrough figures: 227 relevant found, 668 unscreened, 11 relevant in 147 drawn
    n = stopping.sample_needed(668, 227, found_in_sample=11)
    assert stopping.stopping_p_value(668, n, 11, 227) < 0.05 <= \
        stopping.stopping_p_value(668, n - 1, 11, 227)
    assert n - 147 > 200                    # far more than the one study it offered
    # with nothing found in the sample it is the new test's size, as before
    assert stopping.sample_needed(1000, 100) == stopping.sample_needed(1000, 100,
                                                                       found_in_sample=0)
