"""The wide coding sheet: one row per study, built from a sheet's latest-wins state.

Columns, in order: `study_id`; for each screening stage `<stage>.decision`,
`<stage>.criteria`, `<stage>.note`; then for each coding stage (prefixed with
`<stage>.` only when there are several): per dimension `<dim>` (";"-joined
code ids) and one 0/1 column `<dim>.<code>` per code, `memo.<dim>`; per field
`<field>`; per group row `<group>.<n>.<field>` (rows numbered from 1 in the
order they were added); `quote.<code>`/`page.<code>` for codes with evidence;
`flag`, `flag_reason`, `note`; and `unknown.<field>` for anything the
codebook no longer explains. NA is an empty cell, never 0. A column only
some studies have (a group row, a quote, an unknown field) sits where the
first row puts it, or, when a later row brings it, after every column before.

Written as CSV (UTF-8 with a BOM so Excel opens it by double-click; text
cells that a spreadsheet would run as a formula get a leading quote, see
`workbench.io.safe_cells`) and XLSX (every text cell stored as text, never
as a formula), each to a temporary file and then `os.replace`d.

A 100k-study sheet has about seven million cells, so no frame of the whole
table is built: the rows are plain lists (the columns every row has, in
codebook order, plus a small dict of the columns only some rows have), and
`write_wide_rows` writes them CHUNK_ROWS at a time to the CSV and the XLSX in
one pass.
"""

from __future__ import annotations

import os
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping

from workbench.core.codebook import CODING, SCREENING, Codebook
from workbench.core.coding import study_coding
from workbench.core.events import SheetState
from workbench.core.screening import CRITERIA, DECISION, NOTE
from workbench.errors import ExportError

if TYPE_CHECKING:
    import pandas as pd

#: Rows per chunk written to the CSV and the XLSX (bounds memory).
CHUNK_ROWS = 20_000


class WideRows:
    """The wide table of one sheet as plain rows: `columns`, and `chunks()` of row lists.

    Values are str, or the ints 0/1 of the code columns and `flag`.
    """

    def __init__(self, columns: list[str], rows: list[tuple[list, dict | None]],
                 source: list[int], extra: list[str]) -> None:
        self.columns = columns
        self._rows = rows
        self._extra = extra
        self._blank = [""] * len(extra)
        width = len(source)
        identity = source == list(range(width))
        self._pick = None if identity else (
            itemgetter(*source) if width > 1 else (lambda row: (row[source[0]],)))

    def __len__(self) -> int:
        return len(self._rows)

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[list[list]]:
        """Yield the rows, aligned to `columns`, at most `size` at a time."""
        extra, blank, pick = self._extra, self._blank, self._pick
        for start in range(0, len(self._rows), size):
            out = []
            for fixed, more in self._rows[start:start + size]:
                row = fixed + ([more.get(c, "") for c in extra] if more else blank)
                out.append(row if pick is None else list(pick(row)))
            yield out

    def frame(self) -> pd.DataFrame:
        """Return the whole table as a DataFrame (small sheets and tests)."""
        import pandas as pd

        rows = [row for chunk in self.chunks() for row in chunk]
        return pd.DataFrame(rows, columns=self.columns) if rows else \
            pd.DataFrame(columns=self.columns)


