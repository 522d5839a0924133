"""Cells a spreadsheet will not run: the one place every CSV output goes through.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
is read as a formula by Excel, LibreOffice and Google Sheets when the CSV is
opened (`=HYPERLINK(...)`, `cmd|' /C calc'!A0`). As OWASP recommends, such a
cell is written with a single quote in front (`'=HYPERLINK(...)`): the
spreadsheet shows it as text and the value is otherwise unchanged.

- Numbers stay numbers: numeric columns are not touched, and a text cell
  that is exactly a decimal number (`-0.5`, `+3`, `-1e-3`) is left as it is
  (a spreadsheet reads it as that number, never as a formula). `-2+3` is
  not a number and is quoted.
- The rule can be undone exactly (`restore`): a cell that already starts
  with quotes followed by one of those characters gets one more quote, so
  removing one leading quote from every cell of the form `'+[=+\\-@\\t\\r]...`
  gives back the value the coder typed (regular expression `^'(?='*[=+\\-@\\t\\r])`).

Use `write_safe_csv(frame, path_or_stream, ...)` instead of `frame.to_csv`,
`csv_text(frame)` for a string, and `SafeWriter(stream)` instead of
`csv.writer` (a carriage return inside a cell is quoted by all three).

XML outputs (XLSX cells, SVG chart labels) cannot hold most control
characters at all (a NUL or a vertical tab pasted from Word): `visible_text`
replaces each with its visible symbol (U+2400 + code: NUL -> "\u2400",
\x0b -> "\u240b"; a lone surrogate, U+FFFE and U+FFFF -> U+FFFD) so the
reader sees where it was. CSV files keep such characters as they are.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import IO, Iterable

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
DANGEROUS = frozenset("=+-@\t\r")
QUOTE = "'"
_FIRST = DANGEROUS | {QUOTE}
#: A plain number as a spreadsheet reads one: ASCII digits only (`-١`, Arabic-Indic, or
#: fullwidth `+１` are text to it, so after a sign they are a formula and get the quote).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
#: Characters XML 1.0 cannot hold (tab, LF and CR it can).
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Matches the quote `neutralize` added (for R, pandas or a spreadsheet's find/replace).
ADDED_QUOTE = re.compile(r"^'(?='*[=+\-@\t\r])")


def needs_quote(value: str) -> bool:
    """True when `value` would be read as a formula (or already carries quotes before one)."""
    if not value or value[0] not in _FIRST:
        return False
    rest = value.lstrip(QUOTE)
    if not rest or rest[0] not in DANGEROUS:
        return False
    return value[0] == QUOTE or _NUMBER.fullmatch(value) is None


def neutralize(value: str) -> str:
    """Return a text cell a spreadsheet shows as text: a quote before a formula start.

    Args:
        value: the cell's text.

    Returns:
        `value`, or `"'" + value` when it starts with = + - @ tab or CR (and is
        not a plain number), or with quotes followed by one of those.
    """
    return QUOTE + value if needs_quote(value) else value


def restore(value: str) -> str:
    """Return the value `neutralize` was given (removes the one quote it added)."""
    if value[:1] == QUOTE:
        rest = value.lstrip(QUOTE)
        if rest and rest[0] in DANGEROUS:
            return value[1:]
    return value


def _symbol(match: re.Match) -> str:
    code = ord(match.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def visible_text(value: str) -> str:
    """Return `value` with every character XML cannot hold replaced by a visible symbol."""
    return ILLEGAL_XML.sub(_symbol, value) if ILLEGAL_XML.search(value) else value


def safe_row(values: Iterable[object]) -> list[object]:
    """Return a row for `csv.writer` with every text cell neutralized (others unchanged)."""
    return [neutralize(v) if isinstance(v, str) else v for v in values]


def _candidates(values) -> list[int]:
    """Positions of the values whose first character may need a quote (a superset).

    The first characters are taken in C (`astype("U1")`), so a column costs a
    fraction of writing it; only the few candidates are checked in Python.
    """
    import numpy as np

    try:
        codes = np.asarray(values, dtype=object).astype("U1").view(np.uint32)
    except (TypeError, ValueError, UnicodeError):   # an object numpy cannot turn into text
        return [i for i, v in enumerate(values) if isinstance(v, str) and v[:1] in _FIRST]
    return np.flatnonzero(_first_table()[np.minimum(codes, 127)]).tolist()


@lru_cache(maxsize=1)
def _first_table():
    """ASCII code -> True for the first characters `needs_quote` looks at."""
    import numpy as np

    table = np.zeros(128, dtype=bool)
    table[[ord(c) for c in _FIRST]] = True
    return table


def _safe_values(values) -> list | None:
    """The column's values with text cells neutralized, or None when none needs it."""
    hits = [i for i in _candidates(values)
            if isinstance(values[i], str) and needs_quote(values[i])]
    if not hits:
        return None
    out = list(values)
    for i in hits:
        out[i] = QUOTE + out[i]
    return out


