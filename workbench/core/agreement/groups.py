"""Agreement on the rows of repeatable groups (a study's campaigns, its outcomes).

Coders add rows with their own row ids, so rows are first paired across
coders by the group's key field (workbench.core.group_rows.match_rows, the
same fuzzy matching the conflicts, resolution and export use). Each matched
row is then a unit, and each field of the group a variable compared field by
field: integer/number at the ratio level (interval when the field allows
negative values), an ordered choice at the ordinal level, multi_choice as
code sets (MASI), any other choice, boolean, date and text at the nominal
level. The key field matched the rows, so it is not compared again; long
text is not compared.

Whether coders entered the same rows at all is the variable `rows:<group>`
(present/absent per matched row and coder who coded the study), and every
row some coder of the study did not enter is listed as an `UnmatchedRow`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.core.codebook import Codebook, Field, Group
from workbench.core.coding import ROW, ROW_EXISTS, GroupRow, split_field
from workbench.core.events import Event, SheetState
from workbench.core.group_rows import RowMatch, match_rows, normalize_key
from workbench.core.screening import split_ids

PRESENT, ABSENT = "present", "absent"
_ROW_PREFIX = f"{ROW}:"
_NUMBER_TYPES = ("integer", "number")


@dataclass(frozen=True)
class UnmatchedRow:
    """A group row that some coders of its study entered and others did not.

    `key` is the row's key value; `entered` maps each coder who has the row
    to its row id; `missing` lists the coders of the study without it.
    """

    study_id: str
    group: str
    key: str
    entered: dict[str, str]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class GroupUnits:
    """One group's matched rows: unit labels, and per unit {coder: row values}."""

    group: Group
    units: list[str]
    cells: list[dict[str, dict[str, str] | None]]


def _level(fld: Field) -> str | None:
    if fld.type in _NUMBER_TYPES:
        return "ratio" if fld.minimum is not None and fld.minimum >= 0 else "interval"
    if fld.type == "choice" and fld.ordered:
        return "ordinal"
    if fld.type == "multi_choice":
        return "masi"
    if fld.type in ("choice", "boolean", "date", "text"):
        return "nominal"
    return None


def _convert(level: str, text: str):
    text = text.strip()
    if not text:
        return None
    if level in ("ratio", "interval"):
        try:
            return float(text)
        except ValueError:
            return text  # read_ratings names the cell
    if level == "masi":
        return frozenset(split_ids(text))
    return text


def group_rows(cell: Mapping[str, Event]) -> dict[str, list[GroupRow]]:
    """Return {group: its current rows, in the order they were added} from one study's cell.

    The rows part of workbench.core.coding.study_coding, without reading the
    rest of the cell (the agreement report reads every coded study).
    """
    added: dict[tuple[str, str], str] = {}
    values: dict[tuple[str, str], dict[str, str]] = {}
    for name, event in cell.items():
        if not name.startswith(_ROW_PREFIX):
            continue
        parts = split_field(name)
        if len(parts) == 3:
            added[(parts[1], parts[2])] = event.time if event.value == ROW_EXISTS else ""
        elif len(parts) == 4:
            values.setdefault((parts[1], parts[2]), {})[parts[3]] = event.value
    out: dict[str, list[GroupRow]] = {}
    for (group, row_id), time in sorted(added.items(), key=lambda kv: kv[1]):
        if time:
            out.setdefault(group, []).append(GroupRow(group, row_id,
                                                      dict(values.get((group, row_id), {}))))
    return out


def match_group_units(states: Mapping[str, SheetState], stage: str, codebook: Codebook,
                      coders: Sequence[str]) -> tuple[list[GroupUnits], list[UnmatchedRow]]:
    """Return every group's matched rows across coders and the rows left unmatched.

    Args:
        states: {reviewer: blind SheetState}.
        stage: the coding stage id.
        codebook: for the groups and their key fields.
        coders: the stage's coders (reviewers with an event at the stage).

    Returns:
        (one GroupUnits per group with any row, unmatched rows by study, group, key).
    """
    if not codebook.groups:
        return [], []
    coded_by: dict[str, list[str]] = {}   # study -> coders with an event there
    rows_of: dict[tuple[str, str], dict[str, list[GroupRow]]] = {}  # (coder, study) -> rows
    for c in coders:
        for (s, study), cell in states[c].items():
            if s != stage:
                continue
            coded_by.setdefault(study, []).append(c)
            rows = group_rows(cell)
            if rows:
                rows_of[(c, study)] = rows
    with_rows = sorted({study for _, study in rows_of})
    return match_units(codebook, coders, rows_of, coded_by, with_rows)


