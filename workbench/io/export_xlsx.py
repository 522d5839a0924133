"""A fast XLSX writer for export tables: sheet XML built column by column, then zipped.

Per-cell writers (openpyxl, even xlsxwriter's constant_memory mode) call
Python code for every cell, which is minutes for a 100k-study review with
millions of cells. Here each column becomes its cells' XML in one list
comprehension over the column's values (no per-cell objects), the rows are
joined in C, and the package is zipped with fast deflate. The result is a
plain Office Open XML workbook (inline strings, numbers as numbers, an empty
cell for NA) that Excel, LibreOffice, openpyxl and pandas read.

Text is always stored as text (an inline string), so a value that starts
with "=" is never evaluated as a formula. Characters XML 1.0 forbids
(control characters other than tab, CR and LF) are dropped.
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

#: Rows per chunk of sheet XML (bounds memory for large tables).
CHUNK_ROWS = 20_000
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
         '<sheetData>')
_FROZEN = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
_TAIL = "</sheetData></worksheet>"
_NS = "http://schemas.openxmlformats.org/"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Types xmlns="{_NS}package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_NS}package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_NS}officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_NS}spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
    'builtinId="0"/></cellStyles></styleSheet>')


def column_letter(index: int) -> str:
    """Return the spreadsheet letters of a 0-based column index (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _text_cell(ref: str, value: str) -> str:
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _any_cell(ref: str, value: object) -> str:
    """One cell of an object column: text, a number, or "" (blank) for NA/empty."""
    if value.__class__ is str:
        return _text_cell(ref, value) if value else ""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if hasattr(value, "item"):  # a numpy scalar
        return _any_cell(ref, value.item())
    return _text_cell(ref, str(value))


def _column_cells(letter: str, series: pd.Series, first_row: int) -> list[str]:
    """Return the XML of every cell of one column (rows numbered from `first_row`)."""
    rows = range(first_row, first_row + len(series))
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        values = series.to_numpy().astype("int64").tolist()
        return [f'<c r="{letter}{r}"><v>{v}</v></c>' for r, v in zip(rows, values)]
    if isinstance(dtype, np.dtype) and dtype.kind == "f" or \
            isinstance(dtype, pd.Float64Dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(values).tolist()
        return [f'<c r="{letter}{r}"><v>{v!r}</v></c>' if ok else ""
                for r, v, ok in zip(rows, values.tolist(), finite)]
    if pd.api.types.is_integer_dtype(dtype):
        values = series.to_numpy(dtype=object, na_value=None).tolist()
        return [f'<c r="{letter}{r}"><v>{v}</v></c>' if v is not None else ""
                for r, v in zip(rows, values)]
    values = series.to_numpy(dtype=object).tolist()
    return [((f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">'
              f'{v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}'
              '</t></is></c>') if v else "") if v.__class__ is str
            else "" if v is None or v is pd.NA or v != v
            else _any_cell(f"{letter}{r}", v)
            for r, v in zip(rows, values)]


def _sheet_chunks(frame: pd.DataFrame, header: bool) -> Iterable[str]:
    """Yield the sheet XML in chunks: the header row, then CHUNK_ROWS rows at a time."""
    letters = [column_letter(i) for i in range(frame.shape[1])]
    yield _HEAD.format(pane=_FROZEN if header else "")
    if header:
        cells = "".join(_text_cell(f"{L}1", str(c)) for L, c in zip(letters, frame.columns))
        yield f'<row r="1">{cells}</row>'
    offset = 2 if header else 1
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start:start + CHUNK_ROWS]
        first = start + offset
        columns = [_column_cells(L, part.iloc[:, i], first) for i, L in enumerate(letters)]
        rows = [f'<row r="{n}">{"".join(cells)}</row>'
                for n, cells in enumerate(zip(*columns), start=first)] if columns else []
        text = "".join(rows)
        yield _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text
    yield _TAIL


def write_workbook(path: Path, sheets: Mapping[str, pd.DataFrame],
                   headless: Sequence[str] = ()) -> None:
    """Write tables as one XLSX workbook, a sheet per table, in order.

    Args:
        path: the file to write (overwritten).
        sheets: sheet title (already unique, at most 31 characters) -> table;
            the column names become the first row, frozen on scroll.
        headless: titles of the sheets written without the header row.
    """
    titles = list(sheets)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets="".join(
            _SHEET_TYPE.format(n=n) for n in range(1, len(titles) + 1))))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_NS}spreadsheetml/2006/main" '
            f'xmlns:r="{_NS}officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name={quoteattr(t)} sheetId="{n}" r:id="rId{n}"/>'
                      for n, t in enumerate(titles, start=1))
            + "</sheets></workbook>"))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_NS}package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="{_NS}officeDocument/2006/relationships/'
                      f'worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in range(1, len(titles) + 1))
            + f'<Relationship Id="rId{len(titles) + 1}" Type="{_NS}officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/></Relationships>'))
        zf.writestr("xl/styles.xml", _STYLES)
        for n, title in enumerate(titles, start=1):
            with zf.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as out:
                for chunk in _sheet_chunks(sheets[title], title not in headless):
                    out.write(chunk.encode("utf-8"))
