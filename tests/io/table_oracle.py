"""The per-row table reader as it was before the columnar one (kept as the test oracle).

A frozen copy of workbench/io/formats/tabular.py at e8ba22c (parse_table and
_Layout): tests compare the library's columnar reader to it record for record.
Do not change it to make a test pass.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import sys

from workbench.core.records import ImportReport, Record, clean_text, normalize_doi, parse_year
from workbench.errors import Problem, WorkbenchError
from workbench.io.formats.columns import (
    ALIASES, ARTICLE_NUMBER, MAPPABLE_FIELDS, MULTI_COLUMN, PAGE_PAIRS, TEXT_COLUMNS,
    doi_from_openurl, normalize_header, parse_embase_source, short_title, split_list,
)
from workbench.io.formats.wos import record_from_tags

log = logging.getLogger(__name__)

FORMAT = "table"
_QUOTED = re.compile(r'"[^"]*"')
_WOS_TAG = re.compile(r"^[A-Z][A-Z0-9]$")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


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


def parse_table_by_row(text: str, path: str, database: str = "",
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
    mapping = dict(mapping or {})
    bad = sorted(f for f in mapping.values() if f not in MAPPABLE_FIELDS)
    if bad:
        raise WorkbenchError(f"unknown field {', '.join(map(repr, bad))} in --map",
                             path=path, hint=f"valid fields: {', '.join(MAPPABLE_FIELDS)}")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sniff_delimiter(text))
    header: list[str] | None = None
    for header in reader:
        if any(cell.strip() for cell in header):
            break
    else:
        header = None
    if header is None:
        return ImportReport([], [Problem(path, 1, None, "the table is empty (no header row)")], FORMAT)
    header_line = reader.line_num
    layout = _Layout(header, mapping, path)
    if layout.missing_title():
        names = ", ".join(repr(h) for h in header if h.strip())
        first = next((h for h in header if h.strip()), "COLUMN")
        return ImportReport([], [Problem(
            path, header_line, None,
            f"no title column found; the columns are {names}. Name the title column with "
            f"--map COLUMN=title (for example --map '{first}=title')")], FORMAT)
    records: list[Record] = []
    problems: list[Problem] = []
    width = len(header)
    ordinal = 0
    previous = reader.line_num
    for row in reader:
        start, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        ordinal += 1
        entry = f"row {ordinal}"
        if len(row) > width and any(cell.strip() for cell in row[width:]) or len(row) < width:
            hint = ("; a quote is probably not closed" if any("\n" in c for c in row) else "")
            problems.append(Problem(path, start, entry,
                                    f"row has {len(row)} fields but the header has {width}{hint}"))
            continue
        records.append(layout.record(row, path, database, start, entry))
    return ImportReport(records=records, problems=problems, format=FORMAT)


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

    def record(self, row: list[str], path: str, database: str, line: int, entry: str) -> Record:
        fallback_key = entry
        if self.wos:
            tags = {tag: [row[i]] for i, tag in self.tags if i < len(row) and row[i].strip()}
            base = record_from_tags(tags, path, database, line, fallback_key)
            overrides = self._values(row)
            return base.with_(**overrides) if overrides else base
        values = self._values(row)
        if self.embase_source is not None and row[self.embase_source].strip():
            parsed = parse_embase_source(row[self.embase_source])
            for field in ("venue", "volume", "issue", "pages"):
                values.setdefault(field, parsed.get(field, ""))
            if values.get("year") is None:
                values["year"] = parse_year(parsed.get("year"))
        if not values.get("doi") and values.get("url"):
            values["doi"] = doi_from_openurl(values["url"])
        if not values.get("pages"):
            if self.pages and row[self.pages[0]].strip():
                first, last = row[self.pages[0]].strip(), row[self.pages[1]].strip()
                values["pages"] = f"{first}-{last}" if last else first
            elif self.article_number is not None:
                values["pages"] = row[self.article_number].strip()
        if self.text is not None and row[self.text].strip():
            body = row[self.text].strip()
            if not values.get("title"):
                values["title"] = short_title(body)
            if not values.get("abstract"):
                values["abstract"] = body
        values.setdefault("key", "")
        values["key"] = values["key"] or fallback_key
        return Record(file=path, database=database, line=line, **values)

    def _values(self, row: list[str]) -> dict:
        values: dict = {}
        for field, indexes in self.columns.items():
            if len(indexes) == 1:  # rows shorter than the header never get here
                cell = row[indexes[0]]
                if not cell or cell.isspace():
                    continue
                cells = [cell]
            else:
                cells = [row[i] for i in indexes if row[i] and not row[i].isspace()]
                if not cells:
                    continue
            if field == "authors":
                values[field] = tuple(n for c in cells for n in split_authors(c))
            elif field == "keywords":
                values[field] = tuple(dict.fromkeys(k for c in cells for k in split_list(c)))
            elif field == "year":
                values[field] = next((y for y in map(parse_year, cells) if y), None)
            elif field == "doi":
                values[field] = next((d for d in map(normalize_doi, cells) if d), "")
            elif field == "url":
                values[field] = _last_url(cells[0])
            elif field == "abstract":
                values[field] = cells[0].strip()
            else:
                values[field] = clean_text(cells[0])
        return values


def _last_url(cell: str) -> str:
    """Keep the last URL when an export glued two together ("https://a.orghttps://a.org/x")."""
    cell = cell.strip()
    position = cell.rfind("http", 1)
    if position > 0 and cell[position:].startswith(("http://", "https://")):
        return cell[position:].split()[0]
    return cell


_SCOPUS_ID = re.compile(r"\s*\(\d{6,}\)\s*$")
_NO_AUTHOR = re.compile(r"^\[?no author", re.IGNORECASE)


def split_authors(cell: str) -> list[str]:
    """workbench.io.formats.columns.split_authors at e8ba22c."""
    cell = cell.strip()
    if not cell or _NO_AUTHOR.match(cell):
        return []
    for separator in (";", "|", " and "):
        if separator in cell:
            parts = cell.split(separator)
            break
    else:
        parts = cell.split(",")
        if len(parts) < 2 or not all(" " in part.strip() for part in parts):
            parts = [cell]
    names = []
    for part in parts:
        name = " ".join(_SCOPUS_ID.sub("", part).split())
        if name and not _NO_AUTHOR.match(name):
            names.append(name)
    return names