class _Layout:
    """The columns every row has, for one codebook, and where the others go."""

    def __init__(self, codebook: Codebook, titles: bool) -> None:
        self.codebook = codebook
        names = ["study_id"] + (["title"] if titles else [])
        self.screening = [s.id for s in codebook.screening_stages()]
        for sid in self.screening:
            names += [f"{sid}.{n}" for n in (DECISION, CRITERIA, NOTE)]
        self.coding = []
        stages = codebook.coding_stages()
        for stage in stages:
            prefix = f"{stage.id}." if len(stages) > 1 else ""
            dims = []
            start = len(names)
            for dim in codebook.dimensions:
                codes = [c.id for c in dim.all_codes()]
                dims.append((dim.id, len(codes), {c: i for i, c in enumerate(codes)}))
                names += [f"{prefix}{dim.id}"] + [f"{prefix}{dim.id}.{c}" for c in codes] \
                    + [f"{prefix}memo.{dim.id}"]
            fields = [f.id for f in codebook.fields]
            names += [f"{prefix}{f}" for f in fields]
            head = len(names) - start
            names += [f"{prefix}flag", f"{prefix}flag_reason", f"{prefix}note"]
            self.coding.append((stage.id, prefix, dims, fields, [""] * (head + 3)))
        self.names = names
        #: A name given twice keeps its first place and its last value (as a dict would).
        self.last = {name: i for i, name in enumerate(names)}

    def row(self, study: str, cells: Mapping[str, dict], titles: Mapping[str, str] | None
            ) -> tuple[list, dict | None]:
        """One study's values for `names`, and {column: (place, value)} for the others."""
        row: list = [study] if titles is None else [study, titles.get(study, "")]
        for sid in self.screening:
            cell = cells.get(sid)
            if cell is None:
                row += ("", "", "")
            else:
                row += [cell[n].value if n in cell else "" for n in (DECISION, CRITERIA, NOTE)]
        more: dict | None = None
        for stage_id, prefix, dims, fields, blank in self.coding:
            cell = cells.get(stage_id)
            if not cell:
                row += blank
                continue
            coded = study_coding(self.codebook, cell, study, stage_id)
            for dim_id, n, place in dims:
                chosen = coded.codes.get(dim_id, ())
                bits = [0] * n
                for code in chosen:
                    i = place.get(code)
                    if i is not None:
                        bits[i] = 1
                row.append(";".join(chosen))
                row += bits
                row.append(coded.memos.get(dim_id, ""))
            values = coded.values
            row += [values.get(f, "") for f in fields]
            if coded.rows or coded.evidence:
                more = {} if more is None else more
                at = len(row)
                for group in self.codebook.groups:
                    for n, grow in enumerate(coded.rows.get(group.id, []), start=1):
                        for fld in group.fields:
                            more[f"{prefix}{group.id}.{n}.{fld.id}"] = \
                                (at, grow.values.get(fld.id, ""))
                for code, (quote, page) in coded.evidence.items():
                    more[f"{prefix}quote.{code}"] = (at, quote)
                    more[f"{prefix}page.{code}"] = (at, page)
            row += (int(coded.flagged), coded.flag_reason, coded.note)
            if coded.unknown:
                more = {} if more is None else more
                at = len(row)
                for name, value in coded.unknown.items():
                    more[f"{prefix}unknown.{name}"] = (at, value)
        return row, more


def wide_rows(codebook: Codebook, state: SheetState, study_ids: Iterable[str] | None = None,
              titles: Mapping[str, str] | None = None) -> WideRows:
    """Return the wide one-row-per-study table of one sheet's current decisions, as rows.

    Args:
        codebook: the review's codebook.
        state: the sheet's latest-wins state (`Sheet.state` or `SheetState(events)`).
        study_ids: the rows, in order; default: every study with a decision.
        titles: {study id: title}; when given, a `title` column follows `study_id`
            (so a reader of the table knows which study a row is).
    """
    stages_of: dict[str, dict[str, dict]] = {}
    for (stage, study), cell in state.items():
        stages_of.setdefault(study, {})[stage] = cell
    ids = list(study_ids) if study_ids is not None else sorted(stages_of)
    layout = _Layout(codebook, titles is not None)
    last = layout.last
    rows: list[tuple[list, dict | None]] = []
    order: dict[str, None] = {}
    empty: dict = {}
    for study in ids:
        fixed, more = layout.row(study, stages_of.get(study, empty), titles)
        if more:
            kept = {}
            for name, (at, value) in more.items():
                i = last.get(name)
                if i is None:
                    kept[name] = value
                elif i < at:             # set after that column: its value wins
                    fixed[i] = value
            if not rows:             # the first row places its own columns in between
                names, pos = [], 0
                for name, (at, _) in more.items():
                    names += layout.names[pos:at]
                    pos = max(pos, at)
                    names.append(name)
                order.update(dict.fromkeys(names + layout.names[pos:]))
            else:
                order.update(dict.fromkeys(n for n in kept if n not in order))
            more = kept or None
        elif not rows:
            order.update(dict.fromkeys(layout.names))
        rows.append((fixed, more))
    if not rows:
        columns = _empty_columns(codebook)
        if titles is not None:
            columns.insert(1, "title")
        return WideRows(columns, [], list(range(len(columns))), [])
    columns = list(order)
    extra = [c for c in columns if c not in last]
    width = len(layout.names)
    where = {c: width + i for i, c in enumerate(extra)}
    source = [last[c] if c in last else where[c] for c in columns]
    return WideRows(columns, rows, source, extra)


