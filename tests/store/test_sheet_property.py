"""Property: any sequence of decisions reads back equal to a latest-wins model."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core.events import Change, SheetState
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet

studies = st.sampled_from(["s1", "s2", "s3"])
stages = st.sampled_from(["title_abstract", "full_text"])
fields = st.sampled_from(["decision", "criteria", "note", "code:platforms"])
# Values include what CSV must quote: commas, quotes, newlines, unicode, "".
values = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                 max_size=12)
change = st.tuples(fields, values, values).map(lambda t: Change(*t))
decision = st.tuples(stages, studies, st.lists(change, min_size=1, max_size=3))
steps = st.lists(st.one_of(decision, st.just("undo")), max_size=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_decisions_read_back_as_latest_wins(steps):
    # Durability is tested with real processes elsewhere; fsync only slows this test down.
    with tempfile.TemporaryDirectory() as folder, mock.patch("os.fsync"):
        path = Path(folder) / "alice.csv"
        sheet = Sheet.open(path, "alice", "v1")
        model: dict[tuple[str, str, str], tuple[str, str]] = {}
        history: list[dict] = []
        for step in steps:
            if step == "undo":
                if history:
                    model = history.pop()
                    assert sheet.undo() is not None
                else:
                    assert sheet.undo() is None
                continue
            stage, study, changes = step
            history.append(dict(model))
            for c in changes:
                model[(stage, study, c.field)] = (c.value, c.note)
            sheet.append(stage, study, changes)
        contents = read_sheet(path)
        assert contents.problems == []
        state = SheetState(contents.events)
        read_back = {(stage, study, f): (e.value, e.note)
                     for (stage, study), cell in state.items() for f, e in cell.items()}
        # Undo restores values as "" where a field had none: compare non-empty values.
        expected = {k: v for k, v in model.items() if v != ("", "")}
        assert {k: v for k, v in read_back.items() if v != ("", "")} == expected
        in_memory = {(stage, study, f): (e.value, e.note)
                     for (stage, study), cell in sheet.state.items() for f, e in cell.items()}
        assert in_memory == read_back
