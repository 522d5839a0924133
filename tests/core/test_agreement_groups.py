"""agreement_groups.group_rows reads a cell's group rows exactly as core.coding.study_coding does."""

from __future__ import annotations

from pathlib import Path

from workbench.core.agreement.groups import group_rows
from workbench.core.coding import coding_of
from workbench.core.events import Event, SheetState
from workbench.review import Review
from workbench.review.all_sheets import read_sheets

REPO = Path(__file__).resolve().parents[2]


def _rows(rows):
    return {g: [(r.row_id, r.values) for r in rs] for g, rs in rows.items()}


def test_same_rows_as_study_coding_on_the_example_review():
    review = Review.open(REPO)
    codebook = review.codebook()
    checked = 0
    for events in read_sheets(review).reviewers.values():
        state = SheetState(events)
        for (stage, study), cell in state.items():
            assert _rows(group_rows(cell)) == _rows(coding_of(codebook, state, stage, study).rows)
            checked += bool(group_rows(cell))
    assert checked > 0


def test_removed_rows_are_gone_and_order_is_the_order_added():
    def ev(time, field, value):
        return Event(time, "a", "s1", "coding", field, value, "", "v")
    state = SheetState([ev("2026-01-02", "row:campaign:r2", "1"),
                        ev("2026-01-01", "row:campaign:r1", "1"),
                        ev("2026-01-03", "row:campaign:r1:name", "Aurat March"),
                        ev("2026-01-04", "row:campaign:r3", "1"),
                        ev("2026-01-05", "row:campaign:r3", "")])
    (cell,) = [c for _, c in state.items()]
    assert _rows(group_rows(cell)) == {"campaign": [("r1", {"name": "Aurat March"}),
                                                    ("r2", {})]}


def test_group_variables_lead_to_their_row_conflicts_on_the_example_review():
    from workbench.review.agreement import (agreement_report, conflicts_for_variable,
                                            disagreements, list_conflicts)
    review = Review.open(REPO)
    conflicts = list_conflicts(review, "coding", include_resolved=True)
    (report,) = agreement_report(review, "coding", n_resamples=0)
    rows = next(d for d in disagreements(report) if d.variable == "rows:campaign")
    assert rows.disagree == 1 and rows.studies[0].endswith("/#HarassmentFreeStreets")
    behind = conflicts_for_variable(conflicts, "rows:campaign", rows.studies)
    assert [c.field for c in behind] == ["row:campaign:#HarassmentFreeStreets"]
    assert {c.field for c in conflicts_for_variable(conflicts, "row:campaign.policy_action")} \
        <= {c.field for c in conflicts if c.field.endswith(":policy_action")}
    assert [u.missing for u in report.unmatched] == [("bob",)]
