"""The decisions an export uses: latest-wins sheet values combined into one source.

The sheets arrive as one events table (the sheet CSV columns plus `sheet`, the
file's stem: a reviewer name or "consensus"). The source is either the
consensus (the consensus sheet, plus every value on which all the reviewers a
stage requires agree) or one reviewer's sheet. Vectorized with pandas, so a
100k-study review resolves in about a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.codebook import Stage
from workbench.core.events import COLUMNS, CONSENSUS
from workbench.core.consensus import CONFLICT, PENDING, FinalDecision, final_decisions
from workbench.core.screening import CRITERIA, DECISION

SHEET = "sheet"
#: The `source` of a value all required reviewers gave alike (no consensus entry).
AGREED = "agreed"
EVENT_COLUMNS = (*COLUMNS, SHEET)


def events_frame(rows: list[tuple], sheet: str) -> pd.DataFrame:
    """Return the events of one sheet (tuples in COLUMNS order) as a string DataFrame."""
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS)) if rows else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame[SHEET] = sheet
    return frame


def latest_values(events: pd.DataFrame) -> pd.DataFrame:
    """Return the latest event of every (sheet, stage, study, field): the sheets' current state."""
    return events.drop_duplicates([SHEET, "stage", "study_id", "field"], keep="last")


def final_screening(latest: pd.DataFrame, stage: Stage, source: str) -> dict[str, FinalDecision]:
    """Return study id -> FinalDecision at one screening stage, from the sheets' events.

    The rule is `workbench.core.consensus.final_decisions`: the consensus
    sheet wins; else at least `stage.reviewers` reviewers agree -> final;
    disagreement -> conflict; else pending. Reviewer source: that reviewer's
    decision, or nothing.

    Args:
        latest: `latest_values` of every sheet.
        stage: the screening stage.
        source: "consensus" or a reviewer name.

    Returns:
        study id -> FinalDecision for every study some sheet decided on.
    """
    at = latest[latest["stage"] == stage.id]
    decided = at[at["field"] == DECISION][[SHEET, "study_id", "value"]]
    if decided.empty:
        return {}
    criteria = at[at["field"] == CRITERIA][[SHEET, "study_id", "value"]].rename(
        columns={"value": "criteria"})
    both = decided.merge(criteria, on=[SHEET, "study_id"], how="left")
    votes = zip(both[SHEET].tolist(), both["study_id"].tolist(), both["value"].tolist(),
                both["criteria"].fillna("").tolist())
    return final_decisions(stage.id, votes, stage.reviewers, source)


