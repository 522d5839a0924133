"""The coding stage's agreed values for the export, by the one consensus rule, fast.

`workbench.core.consensus.coding_consensus` is the rule (pure Python, one
study at a time). A 100k-study review cannot afford it for every study, so
this module applies the same rule vectorized with pandas where it can:

- codes and extraction values: every coder who took part in a study (any
  code:, field: or row: event at the stage) has a value for every dimension
  and field of the codebook ("" when they left it untouched); values are
  compared in the same canonical form as the core rule (code sets as sets,
  numbers as numbers, multi-choices as sets, text stripped);
- group rows: when every coder who took part entered the same rows (the same
  multiset of field=value pairs, whatever the row ids) and the consensus
  sheet has no row of that study, those rows are agreed as they are; any
  other study's rows go through the core rule (row matching by key, row by
  row, field by field).

Tests compare this with the core rule on generated sheets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.consensus import AGREED, CONFLICT, FINAL, PENDING, coding_consensus
from workbench.core.events import COLUMNS, CONSENSUS, Event
from workbench.core.screening import split_ids

SHEET = "sheet"
ROW_COLUMNS = ("study_id", "group", "row_id", "row_time", "field", "value", "source")
_KINDS = ("code:", "field:", "row:")


def _empty_unresolved() -> pd.DataFrame:
    return pd.DataFrame({"study_id": [], "field": [], "status": []}, dtype=object)


def _canonical(codebook, name: str, value: str) -> str:
    """A value of one field in the form the core rule compares it (as a string)."""
    if name.startswith("code:"):
        return ";".join(sorted({codebook.resolve_code(c) for c in split_ids(value)}))
    fld = codebook.field(name[6:]) if name.startswith("field:") else None
    kind = fld.type if fld is not None else "text"
    text = value.strip()
    if text and kind in ("integer", "number"):
        try:
            return repr(float(text))
        except ValueError:
            return text
    if text and kind == "multi_choice":
        return ";".join(sorted(set(split_ids(text))))
    return text


def value_fields(codebook) -> list[str]:
    """The sheet fields the coders agree on, every study: `code:<dimension>`, `field:<id>`."""
    return [f"code:{d.id}" for d in codebook.dimensions] + \
        [f"field:{f.id}" for f in codebook.fields]


def field_masks(at: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (any coding value, code:/field: value, row:) masks of the events' fields."""
    heads = [f[:4] for f in at["field"].tolist()]
    is_value = np.array([h == "code" or h == "fiel" for h in heads], dtype=bool)
    is_row = np.array([h == "row:" for h in heads], dtype=bool)
    return is_value | is_row, is_value, is_row


