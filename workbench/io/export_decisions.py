"""The decisions an export uses: latest-wins sheet values combined into one source.

The sheets arrive as one events table (the sheet CSV columns plus `sheet`, the
file's stem: a reviewer name or "consensus"). The source is either the
consensus (the consensus sheet, plus every value on which all the reviewers a
stage requires agree) or one reviewer's sheet. Vectorized with pandas, so a
100k-study review resolves in about a second.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.core.codebook import Stage
from workbench.core.consensus import CONFLICT, PENDING, FinalDecision, final_decisions
from workbench.core.events import COLUMNS, CONSENSUS, is_valid_reviewer
from workbench.core.screening import CRITERIA, DECISION
from workbench.io.export_tables import starts_with

SHEET = "sheet"
#: The `source` of a value all required reviewers gave alike (no consensus entry).
AGREED = "agreed"
EVENT_COLUMNS = (*COLUMNS, SHEET)
#: Fields whose values the coders must agree on (plus the `row:` group rows).
VALUE_PREFIXES = ("code:", "field:")
#: Columns of the annotations table (annotations.csv).
ANNOTATION_COLUMNS = ("study_id", "coder", "kind", "target", "text", "page")
#: Annotation kinds: a dimension's memo, a code's evidence (quote and page), a
#: study's flag for discussion (text = the reason), a coder's note.
MEMO, EVIDENCE, FLAG, NOTE = "memo", "evidence", "flag", "note"


def events_frame(rows: list[tuple], sheet: str) -> pd.DataFrame:
    """Return the events of one sheet (tuples in COLUMNS order) as a string DataFrame."""
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS)) if rows else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame[SHEET] = sheet
    return frame


_HEADER = ",".join(COLUMNS) + "\n"
_TIMES = re.compile(r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\n)*")


def read_clean_sheet(path: Path) -> pd.DataFrame | None:
    """Read a clean coding sheet fast (pandas' C reader) as an events DataFrame; else None.

    Clean: a header line, UTF-8, a complete last line, every row with 8
    columns, valid times and reviewer names, no empty id. Anything else
    returns None, and the caller reads the file with
    `workbench.store.sheet.read_sheet`, which keeps the valid events and
    reports each bad line; for a clean file both give the same events.

    Args:
        path: coding/<reviewer>.csv or coding/consensus.csv.

    Returns:
        The events (COLUMNS plus `sheet`, the file stem) in file order, or None.
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    text = text.removeprefix("\ufeff")
    if not text.startswith(_HEADER) or not text.endswith("\n"):
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False,
                            na_filter=False, engine="c")
    except (pd.errors.ParserError, ValueError):
        return None
    # A short row leaves its last column missing; a long one fails to parse.
    if list(frame.columns) != list(COLUMNS) or frame[COLUMNS[-1]].isna().any():
        return None
    times = "\n".join(frame["time"].tolist()) + "\n"
    if len(frame) and (len(times) != 28 * len(frame) or not _TIMES.fullmatch(times)):
        return None
    if not all(is_valid_reviewer(name) for name in frame["reviewer"].unique()):
        return None
    if any((frame[c] == "").any() for c in ("study_id", "stage", "field")):
        return None
    frame[SHEET] = path.stem
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
        for every code (`code:<dimension>`) and extraction value (`field:<id>`); `rows` has study_id, group, row_id, row_time,
        field, value, source for the repeatable-group rows that exist;
        `unresolved` has study_id, field, status (conflict|pending) for what
        the reviewers have not settled (left missing in the dataset).
    """
    at = latest[(latest["stage"] == stage.id) & latest["study_id"].isin(studies)]
    fields = at["field"].tolist()
    is_row = np.array([f.startswith("row:") for f in fields], dtype=bool)
    # Only codes and extraction values are agreed on; memos, evidence, flags and
    # notes are each coder's annotations (`coding_annotations`).
    is_value = np.array([f.startswith(VALUE_PREFIXES) for f in fields], dtype=bool)
    plain, rowish = at[is_value], at[is_row]
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
    """Rows that exist: sheet, study_id, group, row_id, row_time, field, value.

    A row exists when its `row:<group>:<row id>` field is "1"; its values are
    the `row:<group>:<row id>:<field>` fields (a row with none gets one line
    with field and value ""). Plain loops over the columns: one dict lookup
    per event, far cheaper than splitting and merging frames.
    """
    cols = [SHEET, "study_id", "group", "row_id", "row_time", "field", "value"]
    if rowish.empty:
        return pd.DataFrame({c: [] for c in cols}, dtype=object)
    sheets, studies = rowish[SHEET].tolist(), rowish["study_id"].tolist()
    fields, values, times = rowish["field"].tolist(), rowish["value"].tolist(), \
        rowish["time"].tolist()
    exists: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for sheet, study, fld, value, time in zip(sheets, studies, fields, values, times):
        parts = fld.split(":")
        if len(parts) == 3 and value == "1":
            exists[(sheet, study, fld)] = (parts[1], parts[2], time)
    out: list[tuple] = []
    filled: set[tuple[str, str, str]] = set()
    for sheet, study, fld, value in zip(sheets, studies, fields, values):
        head, sep, sub = fld.rpartition(":")
        key = (sheet, study, head)
        row = exists.get(key)
        if row is not None and sep:
            out.append((sheet, study, *row, sub, value))
            filled.add(key)
    out += [(key[0], key[1], *row, "", "") for key, row in exists.items() if key not in filled]
    if not out:
        return pd.DataFrame({c: [] for c in cols}, dtype=object)
    return pd.DataFrame(dict(zip(cols, map(list, zip(*out)))), dtype=object)


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


def coding_annotations(latest: pd.DataFrame, stage: Stage, source: str, studies: pd.Index,
                       resolve_code=None) -> pd.DataFrame:
    """Return each coder's annotations at the coding stage: memos, evidence, flags, notes.

    They are per-coder remarks, never values to agree on: every sheet's current
    ones are kept (only the source reviewer's with a reviewer source), and an
    empty (cleared) one is left out.

    Args:
        latest: `latest_values` of every sheet.
        stage: the coding stage.
        source: "consensus" (every sheet) or a reviewer name (that sheet).
        studies: the study ids to keep (the included studies), in output order.
        resolve_code: maps an old code id to its current one (codebook renames).

    Returns:
        ANNOTATION_COLUMNS: study_id, coder (the sheet), kind (memo, evidence,
        flag, note), target (the dimension of a memo, the code of evidence, else
        ""), text (memo, quote, flag reason or note), page (evidence only).
    """
    at = latest[(latest["stage"] == stage.id) & latest["study_id"].isin(studies)]
    if source != CONSENSUS:
        at = at[at[SHEET] == source]
    fields = at["field"].tolist()
    keep = np.array([f.startswith(("memo:", "quote:", "page:")) or f in ("flag", "note")
                     for f in fields], dtype=bool)
    resolve = resolve_code or (lambda code: code)
    out: dict[tuple[str, str, str, str], list[str]] = {}
    part = at[keep]
    for sheet, study, fld, value, note in zip(part[SHEET].tolist(), part["study_id"].tolist(),
                                              part["field"].tolist(), part["value"].tolist(),
                                              part["note"].tolist()):
        kind, _, target = fld.partition(":")
        if kind == "flag":
            if value:
                out[(study, sheet, FLAG, "")] = [note, ""]
        elif kind == "note" and value:
            out[(study, sheet, NOTE, "")] = [value, ""]
        elif kind == "memo" and value:
            out[(study, sheet, MEMO, target)] = [value, ""]
        elif kind in ("quote", "page"):
            slot = out.setdefault((study, sheet, EVIDENCE, resolve(target)), ["", ""])
            slot[0 if kind == "quote" else 1] = value
    order = {sid: i for i, sid in enumerate(studies)}
    kinds = {MEMO: 0, EVIDENCE: 1, FLAG: 2, NOTE: 3}
    rows = sorted(((k, v) for k, v in out.items() if v[0] or v[1] or k[2] == FLAG),
                  key=lambda kv: (order.get(kv[0][0], 0), kv[0][1], kinds[kv[0][2]], kv[0][3]))
    return pd.DataFrame([(*k, *v) for k, v in rows], columns=list(ANNOTATION_COLUMNS),
                        dtype=object)