def safe_frame(frame):
    """Return `frame` with every text cell (and column name) neutralized.

    Numeric columns are never touched, and the frame is copied only when a
    cell changes, so a table without such a cell costs one scan of its text
    columns.

    Args:
        frame: a pandas DataFrame.

    Returns:
        The same frame, or a copy with the changed cells.
    """
    import pandas as pd

    out = frame
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            if _safe_values(dtype.categories.to_numpy(dtype=object)) is None:
                continue
            fixed = _safe_values(column.astype(object).to_numpy(dtype=object))
        elif dtype == object or isinstance(dtype, pd.StringDtype):
            fixed = _safe_values(column.to_numpy(dtype=object))
        else:
            continue
        if fixed is None:
            continue
        if out is frame:
            out = frame.copy(deep=False)   # columns are replaced, never written to
        out.isetitem(position, pd.Series(fixed, index=frame.index, dtype=object))
    names = [neutralize(c) if isinstance(c, str) else c for c in frame.columns]
    if names != list(frame.columns):
        out = out.copy(deep=False) if out is frame else out
        out.columns = names
    return out


def write_safe_csv(frame, target: str | Path | IO[str], **to_csv) -> None:
    """Write `frame` as CSV with every text cell neutralized (`DataFrame.to_csv` arguments).

    Args:
        frame: the table.
        target: a path (written with `encoding`, default UTF-8) or a text stream.
        **to_csv: passed to `DataFrame.to_csv` (index=False and lineterminator
            "\n" unless given).
    """
    encoding = to_csv.pop("encoding", None) or "utf-8"
    text = csv_text(frame, **to_csv)
    if hasattr(target, "write"):
        target.write(text)
        return
    with open(target, "w", encoding=encoding, newline="") as handle:
        handle.write(text)


def csv_text(frame, **to_csv) -> str:
    """Return `frame` as CSV text with every text cell neutralized.

    A carriage return inside a cell is always quoted (Python's csv module
    leaves it bare when rows end in "\n", and a reader then starts a new row
    there, whose first cell a spreadsheet would run).

    Args:
        frame: the table.
        **to_csv: passed to `DataFrame.to_csv` (index=False and lineterminator
            "\n" unless given).
    """
    to_csv.setdefault("index", False)
    to_csv.pop("encoding", None)
    end = to_csv.pop("lineterminator", "\n")
    if end == "\n":
        text = _text_frame_csv(frame, **to_csv)
        if text is not None:
            return text
    safe = safe_frame(frame)
    if end == "\n":
        text = _text_cells_csv(safe, **to_csv)
        if text is not None:
            return text
    return _pandas_csv(safe, end, **to_csv)


def _pandas_csv(safe, end: str, **to_csv) -> str:
    """`csv_text` of an already neutralized frame, written by `DataFrame.to_csv`."""
    text = safe.to_csv(None, lineterminator=end, **to_csv)
    if end == "\n" and "\r" in text:
        text = _lf_rows(safe.to_csv(None, lineterminator="\r\n", **to_csv))
    return text


#: What makes the csv module quote a cell when rows end in "\n" (a CR too: see csv_text).
_CSV_SPECIAL = re.compile('[,"\n\r]')
#: A text after the first, in cells joined by NUL, that starts with a character of _FIRST
#: (a NUL inside a cell may match too: then each distinct cell is checked).
_FIRST_AFTER_NUL = re.compile("\x00[" + "".join(re.escape(c) for c in sorted(_FIRST)) + "]")


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if _CSV_SPECIAL.search(value) else value