def agree_values(codebook, at: pd.DataFrame, required: int,
                 masks: tuple | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes and extraction values: (values, unresolved) by the consensus rule.

    The sheet, study and field are joined and grouped as integer codes (one
    factorization each; the sheets' codes in name order), so the merges and
    groups of a 100k-study review compare numbers, not texts; the texts come
    back at the end. The rows come out in the same order as joining on the
    texts (tests/io/test_export_coding_codes.py keeps that version as the oracle).

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
    names = value_fields(codebook)
    study_code, study_text = pd.factorize(at["study_id"].to_numpy(dtype=object))
    codes, field_text = pd.factorize(np.concatenate([np.array(names, dtype=object),
                                                     at["field"].to_numpy(dtype=object)]))
    name_code, field_code = codes[:len(names)], codes[len(names):]
    sheet_code, _ = pd.factorize(at[SHEET].to_numpy(dtype=object), sort=True)
    coded = pd.DataFrame({SHEET: sheet_code, "study_id": study_code, "field": field_code,
                          "value": at["value"].to_numpy(dtype=object)})
    cons = coded[is_value & is_cons][["study_id", "field", "value"]]
    rev = coded[is_value & ~is_cons][[SHEET, "study_id", "field", "value"]]
    part = coded[kind_ok & ~is_cons][["study_id", SHEET]].drop_duplicates()
    known = set(name_code.tolist())
    base = part.merge(pd.DataFrame({"field": name_code}), how="cross")
    extra = pd.concat([rev[["study_id", "field"]], cons[["study_id", "field"]]])
    extra = extra[~extra["field"].isin(known)].drop_duplicates()
    grid = pd.concat([base, part.merge(extra, on="study_id")], ignore_index=True)
    grid = grid.merge(rev, on=[SHEET, "study_id", "field"], how="left")
    grid["value"] = grid["value"].fillna("").astype(object)
    # Few distinct (field, value) pairs: canonicalise each once, then join.
    pairs = grid[["field", "value"]].drop_duplicates()
    pairs["canon"] = [_canonical(codebook, field_text[f], v) for f, v in
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
    is_code = np.array([t.startswith("code:") for t in field_text.tolist()], dtype=bool)
    _codes_in_common(grid, bad, unresolved, required, is_code)
    values = pd.concat([cons.assign(source=CONSENSUS), agreed], ignore_index=True)
    for frame in (values, unresolved):
        for column, texts in (("study_id", study_text), ("field", field_text)):
            frame[column] = pd.Series(texts.take(frame[column].to_numpy(dtype=np.intp)),
                                      index=frame.index, dtype=object)
    return values.reset_index(drop=True), unresolved


def _codes_in_common(grid: pd.DataFrame, bad: pd.DataFrame, unresolved: pd.DataFrame,
                     required: int, is_code: np.ndarray) -> None:
    """Add to `unresolved` the codes every coder gave and those only some gave, per code conflict.

    A dimension the coders differ on is not agreed as a whole, but the codes
    they all ticked (or all left) are: the coded dataset shows those per-code
    columns and leaves only the disputed codes empty. Columns `agreed` and
    `disputed` (";"-joined code ids), None for every other unresolved value.
    Fields are codes here; `is_code[field]` says whether one is a `code:` field.
    """
    unresolved["agreed"] = None
    unresolved["disputed"] = None
    hit = bad[(bad["kinds"] > 1) & (bad["n"] >= max(required, 1))
              & is_code[bad["field"].to_numpy(dtype=np.intp)]][["study_id", "field"]]
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


def _fingerprints(rows: pd.DataFrame) -> pd.DataFrame:
    """One hash per (sheet, study, group): the multiset of its rows' field=value pairs."""
    keys = [SHEET, "study_id", "group"]
    pairs = pd.util.hash_pandas_object(rows["field"] + "\x1f" + rows["value"],
                                       index=False).to_numpy()
    row_code = rows.groupby(keys + ["row_id"], sort=False).ngroup().to_numpy()
    row_sum = np.zeros(int(row_code.max()) + 1 if len(row_code) else 0, dtype=np.uint64)
    np.add.at(row_sum, row_code, pairs)
    first_of_row = pd.Series(np.arange(len(rows))).groupby(row_code).first().to_numpy()
    per_row = rows.iloc[first_of_row][keys].reset_index(drop=True)
    row_hash = pd.util.hash_array(row_sum)
    group_code = per_row.groupby(keys, sort=False).ngroup().to_numpy()
    total = np.zeros(int(group_code.max()) + 1 if len(group_code) else 0, dtype=np.uint64)
    np.add.at(total, group_code, row_hash)
    first_of_group = pd.Series(np.arange(len(per_row))).groupby(group_code).first().to_numpy()
    return per_row.iloc[first_of_group].reset_index(drop=True).assign(canon=total)


def agree_rows(codebook, stage, at: pd.DataFrame, rows: pd.DataFrame, required: int,
               masks: tuple | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group rows: (rows, unresolved) by the consensus rule.

    Args:
        codebook: the review's codebook.
        stage: the coding stage.
        at: latest events of the coding stage (all sheets) for the studies exported.
        rows: `_group_rows(at's row: events)` (sheet, study_id, group, row_id,
            row_time, field, value) of the rows that exist.
        required: the stage's `reviewers`.

    Returns:
        rows (ROW_COLUMNS) in the dataset and unresolved (study_id, field, status).
    """
    is_cons = (at[SHEET] == CONSENSUS).to_numpy()
    kind_ok, _, is_row = masks if masks is not None else field_masks(at)
    part = at[kind_ok & ~is_cons][["study_id", SHEET]].drop_duplicates()
    n_part = part.groupby("study_id").size()
    cons_rows = set(at[is_cons & is_row]["study_id"])
    rev = rows[rows[SHEET] != CONSENSUS]
    out = [pd.DataFrame({c: [] for c in ROW_COLUMNS}, dtype=object)]
    slow = set(cons_rows)
    if not rev.empty:
        canon = _fingerprints(rev).sort_values(SHEET, kind="stable")
        stats = canon.groupby(["study_id", "group"], sort=False).agg(
            n=("canon", "size"), kinds=("canon", "nunique"), first=(SHEET, "first")).reset_index()
        need = stats["study_id"].map(n_part).fillna(0).astype(int)
        ok = (stats["kinds"] == 1) & (stats["n"] == need) & (need >= max(required, 1)) \
            & ~stats["study_id"].isin(slow)
        slow |= set(stats[~ok]["study_id"])
        fast = stats[ok & ~stats["study_id"].isin(slow)]
        picked = rev.merge(fast[["study_id", "group", "first"]].rename(columns={"first": SHEET}),
                           on=[SHEET, "study_id", "group"])
        out.append(picked.drop(columns=[SHEET]).assign(source=AGREED)[list(ROW_COLUMNS)])
    lines, open_ = [], []
    if slow:
        sub = at[at["study_id"].isin(slow)]
        cells: dict[str, dict[str, dict[str, Event]]] = {}
        for values in sub[[*COLUMNS, SHEET]].itertuples(index=False, name=None):
            cells.setdefault(values[2], {}).setdefault(values[8], {})[values[4]] = \
                Event(*values[:8])
        for study in sorted(cells):
            result = coding_consensus(codebook, stage.id, study, cells[study], required)
            for group_rows in result.rows.values():
                for r in group_rows:
                    # A field not agreed is left out (NA in the tables, listed as unresolved).
                    kept = [(f, v) for f, v in r.values.items() if f not in r.unsettled]
                    for fid, value in (kept or [("", "")]):
                        lines.append((study, r.group, r.row_id, r.time, fid, value, r.source))
            open_ += [(study, s.field, s.status) for s in result.states
                      if s.group and s.status != FINAL]
    if lines:
        out.append(pd.DataFrame(lines, columns=list(ROW_COLUMNS), dtype=object))
    unresolved = pd.DataFrame(open_, columns=["study_id", "field", "status"], dtype=object) \
        if open_ else _empty_unresolved()
    return pd.concat(out, ignore_index=True).astype(object), unresolved


__all__ = ["agree_values", "agree_rows", "field_masks", "ROW_COLUMNS"]
