"""The wide coding sheet: one row per study, built from a sheet's latest-wins state.

Columns, in order: `study_id`; for each screening stage `<stage>.decision`,
`<stage>.criteria`, `<stage>.note`; then for each coding stage (prefixed with
`<stage>.` only when there are several): per dimension `<dim>` (";"-joined
code ids) and one 0/1 column `<dim>.<code>` per code, `memo.<dim>`; per field
`<field>`; per group row `<group>.<n>.<field>` (rows numbered from 1 in the
order they were added); `quote.<code>`/`page.<code>` for codes with evidence;
`flag`, `flag_reason`, `note`; and `unknown.<field>` for anything the
codebook no longer explains. NA is an empty cell, never 0.

Written as CSV (UTF-8 with a BOM so Excel opens it by double-click; text
cells that a spreadsheet would run as a formula get a leading quote, see
`workbench.io.safe_cells`) and XLSX (every text cell stored as text, never
as a formula), each to a temporary file and then `os.replace`d.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from workbench.core.codebook import CODING, SCREENING, Codebook
from workbench.core.coding import study_coding
from workbench.core.events import SheetState
from workbench.core.screening import CRITERIA, DECISION, NOTE
from workbench.errors import ExportError
from workbench.io.exports.xlsx import write_workbook
from workbench.io.safe_cells import write_safe_csv


def sheet_table(codebook: Codebook, state: SheetState,
                study_ids: Iterable[str] | None = None,
                titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the wide one-row-per-study table of one sheet's current decisions.

    Args:
        codebook: the review's codebook.
        state: the sheet's latest-wins state (`Sheet.state` or `SheetState(events)`).
        study_ids: the rows, in order; default: every study with a decision.
        titles: {study id: title}; when given, a `title` column follows `study_id`
            (so a reader of the table knows which study a row is).

    Returns:
        A DataFrame of strings (and 0/1 integers for code columns).
    """
    stages_of: dict[str, dict[str, dict]] = {}
    for (stage, study), cell in state.items():
        stages_of.setdefault(study, {})[stage] = cell
    ids = list(study_ids) if study_ids is not None else sorted(stages_of)
    coding_stages = codebook.coding_stages()
    rows = []
    for study in ids:
        cells = stages_of.get(study, {})
        row: dict[str, object] = {"study_id": study}
        if titles is not None:
            row["title"] = titles.get(study, "")
        for stage in codebook.screening_stages():
            cell = cells.get(stage.id, {})
            for name in (DECISION, CRITERIA, NOTE):
                row[f"{stage.id}.{name}"] = cell[name].value if name in cell else ""
        for stage in coding_stages:
            prefix = f"{stage.id}." if len(coding_stages) > 1 else ""
            _coding_columns(codebook, row, prefix, cells.get(stage.id, {}), study, stage.id)
        rows.append(row)
    empty = _empty_columns(codebook)
    if titles is not None:
        empty.insert(1, "title")
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=empty)
    return frame.fillna("")


def _coding_columns(codebook: Codebook, row: dict, prefix: str, cell: dict, study: str,
                    stage: str) -> None:
    coded = study_coding(codebook, cell, study, stage)
    for dim in codebook.dimensions:
        chosen = coded.codes.get(dim.id, ())
        row[f"{prefix}{dim.id}"] = ";".join(chosen)
        for code in dim.all_codes():
            row[f"{prefix}{dim.id}.{code.id}"] = int(code.id in chosen) if cell else ""
        row[f"{prefix}memo.{dim.id}"] = coded.memos.get(dim.id, "")
    for fld in codebook.fields:
        row[f"{prefix}{fld.id}"] = coded.values.get(fld.id, "")
    for group in codebook.groups:
        for n, grow in enumerate(coded.rows.get(group.id, []), start=1):
            for fld in group.fields:
                row[f"{prefix}{group.id}.{n}.{fld.id}"] = grow.values.get(fld.id, "")
    for code, (quote, page) in coded.evidence.items():
        row[f"{prefix}quote.{code}"] = quote
        row[f"{prefix}page.{code}"] = page
    row[f"{prefix}flag"] = int(coded.flagged) if cell else ""
    row[f"{prefix}flag_reason"] = coded.flag_reason
    row[f"{prefix}note"] = coded.note
    for name, value in coded.unknown.items():
        row[f"{prefix}unknown.{name}"] = value


def _empty_columns(codebook: Codebook) -> list[str]:
    cols = ["study_id"]
    for stage in codebook.stages:
        if stage.kind == SCREENING:
            cols += [f"{stage.id}.{n}" for n in (DECISION, CRITERIA, NOTE)]
        elif stage.kind == CODING:
            cols += [d.id for d in codebook.dimensions] + [f.id for f in codebook.fields]
    return cols


def _replace_atomically(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write ({exc.strerror or exc})", path=path,
                          hint="the previous file, if any, is unchanged") from exc


def write_sheet_table(frame: pd.DataFrame, csv_path: str | Path | None = None,
                      xlsx_path: str | Path | None = None) -> list[Path]:
    """Write the wide table as CSV and/or XLSX, each atomically (temp file + os.replace).

    Args:
        frame: from `sheet_table`.
        csv_path: where to write the CSV (UTF-8 with BOM), or None.
        xlsx_path: where to write the XLSX, or None.

    Returns:
        The paths written.

    Raises:
        ExportError: a file cannot be written; the old file is left as it was.
    """
    written = []
    if csv_path is not None:
        csv_path = Path(csv_path)
        _replace_atomically(csv_path, lambda tmp: write_safe_csv(
            frame, tmp, index=False, encoding="utf-8-sig", lineterminator="\n"))
        written.append(csv_path)
    if xlsx_path is not None:
        xlsx_path = Path(xlsx_path)
        _replace_atomically(xlsx_path, lambda tmp: write_workbook(tmp, {"coding": frame}))
        written.append(xlsx_path)
    return written