def _text_columns(frame, index, header, rest) -> list[tuple[list, str]] | None:
    """Each column's cells as a list of str and joined by NUL, or None.

    None when the fast text writers do not apply: other `to_csv` options, one
    column (an empty cell is written ""), no row, a column that is not object
    or pandas str, or a cell that is not text (NA, a number).
    """
    import pandas as pd

    if index is not False or type(header) is not bool or set(rest) - {"na_rep"} \
            or frame.shape[1] < 2 or len(frame) == 0:
        return None
    cells = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if column.dtype != object and not isinstance(column.dtype, pd.StringDtype):
            return None
        values = column.to_numpy(dtype=object).tolist()
        try:
            joined = "\x00".join(values)   # a cell that is not text (NA, a number) raises
        except TypeError:
            return None
        cells.append((values, joined))
    return cells


def _csv_rows(columns: list[list[str]], names, header: bool, name_cell) -> str | None:
    """The CSV text of columns of finished cells, rows ending in "\n"; the header made by
    `name_cell` from `names` (None when a name is not text)."""
    rows = "\n".join(map(",".join, zip(*columns))) + "\n"
    if not header:
        return rows
    names = list(names)
    if not all(type(n) is str for n in names):
        return None
    return ",".join(name_cell(n) for n in names) + "\n" + rows


def _text_cells_csv(safe, index=False, header=True, **rest) -> str | None:
    """The CSV `_pandas_csv(safe, "\n", ...)` writes, when every cell is text; else None.

    Two or more columns, at least one row, every cell a str (no NA): pandas
    hands such cells to the csv module unchanged, which quotes a cell holding
    a comma, a quote or a line break (doubling its quotes); `csv_text` quotes a
    CR as well. A column with none of these is joined as it is, so a table of
    text is written at C speed instead of cell by cell (tests compare the two
    on hostile text).
    """
    cells = _text_columns(safe, index, header, rest)
    if cells is None:
        return None
    columns = []
    for values, joined in cells:
        if _CSV_SPECIAL.search(joined) is not None:
            values = [_csv_cell(v) for v in values]
        columns.append(values)
    return _csv_rows(columns, safe.columns, header, _csv_cell)


def _text_frame_csv(frame, index=False, header=True, **rest) -> str | None:
    """`_text_cells_csv(safe_frame(frame), ...)` in one pass, when every cell is text; else None.

    A column's cells are joined once (in C) and that text says whether any
    cell may need a quote in front (a NUL then a formula character) or CSV
    quoting (a comma, quote or line break); only then are its distinct texts
    neutralized and quoted, once each, and its cells mapped (`safe_frame`
    scanned every cell's first character, `_text_cells_csv` quoted cell by
    cell). None (then `csv_text` neutralizes and writes as before)
    for anything else: a column that is not object or pandas str, a cell
    that is not text (NA, a number), a name that is not text, one column, no
    row, other `to_csv` options. Tests compare it with the two-step path.
    """
    cells = _text_columns(frame, index, header, rest)
    if cells is None:
        return None
    columns = []
    for values, text in cells:
        changed: dict[str, str] = {}
        if text[:1] in _FIRST or _FIRST_AFTER_NUL.search(text) is not None:
            changed = {v: QUOTE + v for v in set(values) if needs_quote(v)}
        if _CSV_SPECIAL.search(text) is not None:
            for v in set(values):
                if _CSV_SPECIAL.search(v) is not None:
                    changed[v] = _csv_cell(changed.get(v, v))
        if changed:
            get = changed.get
            values = [get(v, v) for v in values]
        columns.append(values)
    return _csv_rows(columns, frame.columns, header, lambda n: _csv_cell(neutralize(n)))


def _lf_rows(text: str) -> str:
    """Turn "\r\n" row ends into "\n", leaving the inside of quoted cells as it is."""
    parts = text.split('"')
    parts[::2] = [p.replace("\r\n", "\n") for p in parts[::2]]   # outside quotes
    return '"'.join(parts)


class SafeWriter:
    """A `csv.writer` for rows ending in "\n" whose text cells are neutralized.

    Args:
        stream: a text stream (e.g. sys.stdout).
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")  # quotes any CR

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(safe_row(row))
        self.stream.write(self._buffer.getvalue()[:-2] + "\n")

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write rows."""
        for row in rows:
            self.writerow(row)
