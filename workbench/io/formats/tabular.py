"""CSV / TSV exports: Scopus, Web of Science tab-delimited, Zotero, Embase, Lens,
OpenAlex, Rayyan, Covidence, and any table with a header row.

Rows are read as the standard `csv` module reads them (`table_rows`, which
splits the plain rows itself) rather than by pandas: each row keeps the
physical line where it starts (quoted cells may hold newlines, as in Embase
exports), and a ragged row becomes one Problem instead of failing the whole
file. The records are made a chunk of rows at a time, one column at a time
(`table_columns`), so a million-row export is read in bounded memory; Web of
Science tables are read row by row (`_Layout.record`).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Iterator, Sequence

from workbench.core.records import RECORD_FIELDS, ImportReport, Record
from workbench.errors import Problem, WorkbenchError
from workbench.io.formats.columns import (
    ALIASES, ARTICLE_NUMBER, MAPPABLE_FIELDS, MULTI_COLUMN, PAGE_PAIRS, TEXT_COLUMNS,
    normalize_header,
)
from workbench.io.formats.table_columns import column_rows, field_value
from workbench.io.formats.table_rows import table_rows, text_lines
from workbench.io.formats.wos import record_from_tags

log = logging.getLogger(__name__)

FORMAT = "table"
_QUOTED = re.compile(r'"[^"]*"')
_WOS_TAG = re.compile(r"^[A-Z][A-Z0-9]$")
#: Records per chunk of `table_chunks` (about 8 MB of Scopus rows: larger chunks cost more
#: system time for fresh memory pages than they save).
CHUNK_ROWS = 5_000


def sniff_delimiter(text: str) -> str:
    """Return the delimiter of a table: tab, semicolon or comma, judged on its header line.

    Args:
        text: the decoded table.

    Returns:
        "\\t", ";" or "," (comma when nothing else is more frequent).
    """
    header = _QUOTED.sub("", text.lstrip("\ufeff").split("\n", 1)[0])
    counts = {d: header.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: (counts[d], d == "\t", d == ","))
    return best if counts[best] else ","


def parse_table(text: str, path: str, database: str = "",
                mapping: dict[str, str] | None = None) -> ImportReport:
    """Read a CSV or TSV export with a header row into Records.

    Args:
        text: the decoded file content, with "\\n" line endings.
        path: the display path used in problems and in `Record.file`.
        database: the database label stored in `Record.database`.
        mapping: user column name -> Record field (the CLI's `--map column=field`);
            it overrides the columns found automatically for those fields.

    Returns:
        An ImportReport with one Record per non-empty row (key "row N" or the
        export's own id), and a Problem per ragged row, or a single Problem
        listing the columns when no title column can be found.

    Raises:
        WorkbenchError: `mapping` names a field that does not exist or a column
            that is not in the file.
    """
    records: list[Record] = []
    problems: list[Problem] = []
    for rows, found in table_chunks(text_lines(text.lstrip("\ufeff")), path, database, mapping,
                                    sniff_delimiter(text)):
        records.extend(map(record_of_row, rows))
        problems.extend(found)
    return ImportReport(records=records, problems=problems, format=FORMAT)


def table_chunks(lines: Iterable[str], path: str, database: str,
                 mapping: dict[str, str] | None, delimiter: str,
                 chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple[list[list], list[Problem]]]:
    """Read a table's rows a chunk at a time, as record rows (see `parse_table`).

    Args:
        lines: the decoded lines (see `table_rows.text_lines`), leading BOMs removed.
        path: the display path used in problems and in `Record.file`.
        database: the database label stored in `Record.database`.
        mapping: user column name -> Record field.
        delimiter: the table's delimiter (`sniff_delimiter`).
        chunk_rows: records per chunk at most.

    Yields:
        (rows, problems): each row a list of the Record's values in
        `RECORD_FIELDS` order (`record_of_row` makes the Record); problems in
        file order. A table without a header or a title column yields one
        Problem and no rows.

    Raises:
        WorkbenchError: `mapping` names a field that does not exist or a column
            that is not in the file.
    """
    return row_list_chunks(_batched(table_rows(lines, delimiter)), path, database, mapping,
                           chunk_rows)


def _batched(rows: Iterable[tuple[int, int, list[str]]], size: int = 1024
             ) -> Iterator[tuple[list[int], list[int], list[list[str]]]]:
    """`table_rows`' rows as lists of `size` rows (the lists `row_list_chunks` reads).

    Up to the header (the first row with a cell that is not blank) the rows come
    one at a time, so a bad header is reported before any later row is read.
    """
    rows = iter(rows)
    for start, end, row in rows:
        yield [start], [end], [row]
        if any(cell.strip() for cell in row):
            break
    starts: list[int] = []
    ends: list[int] = []
    cells: list[list[str]] = []
    for start, end, row in rows:
        starts.append(start)
        ends.append(end)
        cells.append(row)
        if len(cells) >= size:
            yield starts, ends, cells
            starts, ends, cells = [], [], []
    if cells:
        yield starts, ends, cells


def row_list_chunks(row_lists: Iterable[tuple[Sequence[int], Sequence[int], list[list[str]]]],
                    path: str, database: str, mapping: dict[str, str] | None,
                    chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple[list[list], list[Problem]]]:
    """`table_chunks` for rows given a list at a time (`table_rows.table_row_lists`).

    Args:
        row_lists: (first lines, last lines, rows) for some rows at a time.
        path, database, mapping, chunk_rows: as for `table_chunks`.
    """
    mapping = dict(mapping or {})
    bad = sorted(f for f in mapping.values() if f not in MAPPABLE_FIELDS)
    if bad:
        raise WorkbenchError(f"unknown field {', '.join(map(repr, bad))} in --map",
                             path=path, hint=f"valid fields: {', '.join(MAPPABLE_FIELDS)}")
    row_lists = iter(row_lists)
    header: list[str] | None = None
    header_line = 0
    rest: tuple = ([], [], [])
    for starts, ends, rows in row_lists:
        found = next((k for k, row in enumerate(rows) if any(cell.strip() for cell in row)), None)
        if found is not None:
            header, header_line = rows[found], ends[found]
            rest = (starts[found + 1:], None, rows[found + 1:])
            break
    if header is None:
        yield [], [Problem(path, 1, None, "the table is empty (no header row)")]
        return
    layout = _Layout(header, mapping, path)
    if layout.missing_title():
        names = ", ".join(repr(h) for h in header if h.strip())
        first = next((h for h in header if h.strip()), "COLUMN")
        yield [], [Problem(
            path, header_line, None,
            f"no title column found; the columns are {names}. Name the title column with "
            f"--map COLUMN=title (for example --map '{first}=title')")]
        return
    width = len(header)
    cells: list[list[str]] = []
    starts_at: list[int] = []
    ordinals: list[int] = []
    problems: list[Problem] = []
    ordinal = 0
    for starts, _, rows in itertools.chain([rest], row_lists):
        if not any(len(row) != width or not row[0] or row[0].isspace() for row in rows):
            cells.extend(rows)  # every row full width and not blank: all kept
            starts_at.extend(starts)
            ordinals.extend(range(ordinal + 1, ordinal + len(rows) + 1))
            ordinal += len(rows)
        else:
            for start, row in zip(starts, rows):
                first = row[0] if row else ""
                if (not first or first.isspace()) and not any(cell.strip() for cell in row):
                    continue
                ordinal += 1
                if len(row) != width and (len(row) < width or any(c.strip() for c in row[width:])):
                    hint = ("; a quote is probably not closed" if any("\n" in c for c in row)
                            else "")
                    problems.append(Problem(path, start, f"row {ordinal}",
                                            f"row has {len(row)} fields but the header has "
                                            f"{width}{hint}"))
                    continue
                cells.append(row)
                starts_at.append(start)
                ordinals.append(ordinal)
        while len(cells) >= chunk_rows:
            yield (layout.rows(cells[:chunk_rows], starts_at[:chunk_rows], ordinals[:chunk_rows],
                               path, database), problems)
            del cells[:chunk_rows], starts_at[:chunk_rows], ordinals[:chunk_rows]
            problems = []
    if cells or problems:
        yield layout.rows(cells, starts_at, ordinals, path, database), problems


def record_of_row(row: list, new=object.__new__, names=RECORD_FIELDS) -> Record:
    """Return the Record of a row of `table_chunks` (built without the frozen `__init__`)."""
    record = new(Record)
    record.__dict__.update(zip(names, row))
    return record


class _Layout:
    """Which column feeds which Record field, decided once from the header."""

    def __init__(self, header: list[str], mapping: dict[str, str], path: str) -> None:
        self.header = header
        stripped = [h.strip() for h in header]
        self.wos = {"PT", "TI", "UT"} <= set(stripped) and \
            sum(bool(_WOS_TAG.match(h)) for h in stripped if h) >= 0.8 * sum(1 for h in stripped if h)
        normalized: dict[str, int] = {}
        for index, name in enumerate(header):
            normalized.setdefault(normalize_header(name), index)
        self.normalized = normalized
        self.columns: dict[str, list[int]] = {}
        self.embase_source: int | None = None
        self.text: int | None = None
        self.pages: tuple[int, int] | None = None
        self.article_number: int | None = None
        self._mapped: set[str] = set()
        if self.wos:
            self.tags = [(i, h) for i, h in enumerate(stripped) if _WOS_TAG.match(h)]
        else:
            self._find_columns()
        for column, field in mapping.items():
            index = self._column_index(column, path)
            if field not in self._mapped:
                self._mapped.add(field)
                self.columns[field] = []
            self.columns[field].append(index)

    def _find_columns(self) -> None:
        for field, aliases in ALIASES.items():
            found = [self.normalized[a] for a in aliases if a in self.normalized]
            if found:
                self.columns[field] = found if field in MULTI_COLUMN else found[:1]
        if "authornames" in self.normalized and "source" in self.normalized \
                and "sourcetitle" not in self.normalized:
            self.embase_source = self.normalized["source"]
            self.columns.pop("venue", None)
        self.text = next((self.normalized[c] for c in TEXT_COLUMNS if c in self.normalized), None)
        if self.text is not None and self.columns.get("title") == [self.normalized.get("displayname")]:
            # a post export's "display_name" is the poster, not a title (it is OpenAlex's title)
            self.columns.setdefault("authors", self.columns.pop("title"))
        self.pages = next(((self.normalized[a], self.normalized[b]) for a, b in PAGE_PAIRS
                           if a in self.normalized and b in self.normalized), None)
        self.article_number = next((self.normalized[c] for c in ARTICLE_NUMBER
                                    if c in self.normalized), None)

    def _column_index(self, column: str, path: str) -> int:
        if column in self.header:
            return self.header.index(column)
        index = self.normalized.get(normalize_header(column))
        if index is None:
            names = ", ".join(repr(h) for h in self.header if h.strip())
            raise WorkbenchError(f"--map names column {column!r}, which is not in the file",
                                 path=path, hint=f"the columns are {names}")
        return index

    def missing_title(self) -> bool:
        """True when no column can give a title (WoS tables always have TI)."""
        return not self.wos and "title" not in self.columns and self.text is None

    def rows(self, cells: list[list[str]], starts: list[int], ordinals: list[int], path: str,
             database: str) -> list[list]:
        """Return the record rows (RECORD_FIELDS order) of a chunk of table rows."""
        if not self.wos:
            return column_rows(self, cells, starts, ordinals, path, database)
        out = []
        for row, start, ordinal in zip(cells, starts, ordinals):
            values = self.record(row, path, database, start, f"row {ordinal}").__dict__
            out.append([values[name] for name in RECORD_FIELDS])
        return out

    def record(self, row: list[str], path: str, database: str, line: int, entry: str) -> Record:
        """Return the Record of one row of a Web of Science table (tag columns)."""
        tags = {tag: [row[i]] for i, tag in self.tags if i < len(row) and row[i].strip()}
        base = record_from_tags(tags, path, database, line, entry)
        overrides = self._values(row)  # the --map columns
        return base.with_(**overrides) if overrides else base

    def _values(self, row: list[str]) -> dict:
        values: dict = {}
        for field, indexes in self.columns.items():
            cells = [row[i] for i in indexes if row[i] and not row[i].isspace()]
            if cells:
                values[field] = field_value(field, cells)
        return values
