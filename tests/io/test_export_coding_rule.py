"""The export's vectorized coding rule equals the reference rule (core.consensus.coding_consensus)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.codebook import Choice, Code, Codebook, Dimension, Field, Group, Stage
from workbench.core.consensus import FINAL, coding_consensus
from workbench.core.events import Event
from workbench.io.exports.decisions import NOT_CODED, events_frame, latest_values, resolve_coding

STAGE = Stage("coding", kind="coding", reviewers=2)
CODEBOOK = Codebook(
    stages=(STAGE,),
    dimensions=(Dimension("dim", "D", codes=(Code("a", "A"), Code("b", "B"))),),
    fields=(Field("n", "N", "number"), Field("t", "T"),
            Field("m", "M", "multi_choice", choices=(Choice("x", "X"), Choice("y", "Y")))),
    groups=(Group("g", "G", fields=(Field("name", "Name", required=True),
                                    Field("v", "V", "number"))),))
SHEETS = ("alice", "bob", "consensus")
VALUES = {"code:dim": ("", "a", "b", "a;b"), "field:n": ("", "5", "5.0", "6"),
          "field:t": ("", "x", " x"), "field:m": ("", "x;y", "y;x", "x")}
ROW_NAMES = ("#MeToo", "MeToo", "#Other", "")
event = st.one_of(
    st.tuples(st.sampled_from(SHEETS), st.sampled_from(("s1", "s2")),
              st.sampled_from(sorted(VALUES)), st.integers(0, 3)),
    st.tuples(st.sampled_from(SHEETS), st.sampled_from(("s1", "s2")),
              st.sampled_from(("row",)), st.tuples(st.integers(0, 2), st.integers(0, 3),
                                                    st.sampled_from(("", "1", "2")),
                                                    st.booleans())))


def _events(spec):
    out = []
    for n, (sheet, study, name, what) in enumerate(spec):
        time = f"2025-01-01T00:{n // 60:02d}:{n % 60:02d}.000000Z"
        who = "carol" if sheet == "consensus" else sheet
        if name == "row":
            rid, key, v, exists = what
            rid = f"{sheet[0]}{rid}"
            out.append((sheet, Event(time, who, study, "coding", f"row:g:{rid}",
                                     "1" if exists or sheet != "consensus" else "")))
            out.append((sheet, Event(time, who, study, "coding", f"row:g:{rid}:name",
                                     ROW_NAMES[key])))
            out.append((sheet, Event(time, who, study, "coding", f"row:g:{rid}:v", v)))
        else:
            values = VALUES[name]
            out.append((sheet, Event(time, who, study, "coding", name, values[what % len(values)])))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(event, max_size=12))
def test_vectorized_export_equals_the_core_rule(spec):
    events = _events(spec)
    frames = [events_frame([e for s, e in events if s == sheet], sheet) for sheet in SHEETS]
    latest = latest_values(pd.concat(frames, ignore_index=True))
    values, rows, unresolved = resolve_coding(latest, STAGE, "consensus",
                                              pd.Index(["s1", "s2"]), CODEBOOK)
    expect_values, expect_open, expect_rows = set(), set(), set()
    for study in ("s1", "s2"):
        cells = {}
        for sheet, e in events:
            if e.study_id == study:
                cells.setdefault(sheet, {})[e.field] = e
        if not cells:
            continue
        result = coding_consensus(CODEBOOK, "coding", study, cells, 2)
        for s in result.states:
            if s.status != FINAL:
                expect_open.add((study, s.field, s.status))
            elif not s.group and (s.value or s.settled or
                                  s.field in ("code:dim", "field:n", "field:t", "field:m")):
                expect_values.add((study, s.field, s.value))
        for r in result.rows.get("g", []):
            expect_rows.add((study, tuple(sorted((k, v) for k, v in r.values.items()
                                                 if k not in r.unsettled))))
    why = unresolved["why"] if "why" in unresolved else pd.Series([None] * len(unresolved))
    uncoded = (why == NOT_CODED).to_numpy()
    got_open = set(zip(unresolved["study_id"][~uncoded], unresolved["field"][~uncoded],
                       unresolved["status"][~uncoded]))
    assert got_open == expect_open
    # an included study no coder has started: every value the consensus did not set is
    # pending and named so (the rule itself has nothing on it; the export must say so)
    names = {"code:dim", "field:n", "field:t", "field:m"}
    expect_uncoded = {(study, name) for study in ("s1", "s2")
                      if not any(e.study_id == study for sheet, e in events if sheet != "consensus")
                      for name in names if (study, name) not in
                      {(e.study_id, e.field) for sheet, e in events if sheet == "consensus"}}
    got_uncoded = set(zip(unresolved["study_id"][uncoded], unresolved["field"][uncoded]))
    assert got_uncoded == expect_uncoded
    norm = {"code:dim": lambda v: frozenset(v.split(";")) - {""}}
    got_values = {(s, f, str(norm.get(f, str.strip)(v))) for s, f, v in
                  zip(values["study_id"], values["field"], values["value"])}
    assert got_values == {(s, f, str(norm.get(f, str.strip)(v))) for s, f, v in expect_values}
    got_rows = set()
    for (study, rid), part in rows.groupby(["study_id", "row_id"]):
        got_rows.add((study, tuple(sorted((f, v) for f, v in zip(part["field"], part["value"])
                                          if f))))
    assert got_rows == expect_rows


@settings(max_examples=80, deadline=None)
@given(st.lists(event, max_size=12))
def test_the_quick_check_never_hides_a_conflict(spec):
    from workbench.core.consensus import quick_agreed
    cells = {}
    for sheet, e in _events(spec):
        if e.study_id == "s1":
            cells.setdefault(sheet, {})[e.field] = e
    if quick_agreed(cells, 2):
        result = coding_consensus(CODEBOOK, "coding", "s1", cells, 2)
        assert [s for s in result.states if s.status != FINAL] == []