def sheet_table(codebook: Codebook, state: SheetState,
                study_ids: Iterable[str] | None = None,
                titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the wide one-row-per-study table of one sheet's current decisions.

    Args: as `wide_rows`.

    Returns:
        A DataFrame of strings (and 0/1 integers for code columns). For a large
        sheet, write `wide_rows` with `write_wide_rows` instead (no frame).
    """
    return wide_rows(codebook, state, study_ids, titles).frame()


def _empty_columns(codebook: Codebook) -> list[str]:
    cols = ["study_id"]
    for stage in codebook.stages:
        if stage.kind == SCREENING:
            cols += [f"{stage.id}.{n}" for n in (DECISION, CRITERIA, NOTE)]
        elif stage.kind == CODING:
            cols += [d.id for d in codebook.dimensions] + [f.id for f in codebook.fields]
    return cols


def _temp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _new_temp(path: Path) -> Path:
    """`_temp(path)`, created new and empty: a file or link already there (a guessable name,
    placed beforehand to have the write go through it) is removed, never written through."""
    tmp = _temp(path)
    tmp.unlink(missing_ok=True)
    open(tmp, "xb").close()
    return tmp


def _replace_atomically(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp(path)
    try:
        write(_new_temp(path))
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write ({exc.strerror or exc})", path=path,
                          hint="the previous file, if any, is unchanged") from exc


def write_wide_rows(table: WideRows, csv_path: str | Path | None = None,
                    xlsx_path: str | Path | None = None) -> list[Path]:
    """Write the wide table as CSV and/or XLSX, chunk by chunk, each file atomically.

    Both files are written in one pass over the rows (CHUNK_ROWS at a time),
    each to a temporary file that replaces the old one only once complete.

    Args:
        table: from `wide_rows`.
        csv_path: where to write the CSV (UTF-8 with BOM), or None.
        xlsx_path: where to write the XLSX, or None.

    Returns:
        The paths written.

    Raises:
        ExportError: a file cannot be written; the old file is left as it was.
    """
    import pandas as pd

    from workbench.io.exports.xlsx import TableChunks, write_workbook
    from workbench.io.safe_cells import csv_text

    targets = [Path(p) for p in (csv_path, xlsx_path) if p is not None]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    csv_file = None

    def frames() -> Iterator[pd.DataFrame]:
        for rows in table.chunks():
            part = pd.DataFrame(rows, columns=table.columns, dtype=object)
            if csv_file is not None:
                csv_file.write(_csv_rows(part))
            yield part

    current = targets[0] if targets else None
    try:
        if csv_path is not None:
            current = Path(csv_path)
            csv_file = open(_new_temp(current), "w", encoding="utf-8-sig", newline="")
            csv_file.write(csv_text(pd.DataFrame(columns=table.columns)))
        if xlsx_path is not None:
            current = Path(xlsx_path)
            write_workbook(_new_temp(current), {"coding": TableChunks(table.columns, frames())})
        else:
            for _ in frames():
                pass
        if csv_file is not None:
            current = Path(csv_path)
            csv_file.flush()
            os.fsync(csv_file.fileno())
            csv_file.close()
            csv_file = None
        if xlsx_path is not None:
            current = Path(xlsx_path)
            with open(_temp(current), "rb+") as handle:
                os.fsync(handle.fileno())
        for target in targets:
            current = target
            os.replace(_temp(target), target)
    except OSError as exc:
        raise ExportError(f"cannot write ({exc.strerror or exc})", path=current,
                          hint="the previous file, if any, is unchanged") from exc
    finally:
        if csv_file is not None:
            csv_file.close()
        for target in targets:
            _temp(target).unlink(missing_ok=True)
    return targets


def _csv_rows(part: pd.DataFrame) -> str:
    """`csv_text(part, header=False)` for a chunk of wide rows (str and int cells), faster.

    The cells are neutralized by the same `safe_frame`, then written by the
    csv module straight from lists: DataFrame.to_csv hands the same cells to
    the same writer, after a slower per-column pass (tests compare the bytes
    with csv_text on hostile cells). A CR inside a cell is quoted the same way.
    """
    import csv
    import io

    from workbench.io.safe_cells import _lf_rows, safe_frame
    rows = safe_frame(part).to_numpy(dtype=object).tolist()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if "\r" in text:   # as csv_text: write with CRLF ends (a CR then gets quoted), back to LF
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        text = _lf_rows(buffer.getvalue())
    return text


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
    from workbench.io.exports.xlsx import write_workbook
    from workbench.io.safe_cells import write_safe_csv

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