def resolve_coding(latest: pd.DataFrame, stage: Stage, source: str,
                   studies: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Resolve the coding stage's values for some studies.

    Args:
        latest: `latest_values` of every sheet.
        stage: the coding stage (`stage.reviewers` reviewers must agree).
        source: "consensus" or a reviewer name.
        studies: the study ids to resolve (the included studies).

    Returns:
        (values, rows, unresolved): `values` has study_id, field, value, source
        for every non-row field; `rows` has study_id, group, row_id, row_time,
        field, value, source for the repeatable-group rows that exist;
        `unresolved` has study_id, field, status (conflict|pending) for what
        the reviewers have not settled (left missing in the dataset).
    """
    at = latest[(latest["stage"] == stage.id) & latest["study_id"].isin(studies)]
    is_row = at["field"].str.startswith("row:")
    plain, rowish = at[~is_row], at[is_row]
    rows = _group_rows(rowish)
    empty_unresolved = pd.DataFrame({"study_id": [], "field": [], "status": []}, dtype=object)
    if source != CONSENSUS:
        values = plain[plain[SHEET] == source][["study_id", "field", "value"]].assign(
            source=source)
        rows = rows[rows[SHEET] == source].drop(columns=[SHEET]).assign(source=source)
        return values.reset_index(drop=True), rows.reset_index(drop=True), empty_unresolved
    values, unresolved = _agree(plain, stage.reviewers)
    rows_out, unresolved_rows = _agree_rows(rows, stage.reviewers)
    unresolved = pd.concat([unresolved, unresolved_rows], ignore_index=True) \
        if not unresolved_rows.empty else unresolved
    return values, rows_out, unresolved


def _agree(plain: pd.DataFrame, required: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    cons = plain[plain[SHEET] == CONSENSUS][["study_id", "field", "value"]].assign(
        source=CONSENSUS)
    rev = plain[plain[SHEET] != CONSENSUS].sort_values(SHEET, kind="stable")
    stats = rev.groupby(["study_id", "field"], sort=False).agg(
        n=("value", "size"), kinds=("value", "nunique"),
        value=("value", "first")).reset_index()
    taken = cons.set_index(["study_id", "field"]).index
    stats = stats[~stats.set_index(["study_id", "field"]).index.isin(taken)]
    ok = (stats["kinds"] == 1) & (stats["n"] >= required)
    agreed = stats[ok][["study_id", "field", "value"]].assign(source=AGREED)
    bad = stats[~ok]
    unresolved = pd.DataFrame({"study_id": bad["study_id"], "field": bad["field"],
                               "status": (bad["kinds"] > 1).map({True: CONFLICT,
                                                                 False: PENDING})})
    values = pd.concat([cons, agreed], ignore_index=True)
    return values, unresolved.reset_index(drop=True)


def _group_rows(rowish: pd.DataFrame) -> pd.DataFrame:
    """Rows that exist: sheet, study_id, group, row_id, row_time, field, value."""
    cols = [SHEET, "study_id", "group", "row_id", "row_time", "field", "value"]
    if rowish.empty:
        return pd.DataFrame({c: [] for c in cols}, dtype=object)
    parts = rowish["field"].str.split(":", n=3, expand=True).reindex(columns=range(4))
    frame = rowish.assign(group=parts[1], row_id=parts[2], sub=parts[3])
    exists = frame[frame["sub"].isna() & (frame["value"] == "1")]
    exists = exists[[SHEET, "study_id", "group", "row_id", "time"]].rename(
        columns={"time": "row_time"})
    vals = frame[frame["sub"].notna()][[SHEET, "study_id", "group", "row_id", "sub", "value"]]
    vals = vals.rename(columns={"sub": "field"})
    out = exists.merge(vals, on=[SHEET, "study_id", "group", "row_id"], how="left")
    out["field"] = out["field"].fillna("")
    out["value"] = out["value"].fillna("")
    return out.sort_values([SHEET, "study_id", "group", "row_time", "row_id"],
                           kind="stable")[cols].reset_index(drop=True)


def _agree_rows(rows: pd.DataFrame, required: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Consensus rows when present; else the rows all required reviewers entered alike."""
    keys = [SHEET, "study_id", "group"]
    if rows.empty:
        return rows.drop(columns=[SHEET]).assign(source=[]), pd.DataFrame(
            {"study_id": [], "field": [], "status": []}, dtype=object)
    cons = rows[rows[SHEET] == CONSENSUS]
    taken = cons.set_index(["study_id", "group"]).index
    rev = rows[(rows[SHEET] != CONSENSUS)
               & ~rows.set_index(["study_id", "group"]).index.isin(taken)]
    # One fingerprint per (reviewer, study, group), the same whatever the order of
    # the rows and of their values: a row is the multiset of its field=value
    # pairs (sum of their 64-bit hashes), re-hashed so rows do not mix, and a
    # group is the multiset of its rows (sum of the row hashes).
    pairs = pd.util.hash_pandas_object(rev["field"] + "\x1f" + rev["value"],
                                       index=False).to_numpy()
    row_code = rev.groupby(keys + ["row_id"], sort=False).ngroup().to_numpy()
    row_sum = np.zeros(int(row_code.max()) + 1 if len(row_code) else 0, dtype=np.uint64)
    np.add.at(row_sum, row_code, pairs)
    first_of_row = pd.Series(np.arange(len(rev))).groupby(row_code).first().to_numpy()
    per_row = rev.iloc[first_of_row][keys].reset_index(drop=True)
    row_hash = pd.util.hash_array(row_sum)
    group_code = per_row.groupby(keys, sort=False).ngroup().to_numpy()
    canon_sum = np.zeros(int(group_code.max()) + 1 if len(group_code) else 0, dtype=np.uint64)
    np.add.at(canon_sum, group_code, row_hash)
    first_of_group = pd.Series(np.arange(len(per_row))).groupby(group_code).first().to_numpy()
    canon = per_row.iloc[first_of_group].reset_index(drop=True).assign(canon=canon_sum)
    canon = canon.sort_values(SHEET, kind="stable")
    stats = canon.groupby(["study_id", "group"], sort=False).agg(
        n=("canon", "size"), kinds=("canon", "nunique"),
        first=(SHEET, "first")).reset_index()
    ok = (stats["kinds"] == 1) & (stats["n"] >= required)
    chosen = stats[ok]
    picked = rev.merge(chosen[["study_id", "group", "first"]].rename(
        columns={"first": SHEET}), on=[SHEET, "study_id", "group"])
    picked = picked.drop(columns=[SHEET]).assign(source=AGREED)
    out = pd.concat([cons.drop(columns=[SHEET]).assign(source=CONSENSUS), picked],
                    ignore_index=True)
    bad = stats[~ok]
    unresolved = pd.DataFrame({"study_id": bad["study_id"], "field": "row:" + bad["group"],
                               "status": (bad["kinds"] > 1).map({True: CONFLICT,
                                                                 False: PENDING})})
    return out, unresolved.reset_index(drop=True)
