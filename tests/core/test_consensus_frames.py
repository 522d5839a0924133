"""The export's vectorized final decisions equal the reference rule (core.consensus)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.codebook import Stage
from workbench.core.consensus import final_decisions
from workbench.io.exports.decisions import events_frame, final_screening, latest_values

SHEETS = ("alice", "bob", "carol", "consensus")
vote = st.tuples(st.sampled_from(SHEETS), st.sampled_from(("S1", "S2", "S3", "S4")),
                 st.sampled_from(("include", "exclude", "maybe", "")),
                 st.sampled_from(("", "E1", "E2", "E1;E2", "E2;E1")))


def _frame(votes):
    frames = []
    for sheet in SHEETS:
        rows = []
        for n, (who, study, decision, criteria) in enumerate(votes):
            if who != sheet:
                continue
            time = f"2025-01-01T00:00:{n:02d}.000000Z"
            rows.append((time, who, study, "ta", "decision", decision, "", "v"))
            if criteria:
                rows.append((time, who, study, "ta", "criteria", criteria, "", "v"))
        frames.append(events_frame(rows, sheet))
    import pandas as pd
    return latest_values(pd.concat(frames, ignore_index=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(vote, max_size=14), st.integers(1, 3), st.sampled_from(("consensus", "bob")))
def test_vectorized_final_screening_equals_final_decisions(votes, required, source):
    # One current vote per (sheet, study): the last one, as the sheets' latest values.
    latest = {(who, study): (decision, criteria) for who, study, decision, criteria in votes}
    current = [(who, study, *latest[(who, study)]) for who, study in latest]
    expected = final_decisions("ta", current, required, source)
    stage = Stage(id="ta", label="TA", reviewers=required)
    assert final_screening(_frame([(w, s, d, c) for w, s, d, c in votes if
                                   latest[(w, s)] == (d, c)]), stage, source) == expected


def test_mixed_criteria_are_the_union_in_reviewer_name_order():
    rows = [("alice", "S1", "exclude", "E2"), ("bob", "S1", "exclude", "E1;E2")]
    got = final_screening(_frame(rows), Stage(id="ta", reviewers=2), "consensus")
    assert got["S1"].criteria == ("E2", "E1")