def match_units(codebook: Codebook, coders: Sequence[str],
                rows_of: Mapping[tuple[str, str], Mapping[str, list[GroupRow]]],
                coded_by: Mapping[str, Sequence[str]], with_rows: Sequence[str]
                ) -> tuple[list[GroupUnits], list[UnmatchedRow]]:
    """Match every group's rows study by study (match_group_units, from its parts).

    Args:
        codebook: for the groups and their key fields.
        coders: the stage's coders.
        rows_of: {(coder, study): {group: rows in the order added}}.
        coded_by: {study: the coders with an event there}.
        with_rows: the studies with any row, sorted.
    """
    out: list[GroupUnits] = []
    unmatched: list[UnmatchedRow] = []
    normalized: dict[str, str] = {}
    for group in codebook.groups:
        units: list[str] = []
        cells: list[dict[str, dict[str, str] | None]] = []
        key_field = group.key_field()
        for study in with_rows:
            coded = [c for c in coders if c in coded_by.get(study, ())]
            rows = {c: rows_of.get((c, study), {}).get(group.id, []) for c in coded}
            if not any(rows.values()):
                continue
            matches = exact_matches(group.id, key_field, rows, normalized)
            if matches is None:
                matches = match_rows(group, rows)
            for n, match in enumerate(matches):
                units.append(f"{study}/{match.key or n + 1}")
                cells.append({c: (dict(match.rows[c].values) if c in match.rows else None)
                              for c in coded})
                missing = tuple(c for c in coded if c not in match.rows)
                if missing and len(coded) >= 2:
                    unmatched.append(UnmatchedRow(study, group.id, match.key,
                                                  {c: r.row_id for c, r in match.rows.items()},
                                                  missing))
        if units:
            out.append(GroupUnits(group, units, cells))
    return out, unmatched


def exact_matches(group: str, key_field: str, rows: Mapping[str, Sequence[GroupRow]],
                  normalized: dict[str, str] | None = None) -> list[RowMatch] | None:
    """Return match_rows' matches when every sheet entered the same keys, else None.

    When each sheet's rows have non-empty keys, distinct within the sheet
    after normalize_key, every sheet has the same keys, and no row id is
    shared, match_rows pairs exactly the rows with equal keys: such a pair
    scores 100 or more and any other pair less than 100, so the best pairs
    first take every row. Returned without scoring pairs (a study at a time
    on a large review); None sends the study to match_rows.

    Args:
        group: the group id.
        key_field: the group's key field.
        rows: {sheet: its rows of the group, in the order added}.
        normalized: a cache of normalize_key by key text (filled here).
    """
    cache = normalized if normalized is not None else {}
    first: dict[str, GroupRow] | None = None
    sheets: list[tuple[str, dict[str, GroupRow]]] = []
    ids: set[str] = set()
    count = 0
    for sheet, sheet_rows in rows.items():
        keyed: dict[str, GroupRow] = {}
        for row in sheet_rows:
            text = row.values.get(key_field, "")
            key = cache.get(text)
            if key is None:
                key = cache[text] = normalize_key(text)
            if not key or key in keyed:
                return None
            keyed[key] = row
            ids.add(row.row_id)
        count += len(sheet_rows)
        if first is None:
            first = keyed
        elif keyed.keys() != first.keys():
            return None
        sheets.append((sheet, keyed))
    if first is None or not first or len(ids) != count:
        return None
    return [RowMatch(group, row.values.get(key_field, ""), {s: keyed[k] for s, keyed in sheets})
            for k, row in first.items()]


def group_variables(matched: Sequence[GroupUnits], coders: Sequence[str], make_variable):
    """Return the per-group variables: row presence, then each compared field.

    Args:
        matched: from match_group_units.
        coders: the stage's coders (the matrix columns).
        make_variable: Variable's constructor (name, kind, level, matrix,
            categories=, label=), passed in so this module needs no audit import.

    Returns:
        Variables named `rows:<group>` and `row:<group>.<field>`.
    """
    out = []
    columns = pd.Index(list(coders), name="reviewer")
    for gu in matched:
        index = pd.Index(gu.units, name="row")
        presence = [[None if c not in cell else (PRESENT if cell[c] is not None else ABSENT)
                     for c in coders] for cell in gu.cells]
        out.append(make_variable(f"rows:{gu.group.id}", "group_rows", "nominal",
                                 _frame(presence, index, columns), categories=(PRESENT, ABSENT),
                                 label=gu.group.label))
        key = gu.group.key_field()
        for fld in gu.group.fields:
            level = _level(fld)
            if level is None or fld.id == key:
                continue
            converted: dict[str, object] = {}   # each distinct text converted once

            def convert(text: str, level=level, converted=converted):
                found = converted.get(text, converted)
                if found is converted:
                    found = _convert(level, text)
                    if found == found:   # not NaN: each "nan" stays its own float
                        converted[text] = found
                return found

            values = [[None if cell.get(c) is None else convert(cell[c].get(fld.id, ""))
                       for c in coders] for cell in gu.cells]
            matrix = _frame(values, index, columns)
            categories = None
            allowed = fld.choice_ids() if fld.type == "choice" else \
                ("true", "false") if fld.type == "boolean" else None
            if allowed is not None:  # the scale, then any value found outside it
                seen = {v for row in values for v in row if v is not None}
                categories = tuple(allowed) + tuple(sorted(seen - set(allowed)))
            out.append(make_variable(f"row:{gu.group.id}.{fld.id}", "group_field", level,
                                     matrix, categories=categories,
                                     label=f"{gu.group.label}: {fld.label}"))
    return out


def _frame(rows: list[list], index: pd.Index, columns: pd.Index) -> pd.DataFrame:
    frame = pd.DataFrame(rows, index=index, columns=columns, dtype=object)
    return frame.astype(object).where(frame.notna(), None)
