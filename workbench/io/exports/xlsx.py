"""A fast XLSX writer for export tables: sheet XML built column by column, then zipped.

Per-cell writers (openpyxl, even xlsxwriter's constant_memory mode) call
Python code for every cell, which is minutes for a 100k-study review with
millions of cells. Here each column is factorized and each distinct value
turned into cell XML once; the cells are taken by index and the rows joined
in C, and the package is zipped with fast deflate. The result is a
plain Office Open XML workbook (inline strings, numbers as numbers, an empty
cell for NA) that Excel, LibreOffice, openpyxl and pandas read.

Text is always stored as text (an inline string), so a value that starts
with "=" is never evaluated as a formula. Characters XML 1.0 forbids
(control characters other than tab, CR and LF, e.g. a NUL or a vertical
tab pasted from Word) are replaced by their visible symbol
(`safe_cells.visible_text`: NUL -> "\u2400", \x0b -> "\u240b"), so the cell
shows where they were; the CSV files keep them as they are. Excel holds at
most 32,767 characters in a cell: a longer text is cut there with a marker
naming its full length (the CSV files keep the whole value).
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple, Sequence
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from workbench.io.safe_cells import visible_text

#: Rows per chunk of sheet XML (bounds memory for large tables).
CHUNK_ROWS = 20_000
#: Excel's limit on the characters of one cell, counted in UTF-16 units (an emoji is two).
CELL_MAX = 32_767
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


BLANK = "<c/>"


def _utf16_units(value: str) -> int:
    """The length of `value` as Excel counts it: characters past U+FFFF count twice."""
    return len(value) + sum(1 for c in value if c > "\uffff")


def _text_cell(value: str) -> str:
    value = visible_text(value)
    if len(value) > CELL_MAX // 2 and _utf16_units(value) > CELL_MAX:
        marker = f" [... cut: {len(value):,} characters in all; the CSV has the full text]"
        # Cut in UTF-16 units, as Excel counts; a pair cut in half is dropped whole.
        kept = value.encode("utf-16-le")[:2 * (CELL_MAX - len(marker))]
        value = kept.decode("utf-16-le", errors="ignore") + marker
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in text:  # a raw CR would be read back as LF
        text = text.replace("\r", "&#13;")
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _cell(value: object) -> str:
    """The XML of one cell holding `value`: text, a number, or BLANK for NA and ""."""
    if value.__class__ is str:
        return _text_cell(value) if value else BLANK
    if value is None or value is pd.NA:
        return BLANK
    if hasattr(value, "item") and not isinstance(value, (int, float)):  # a numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return f"<c><v>{int(value)}</v></c>"
    if isinstance(value, int):
        return f"<c><v>{value}</v></c>"
    if isinstance(value, float):
        return f"<c><v>{value!r}</v></c>" if math.isfinite(value) else BLANK
    return _text_cell(str(value))


def _column_cells(series: pd.Series) -> list[str]:
    """Return the XML of every cell of one column, in row order.

    The column is factorized: each distinct value is turned into XML once and
    the cells are taken by index (C speed); NA becomes BLANK.
    """
    which, distinct = pd.factorize(series, use_na_sentinel=True)
    xml = np.array([_cell(v) for v in distinct.tolist()] + [BLANK], dtype=object)
    return xml[which].tolist()


class TableChunks(NamedTuple):
    """A table given as its column names and frames of its rows, in order (never whole).

    `write_workbook` writes each frame as it comes, so a table of millions of
    cells can be written without building one frame of it.
    """

    columns: Sequence[str]
    frames: Iterable[pd.DataFrame]


def _sheet_chunks(table: pd.DataFrame | TableChunks, header: bool) -> Iterable[str]:
    """Yield the sheet XML in chunks: the header row, then CHUNK_ROWS rows at a time.

    Rows carry their number (`r`); cells do not: each row lists every cell
    from column A on, a blank one as `<c/>` (ECMA-376 makes the cell `r`
    optional; Excel, LibreOffice, Google Sheets, openpyxl and calamine place
    such cells in order).
    """
    yield _HEAD.format(pane=_FROZEN if header else "")
    if header:
        cells = "".join(_text_cell(str(c)) for c in table.columns)
        yield f'<row r="1">{cells}</row>'
    start = 2 if header else 1
    for frame in (table.frames if isinstance(table, TableChunks) else (table,)):
        for first in range(0, len(frame), CHUNK_ROWS):
            part = frame.iloc[first:first + CHUNK_ROWS]
            columns = [_column_cells(part.iloc[:, i]) for i in range(part.shape[1])]
            yield "".join([f'<row r="{n}">{"".join(cells)}</row>'
                           for n, cells in enumerate(zip(*columns), start=start)])
            start += len(part)
    yield _TAIL


def write_workbook(path: Path, sheets: Mapping[str, pd.DataFrame | TableChunks],
                   headless: Sequence[str] = ()) -> None:
    """Write tables as one XLSX workbook, a sheet per table, in order.

    Args:
        path: the file to write (overwritten).
        sheets: sheet title (already unique, at most 31 characters) -> table
            (a DataFrame, or TableChunks written frame by frame); the column
            names become the first row, frozen on scroll.
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
            + "".join(f'<sheet name={quoteattr(visible_text(t))} sheetId="{n}" r:id="rId{n}"/>'
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
