"""agree_values on integer codes gives the very frames of the previous version, which joined texts.

`agree_values_on_texts` below is that version, kept as the oracle: the same
rows in the same order, the same cells, on random sheets (the consensus rule's
strategy plus fields the codebook does not know, studies differing only in
case, sheet names that sort differently from their first appearance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.io.test_export_coding_rule import CODEBOOK, STAGE, VALUES
from workbench.core.consensus import AGREED, CONFLICT, PENDING
from workbench.core.events import CONSENSUS
from workbench.io.exports.coding import _canonical, agree_values, field_masks, value_fields
from workbench.io.exports.decisions import events_frame, latest_values

SHEET = "sheet"


def agree_values_on_texts(codebook, at: pd.DataFrame, required: int,
                 masks: tuple | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes and extraction values: (values, unresolved) by the consensus rule.

    Args:
        codebook: the review's codebook.
        at: latest events of the coding stage (all sheets) for the studies exported.
        required: the stage's `reviewers`.

    Returns:
        values (study_id, field, value, source) of every FINAL value, and
        unresolved (study_id, field, status) of the others.
    """
    kind_ok, is_value, _ = masks if masks is not None else field_masks(at)
    is_cons = (at[SHEET] == CONSENSUS).to_numpy()
    cons = at[is_value & is_cons][["study_id", "field", "value"]]
    rev = at[is_value & ~is_cons][[SHEET, "study_id", "field", "value"]]
    part = at[kind_ok & ~is_cons][["study_id", SHEET]].drop_duplicates()
    names = value_fields(codebook)
    known = set(names)
    base = part.merge(pd.DataFrame({"field": names}), how="cross")
    extra = pd.concat([rev[["study_id", "field"]], cons[["study_id", "field"]]])
    extra = extra[~extra["field"].isin(known)].drop_duplicates()
    grid = pd.concat([base, part.merge(extra, on="study_id")], ignore_index=True)
    grid = grid.merge(rev, on=[SHEET, "study_id", "field"], how="left")
    grid["value"] = grid["value"].fillna("").astype(object)
    # Few distinct (field, value) pairs: canonicalise each once, then join.
    pairs = grid[["field", "value"]].drop_duplicates()
    pairs["canon"] = [_canonical(codebook, f, v) for f, v in
                      zip(pairs["field"].tolist(), pairs["value"].tolist())]
    grid = grid.merge(pairs, on=["field", "value"], how="left")
    grid = grid.sort_values(SHEET, kind="stable")
    stats = grid.groupby(["study_id", "field"], sort=False).agg(
        n=("canon", "size"), kinds=("canon", "nunique"), value=("value", "first")).reset_index()
    settled = pd.MultiIndex.from_frame(cons[["study_id", "field"]])
    keys = pd.MultiIndex.from_frame(stats[["study_id", "field"]])
    stats = stats[~keys.isin(settled)]
    ok = (stats["kinds"] == 1) & (stats["n"] >= max(required, 1))
    agreed = stats[ok][["study_id", "field", "value"]].assign(source=AGREED)
    bad = stats[~ok]
    unresolved = pd.DataFrame({"study_id": bad["study_id"], "field": bad["field"],
                               "status": np.where(bad["kinds"] > 1, CONFLICT, PENDING)},
                              dtype=object).reset_index(drop=True)
    _codes_in_common_on_texts(grid, bad, unresolved, required)
    values = pd.concat([cons.assign(source=CONSENSUS), agreed], ignore_index=True)
    return values.reset_index(drop=True), unresolved


def _codes_in_common_on_texts(grid: pd.DataFrame, bad: pd.DataFrame, unresolved: pd.DataFrame,
                     required: int) -> None:
    """Add to `unresolved` the codes every coder gave and those only some gave, per code conflict.

    A dimension the coders differ on is not agreed as a whole, but the codes
    they all ticked (or all left) are: the coded dataset shows those per-code
    columns and leaves only the disputed codes empty. Columns `agreed` and
    `disputed` (";"-joined code ids), None for every other unresolved value.
    """
    unresolved["agreed"] = None
    unresolved["disputed"] = None
    hit = bad[(bad["kinds"] > 1) & (bad["n"] >= max(required, 1))
              & bad["field"].str.startswith("code:")][["study_id", "field"]]
    if hit.empty:
        return
    sets = grid.merge(hit, on=["study_id", "field"]).groupby(
        ["study_id", "field"], sort=False)["canon"].agg(list)
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for key, canons in sets.items():
        given = [set(c.split(";")) - {""} for c in canons]
        common, any_ = set.intersection(*given), set.union(*given)
        found[key] = (";".join(sorted(common)), ";".join(sorted(any_ - common)))
    keys = list(zip(unresolved["study_id"].tolist(), unresolved["field"].tolist()))
    unresolved["agreed"] = [found[k][0] if k in found else None for k in keys]
    unresolved["disputed"] = [found[k][1] if k in found else None for k in keys]


SHEETS = ("bob", "Zed", "alice", "consensus", "al")
FIELDS = sorted(VALUES) + ["field:unknown", "code:gone", "row:g:r1", "row:g:r1:name", "memo:dim"]
TEXTS = ("", "a", "b", "a;b", "5", "5.0", " x", "x;y", "y;x", "1", 'q "u"\nx,y')
event = st.tuples(st.sampled_from(SHEETS), st.sampled_from(("s1", "S1", "s2", "s3")),
                  st.sampled_from(FIELDS), st.sampled_from(TEXTS),
                  st.sampled_from(("coding", "other")))


def _latest(spec) -> pd.DataFrame:
    rows: dict[str, list[tuple]] = {}
    for n, (sheet, study, name, value, stage) in enumerate(spec):
        time = f"2025-01-01T00:{n // 60:02d}:{n % 60:02d}.000000Z"
        rows.setdefault(sheet, []).append((time, sheet, study, stage, name, value, "", "v1"))
    frames = [events_frame(lines, sheet) for sheet, lines in rows.items()] or \
        [events_frame([], "alice")]
    latest = latest_values(pd.concat(frames, ignore_index=True))
    return latest[latest["stage"] == STAGE.id].astype(object)


@settings(max_examples=80, deadline=None)
@given(st.lists(event, max_size=40), st.integers(1, 3))
def test_codes_give_the_frames_of_the_texts(spec, required):
    at = _latest(spec)
    masks = field_masks(at)
    values, unresolved = agree_values(CODEBOOK, at, required, masks)
    old_values, old_unresolved = agree_values_on_texts(CODEBOOK, at, required, masks)
    pd.testing.assert_frame_equal(values, old_values)
    pd.testing.assert_frame_equal(unresolved, old_unresolved)


def test_a_code_conflict_keeps_the_codes_in_common():
    spec = [("alice", "s1", "code:dim", "a;b", "coding"), ("bob", "s1", "code:dim", "a", "coding"),
            ("Zed", "s1", "code:dim", "a", "coding")]
    at = _latest(spec)
    values, unresolved = agree_values(CODEBOOK, at, 2)
    row = unresolved[unresolved["field"] == "code:dim"].iloc[0]
    assert (row["study_id"], row["status"], row["agreed"], row["disputed"]) == \
        ("s1", CONFLICT, "a", "b")
    pd.testing.assert_frame_equal(unresolved, agree_values_on_texts(CODEBOOK, at, 2)[1])
