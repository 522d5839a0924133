"""Full-text agreement leaves out the reports a reviewer marked not retrieved.

PRISMA 2020 counts "reports not retrieved" apart from "reports assessed for
eligibility": a report a reviewer could not retrieve was not assessed by that
reviewer, so a `not_retrieved` mark (from `workbench fulltext not-retrieved`
or the screening screen's `r`) is no eligibility decision to agree on. The
statistics must be those of the same review without the marks, and the
methods sentence says "reports" and how many were left out.
"""

from __future__ import annotations

import shutil

import pandas as pd

from tests.review.test_agreement import FT, KAPPA_PLAN, TA, _template, review, screen  # noqa: F401
from workbench.review import Review
from workbench.review.agreement import agreement_report, methods_text
from workbench.review.fulltext_status import mark_not_retrieved
from workbench.review.screening import open_session

COMMAND_NOTE = "no full text found (workbench fulltext not-retrieved)"


def _plan(with_marks: bool) -> dict[str, dict]:
    """KAPPA_PLAN at full text (excludes with E1), plus the not-retrieved marks."""
    out = {}
    for reviewer, decisions in KAPPA_PLAN.items():
        out[reviewer] = {f"u{i:02d}": (d, ("E1",) if d == "exclude" else (), None)
                         for i, d in enumerate(decisions)}
    out["bob"]["mixed"] = "include"           # bob found it; alice did not (below)
    if with_marks:
        for reviewer in ("alice", "bob"):     # the command, on both sides
            out[reviewer].update({f"n{i}": ("not_retrieved", (), COMMAND_NOTE)
                                  for i in range(5)})
        out["alice"]["mixed"] = "not_retrieved"   # by hand: no note
    return out


def _report(review, with_marks: bool):
    for reviewer, decisions in _plan(with_marks).items():
        screen(review, reviewer, decisions, stage=FT)
    (report,) = agreement_report(review, FT, n_resamples=200, seed=7)
    return report


def test_not_retrieved_marks_change_no_statistic(review, _template, tmp_path):  # noqa: F811
    marked = _report(review, True)
    shutil.copytree(_template, tmp_path / "plain")
    plain = _report(Review.open(tmp_path / "plain"), False)
    pd.testing.assert_frame_equal(marked.frame(), plain.frame())
    stats = {r.name: r for r in dict((v.name, s) for v, s in marked.results)["decision"]}
    assert stats["cohen_kappa"].n_units == 10
    assert stats["cohen_kappa"].value == 0.4 or abs(stats["cohen_kappa"].value - 0.4) < 1e-12


def test_full_text_methods_say_reports_and_count_the_ones_left_out(review):  # noqa: F811
    text = _report(review, True).methods()
    assert text.startswith("Two reviewers assessed 10 reports for eligibility independently; "
                           "agreement was 70.0%"), text
    assert "records" not in text
    assert ("Not counted: 5 reports both reviewers marked not retrieved, and 1 report one "
            "reviewer marked not retrieved and the other assessed") in text, text


def test_title_abstract_methods_keep_records(review):  # noqa: F811
    screen(review, "alice", {"a": "include", "b": "exclude", "c": "include"})
    screen(review, "bob", {"a": "include", "b": "exclude", "c": "exclude"})
    (report,) = agreement_report(review, TA, n_resamples=0)
    assert report.methods().startswith("Two reviewers screened 3 records independently;")
    assert "not retrieved" not in report.methods()


def test_the_command_and_a_hand_mark_give_prisma_and_methods_the_same_numbers(review):  # noqa: F811
    """The real flow: both include every study at title/abstract, assess two reports
    (one by hand marked not retrieved by alice, which bob assessed), and the
    command marks the rest on both sides."""
    from workbench.review.exporting import write_exports
    ids = [s.id for s in review.studies()]
    assert len(ids) >= 5
    screen(review, "alice", {sid: "include" for sid in ids})
    screen(review, "bob", {sid: "include" for sid in ids})
    first, second, third = ids[:3]
    for reviewer in ("alice", "bob"):
        session = open_session(review, reviewer, FT)
        session.record(first, "include", ())
        session.record(second, "exclude", ("E1",))
    by_hand = open_session(review, "alice", FT)
    by_hand.record(third, "not_retrieved", ())        # what `r` on the screening screen does
    open_session(review, "bob", FT).record(third, "exclude", ("E2",))
    rest = sorted(set(ids) - {first, second, third})
    assert sorted(mark_not_retrieved(review, "alice")) == rest
    assert sorted(mark_not_retrieved(review, "bob")) == rest
    reports = agreement_report(review, FT, n_resamples=0)
    text = methods_text(reports)
    assert "Two reviewers assessed 2 reports for eligibility independently" in text, text
    assert (f"Not counted: {len(rest)} reports both reviewers marked not retrieved, and 1 "
            "report one reviewer marked not retrieved and the other assessed") in text, text
    # carol settles the hand mark: the report was not retrieved after all
    from workbench.review.resolving import resolve_conflict
    resolve_conflict(review, third, FT, "decision", "not_retrieved", "carol", "alice was right")
    summary = write_exports(review, charts=False)
    counts = summary.prisma
    assert counts.reports_not_retrieved == len(rest) + 1
    assert counts.reports_assessed == 2
    written = (review.root / "exports" / "agreement_methods.txt").read_text(encoding="utf-8")
    assert "assessed 2 reports for eligibility" in written


def test_the_home_screens_agreement_so_far_leaves_the_marks_out_too(review):  # noqa: F811
    """The team panel ("Agreement so far", `workbench team`) said 25 studies and kappa 0.78
    on the example review while `workbench agreement` said 24 reports and 0.65."""
    from workbench.review.team import team_overview
    marked = _report(review, True)
    stats = {r.name: r for r in dict((v.name, s) for v, s in marked.results)["decision"]}
    _, agreement = team_overview(review)
    (so_far,) = [a for a in agreement if a.stage == FT]
    assert so_far.units == stats["cohen_kappa"].n_units == 10
    assert abs(so_far.kappa - stats["cohen_kappa"].value) < 1e-12
    assert abs(so_far.percent - stats["percent_agreement"].value) < 1e-12
