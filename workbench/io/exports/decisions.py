"""The decisions an export uses: latest-wins sheet values combined into one source.

The sheets arrive as one events table (the sheet CSV columns plus `sheet`, the
file's stem: a reviewer name or "consensus"). The source is either the
consensus (the consensus sheet, plus every value on which all the reviewers a
stage requires agree) or one reviewer's sheet. Vectorized with pandas, so a
100k-study review resolves in about a second.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from workbench.core.codebook import Stage
from workbench.core.consensus import CONFLICT, FINAL, PENDING, FinalDecision
from workbench.core.events import COLUMNS, CONSENSUS
from workbench.core.evidence import passages_of
from workbench.core.screening import CRITERIA, DECISION, join_ids, split_ids

SHEET = "sheet"
#: Why a value is left empty when no coder has started the study (the `why` of its pending values).
NOT_CODED = "not coded"
ROW_EXISTS = "1"
#: The `source` of a value all required reviewers gave alike (no consensus entry).
AGREED = "agreed"
EVENT_COLUMNS = (*COLUMNS, SHEET)
#: Fields whose values the coders must agree on (plus the `row:` group rows).
VALUE_PREFIXES = ("code:", "field:")
#: Columns of the annotations table (annotations.csv).
ANNOTATION_COLUMNS = ("study_id", "coder", "kind", "target", "text", "page", "start", "end",
                      "file_sha256")
#: Annotation kinds: a dimension's memo, a code's evidence (quote and page), a
#: passage of the full text tied to a code or field (target "code:<id>" or
#: "field:<id>", with its offsets in the page's extracted text and the file's
#: SHA-256), a study's flag for discussion (text = the reason), a coder's note.
MEMO, EVIDENCE, PASSAGE, FLAG, NOTE = "memo", "evidence", "passage", "flag", "note"


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

    The rule is `workbench.core.consensus.final_decisions` (vectorized here,
    with the same results; tests compare the two): the consensus
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
    fields = at["field"].to_numpy(dtype=object)
    decided = at[fields == DECISION][[SHEET, "study_id", "value"]]
    decided = decided[decided["value"].to_numpy(dtype=object) != ""]   # "" = undone
    if source != CONSENSUS:
        decided = decided[decided[SHEET].to_numpy(dtype=object) == source]
    if decided.empty:
        return {}
    criteria = at[fields == CRITERIA][[SHEET, "study_id", "value"]].rename(
        columns={"value": "criteria"})
    both = decided.merge(criteria, on=[SHEET, "study_id"], how="left")
    both["criteria"] = both["criteria"].fillna("")
    parsed = {text: split_ids(text) for text in both["criteria"].unique().tolist()}
    out: dict[str, FinalDecision] = {}
    sid = stage.id
    is_cons = both[SHEET].to_numpy(dtype=object) == CONSENSUS
    if source == CONSENSUS:
        # Reviewers' votes on studies without a consensus decision, in sheet name order.
        rev = both[~is_cons & ~both["study_id"].isin(both["study_id"][is_cons])]
        rev = rev.sort_values(SHEET, kind="stable")
        stats = rev.groupby("study_id", sort=False).agg(
            n=("value", "size"), kinds=("value", "nunique"), decision=("value", "first"),
            texts=("criteria", "nunique"), criteria=("criteria", "first"))
        mixed = stats.index[(stats["kinds"] == 1) & (stats["texts"] > 1)]
        union, differ = {}, set()
        if len(mixed):
            part = rev[rev["study_id"].isin(mixed)]
            for study, texts in part.groupby("study_id", sort=False)["criteria"]:
                union[study] = split_ids(join_ids(c for t in texts for c in parsed[t]))
                if len({frozenset(parsed[t]) for t in texts}) > 1:
                    differ.add(study)
        for study, n, kinds, decision, text in zip(
                stats.index.tolist(), stats["n"].tolist(), stats["kinds"].tolist(),
                stats["decision"].tolist(), stats["criteria"].tolist()):
            if kinds > 1:
                out[study] = FinalDecision(study, sid, CONFLICT)
            elif n >= stage.reviewers:
                out[study] = FinalDecision(study, sid, FINAL, decision,
                                           union.get(study) or parsed[text],
                                           study not in differ)
            else:
                out[study] = FinalDecision(study, sid, PENDING)
        both = both[is_cons]
    for study, decision, text in zip(both["study_id"].tolist(), both["value"].tolist(),
                                     both["criteria"].tolist()):
        out[study] = FinalDecision(study, sid, FINAL, decision, parsed[text])
    return out


def resolve_coding(latest: pd.DataFrame, stage: Stage, source: str,
                   studies: pd.Index, codebook=None) -> tuple[pd.DataFrame, pd.DataFrame,
                                                         pd.DataFrame]:
    """Resolve the coding stage's values for some studies.

    With the consensus as the source the rule is `workbench.core.consensus`
    (applied fast by `workbench.io.exports.coding`): the consensus sheet's
    value, else the value every coder who took part gave alike ("" for one
    they left untouched); group rows matched across coders by their key.

    Args:
        latest: `latest_values` of every sheet.
        stage: the coding stage (`stage.reviewers` reviewers must agree).
        source: "consensus" or a reviewer name.
        studies: the study ids to resolve (the included studies).
        codebook: the review's codebook (needed with the consensus source).

    Returns:
        (values, rows, unresolved): `values` has study_id, field, value, source
        for every code (`code:<dimension>`) and extraction value (`field:<id>`);
        `rows` has study_id, group, row_id, row_time,
        field, value, source for the repeatable-group rows in the dataset;
        `unresolved` has study_id, field, status (conflict|pending) for what
        the reviewers have not settled (left missing in the dataset).
    """
    from workbench.io.exports.coding import agree_rows, agree_values, field_masks

    at = latest[(latest["stage"] == stage.id) & latest["study_id"].isin(studies)]
    # Only codes and extraction values are agreed on; memos, evidence, flags and
    # notes are each coder's annotations (`coding_annotations`).
    masks = field_masks(at)
    _, is_value, is_row = masks
    plain, rowish = at[is_value], at[is_row]
    rows = _group_rows(rowish)
    if source != CONSENSUS:
        values = plain[plain[SHEET] == source][["study_id", "field", "value"]].assign(
            source=source)
        rows = rows[rows[SHEET] == source].drop(columns=[SHEET]).assign(source=source)
        mine = (at[SHEET] == source).to_numpy()
        uncoded = not_coded(codebook, at[mine], tuple(m[mine] for m in masks), studies, values) \
            if codebook is not None else \
            pd.DataFrame({"study_id": [], "field": [], "status": []}, dtype=object)
        return values.reset_index(drop=True), rows.reset_index(drop=True), uncoded
    if codebook is None:
        raise ValueError("resolve_coding needs the codebook with the consensus source")
    values, unresolved = agree_values(codebook, at, stage.reviewers, masks)
    rows_out, unresolved_rows = agree_rows(codebook, stage, at, rows, stage.reviewers, masks)
    uncoded = not_coded(codebook, at, masks, studies, values)
    extra = [t for t in (unresolved_rows, uncoded) if not t.empty]
    if extra:
        unresolved = pd.concat([unresolved, *extra], ignore_index=True)
    return values, rows_out, unresolved


def not_coded(codebook, at: pd.DataFrame, masks, studies, values: pd.DataFrame) -> pd.DataFrame:
    """Pending values of the studies no coder has started: every code and field not settled.

    A study that passed screening but that no coder has coded has no events
    at the coding stage, so nothing else would list it; its row in the coded
    dataset would look like a study coded as having nothing. Its values are
    pending (not agreed), one per dimension and extraction field the
    consensus sheet has not set.
    """
    kind_ok = masks[0]
    started = set(at[kind_ok & (at[SHEET] != CONSENSUS).to_numpy()]["study_id"].tolist())
    missing = [s for s in studies if s not in started]
    from workbench.io.exports.coding import value_fields
    names = value_fields(codebook)
    if not missing or not names:
        return pd.DataFrame({"study_id": [], "field": [], "status": []}, dtype=object)
    settled = set(zip(values["study_id"].tolist(), values["field"].tolist()))
    hit = [(s, n) for s in missing for n in names if (s, n) not in settled]
    return pd.DataFrame({"study_id": [s for s, _ in hit], "field": [n for _, n in hit],
                         "status": PENDING, "why": NOT_CODED}, dtype=object)


def _group_rows(rowish: pd.DataFrame) -> pd.DataFrame:
    """Rows that exist: sheet, study_id, group, row_id, row_time, field, value.

    A row exists when its `row:<group>:<row id>` field is "1"; its values are
    the `row:<group>:<row id>:<field>` fields (a row with none gets one line
    with field and value ""), in event order.
    """
    cols = [SHEET, "study_id", "group", "row_id", "row_time", "field", "value"]
    if rowish.empty:
        return pd.DataFrame({c: [] for c in cols}, dtype=object)
    fields = rowish["field"].tolist()
    # A row's key is (sheet, study, "row:<group>:<row id>"): the existence
    # field itself, or the head of a value field. Keys are coded as integers
    # (factorized columns), so matching values to their rows runs in C.
    cut = [f.rpartition(":") for f in fields]
    is_head = np.array([f.count(":") == 2 for f in fields], dtype=bool)
    heads = [f if h else c[0] for f, h, c in zip(fields, is_head.tolist(), cut)]
    head_code, _ = pd.factorize(np.array(heads, dtype=object))
    sheet_code, sheets = pd.factorize(rowish[SHEET].to_numpy())
    study_code, _ = pd.factorize(rowish["study_id"].to_numpy())
    key = (sheet_code.astype(np.int64) * (int(study_code.max()) + 1)
           + study_code) * (int(head_code.max()) + 1) + head_code
    values = rowish["value"].to_numpy(dtype=object)
    exists = is_head & (values == ROW_EXISTS)
    where = np.flatnonzero(exists)
    at = pd.Index(key[where]).get_indexer(key)
    is_value = ~is_head & (at >= 0)
    parts = [fields[i].split(":") for i in where.tolist()]
    group = np.array([p[1] for p in parts], dtype=object)
    row_id = np.array([p[2] for p in parts], dtype=object)
    row_time = rowish["time"].to_numpy(dtype=object)[where]
    owner = at[is_value]
    filled = np.zeros(len(where), dtype=bool)
    filled[owner] = True
    bare = np.flatnonzero(~filled)
    subs = np.array([c[2] for c in cut], dtype=object)
    study_ids = rowish["study_id"].to_numpy(dtype=object)
    return pd.DataFrame({
        SHEET: np.concatenate([np.asarray(sheets, dtype=object)[sheet_code[is_value]],
                               np.asarray(sheets, dtype=object)[sheet_code[where[bare]]]]),
        "study_id": np.concatenate([study_ids[is_value], study_ids[where[bare]]]),
        "group": np.concatenate([group[owner], group[bare]]),
        "row_id": np.concatenate([row_id[owner], row_id[bare]]),
        "row_time": np.concatenate([row_time[owner], row_time[bare]]),
        "field": np.concatenate([subs[is_value], np.full(len(bare), "", dtype=object)]),
        "value": np.concatenate([values[is_value], np.full(len(bare), "", dtype=object)]),
    }, columns=cols).astype(object)


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
    # Annotations are few: pick them by field name first, then by stage and study.
    keep = np.array([f.startswith(("memo:", "quote:", "page:", "flag", "note", "seg:"))
                     for f in latest["field"].tolist()], dtype=bool)
    part = latest[keep]
    part = part[(part["stage"] == stage.id) & part["study_id"].isin(studies)
                & part["field"].str.match(r"(?:memo|quote|page|seg):|(?:flag|note)$")]
    if source != CONSENSUS:
        part = part[part[SHEET] == source]
    resolve = resolve_code or (lambda code: code)
    out: dict[tuple[str, str, str, str], list[str]] = {}
    cells: dict[tuple[str, str], dict[str, _Latest]] = {}
    for sheet, study, fld, value, note in zip(part[SHEET].tolist(), part["study_id"].tolist(),
                                              part["field"].tolist(), part["value"].tolist(),
                                              part["note"].tolist()):
        kind, _, target = fld.partition(":")
        if kind == "seg":
            cells.setdefault((study, sheet), {})[fld] = _Latest(value, "")
        elif kind == "flag":
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
    kinds = {MEMO: 0, EVIDENCE: 1, PASSAGE: 2, FLAG: 3, NOTE: 4}
    rows = [((*k, ""), [*v, "", "", ""]) for k, v in out.items()
            if v[0] or v[1] or k[2] == FLAG]
    for (study, sheet), cell in cells.items():
        for p in passages_of(cell, resolve):
            rows.append(((study, sheet, PASSAGE, p.target_field, f"{p.page:06d}{p.start:09d}"),
                         [p.quote, str(p.page), str(p.start), str(p.end), p.sha256]))
    rows.sort(key=lambda kv: (order.get(kv[0][0], 0), kv[0][1], kinds[kv[0][2]], kv[0][3],
                              kv[0][4]))
    return pd.DataFrame([(*k[:4], *v) for k, v in rows], columns=list(ANNOTATION_COLUMNS),
                        dtype=object)


class _Latest(NamedTuple):
    """The latest value of a passage field (what `passages_of` reads from an Event)."""

    value: str
    time: str
