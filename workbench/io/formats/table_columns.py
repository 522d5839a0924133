"""The records of a chunk of table rows, made one column at a time.

A Scopus export of a million rows made its records row by row: a dict of
values per row and a frozen dataclass built field by field, about 100 µs a
row. Here each field is one list comprehension over the chunk's column (a
value repeated down a column, such as a journal or a year, is worked out
once), then the rows are zipped back together. The rules are the per-row
reader's, step by step: a blank cell gives no value; then an Embase "Source"
fills venue, volume, issue, pages and year; a DOI is taken from an OpenURL
link; pages come from a start/end pair or an article number; a text column
gives the title and abstract; the key falls back to "row N".
tests/io/test_table_columns.py compares the result to the per-row reader, kept
as an oracle in tests/io/table_oracle.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.core.records import RECORD_FIELDS, clean_text, normalize_doi, parse_year
from workbench.io.formats.columns import (
    _NO_AUTHOR, _NO_AUTHOR_FIRST, doi_from_openurl, parse_embase_source, short_title,
    split_authors, split_list,
)

#: Fields whose values repeat down a column (journals, years, types): each distinct
#: cell is read once per chunk.
_REPEATING = frozenset({"year", "venue", "volume", "issue", "language", "pub_type", "issn",
                        "isbn"})
#: A Record's value when its field has no cell.
_EMPTY = {"authors": (), "keywords": (), "year": None, "line": None}


def field_value(field: str, cells: list[str]):
    """Return a field's value from its cells (each neither empty nor blank), in column order."""
    if field == "authors":
        return tuple(n for c in cells for n in split_authors(c))
    if field == "keywords":
        return tuple(dict.fromkeys(k for c in cells for k in split_list(c)))
    if field == "year":
        return next((y for y in map(parse_year, cells) if y), None)
    if field == "doi":
        return next((d for d in map(normalize_doi, cells) if d), "")
    if field == "url":
        return last_url(cells[0])
    if field == "abstract":
        return cells[0].strip()
    return clean_text(cells[0])


def last_url(cell: str) -> str:
    """Keep the last URL when an export glued two together ("https://a.orghttps://a.org/x")."""
    cell = cell.strip()
    position = cell.rfind("http", 1)
    if position > 0 and cell[position:].startswith(("http://", "https://")):
        return cell[position:].split()[0]
    return cell


def _one_column(field: str, column: Sequence[str]) -> list:
    """The values of a field read from one column (a blank cell gives the empty value).

    Each function below gives the empty value for a blank cell itself, so no
    cell needs a test of its own.
    """
    if field == "authors":
        if _single_spaced("".join(column), "(|") and " and " not in "".join(column):
            return [_names(c) if c else () for c in column]
        return [tuple(split_authors(c)) if c else () for c in column]
    if field == "keywords":
        if _single_spaced("".join(column), "|"):
            return [_words(c) if c else () for c in column]
        return [tuple(dict.fromkeys(split_list(c))) if c else () for c in column]
    if field == "abstract":
        return [c.strip() for c in column]
    convert = {"year": parse_year, "doi": normalize_doi, "url": last_url}.get(field, clean_text)
    if field in _REPEATING:
        seen: dict[str, object] = {}
        return [seen[c] if c in seen else seen.setdefault(c, convert(c)) for c in column]
    if convert is clean_text and _single_spaced("".join(column), ""):
        return [c.strip() for c in column]  # what clean_text gives for single-spaced text
    return [convert(c) for c in column]


#: Every character `str.split()` splits on but the space (tests/io/test_table_columns.py
#: checks the list against all of Unicode).
OTHER_WHITESPACE = ("\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", "\x85",
                    "\xa0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004",
                    "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u2028",
                    "\u2029", "\u202f", "\u205f", "\u3000")


def _single_spaced(text: str, absent: str) -> bool:
    """True when the text's only white space is single spaces and it holds none of `absent`.

    Then `" ".join(part.split())` is `part.strip()` for any part of it, which
    is what lets a whole column of author or keyword cells skip the per-name work.
    """
    return "  " not in text and not any(ch in text for ch in absent) and \
        not any(ch in text for ch in OTHER_WHITESPACE)


def _names(cell: str) -> tuple[str, ...]:
    """`split_authors(cell)` for a cell of a `_single_spaced` column with no "(", "|" or " and "."""
    cell = cell.strip()
    if not cell or cell[0] in _NO_AUTHOR_FIRST and _NO_AUTHOR.match(cell):
        return ()
    if ";" in cell:
        parts = cell.split(";")
    else:
        parts = cell.split(",")
        if len(parts) < 2 or not all(" " in part.strip() for part in parts):
            return (cell,)
    return tuple([name for name in map(str.strip, parts)
                  if name and not (name[0] in _NO_AUTHOR_FIRST and _NO_AUTHOR.match(name))])


def _words(cell: str) -> tuple[str, ...]:
    """`tuple(dict.fromkeys(split_list(cell)))` for a cell of a `_single_spaced` column with no "|"."""
    if ";" not in cell:
        return tuple(dict.fromkeys(split_list(cell)))
    return tuple(dict.fromkeys([word for word in map(str.strip, cell.split(";")) if word]))


def _many_columns(field: str, cells: list[list[str]], indexes: list[int]) -> list:
    """The values of a field read from several columns (all keyword columns, --map twice)."""
    empty = _EMPTY.get(field, "")
    out = []
    for row in cells:
        found = [row[i] for i in indexes if row[i] and not row[i].isspace()]
        out.append(field_value(field, found) if found else empty)
    return out


def column_rows(layout, cells: list[list[str]], starts: list[int], ordinals: list[int],
                path: str, database: str) -> list[list]:
    """Return the record rows of a chunk of table rows, in `RECORD_FIELDS` order.

    Args:
        layout: the table's `tabular._Layout` (which column feeds which field).
        cells: the chunk's rows, none shorter than the header.
        starts: the line where each row starts.
        ordinals: each row's number among the table's non-empty rows ("row N").
        path: the display path (`Record.file`).
        database: the database label (`Record.database`).
    """
    n = len(cells)
    values: dict[str, list] = {}
    by_column = list(zip(*cells)) or [()] * len(layout.header)  # no row is shorter than it
    for field, indexes in layout.columns.items():
        if len(indexes) == 1:
            values[field] = _one_column(field, by_column[indexes[0]])
        else:
            values[field] = _many_columns(field, cells, indexes)

    def column(field: str) -> list:
        if field not in values:
            values[field] = [_EMPTY.get(field, "")] * n
        return values[field]

    if layout.embase_source is not None:
        _embase_source(cells, layout.embase_source, column)
    if "url" in values:
        doi, url = column("doi"), values["url"]
        for k in range(n):
            if not doi[k] and url[k]:
                doi[k] = doi_from_openurl(url[k])
    if layout.pages or layout.article_number is not None:
        pages = column("pages")
        pair, number = layout.pages, layout.article_number
        for k, row in enumerate(cells):
            if pages[k]:
                continue
            if pair and row[pair[0]].strip():
                first, last = row[pair[0]].strip(), row[pair[1]].strip()
                pages[k] = f"{first}-{last}" if last else first
            elif number is not None:
                pages[k] = row[number].strip()
    if layout.text is not None:
        title, abstract, i = column("title"), column("abstract"), layout.text
        for k, row in enumerate(cells):
            body = row[i].strip()
            if body:
                if not title[k]:
                    title[k] = short_title(body)
                if not abstract[k]:
                    abstract[k] = body
    values["key"] = [key or f"row {o}" for key, o in zip(column("key"), ordinals)]
    values["file"] = [path] * n
    values["database"] = [database] * n
    values["line"] = starts
    return list(map(list, zip(*(column(name) for name in RECORD_FIELDS))))


def _embase_source(cells: list[list[str]], index: int, column) -> None:
    """Fill venue, volume, issue, pages and a missing year from Embase's "Source" cell."""
    fields = [(name, column(name)) for name in ("venue", "volume", "issue", "pages")]
    year = column("year")
    for k, row in enumerate(cells):
        cell = row[index]
        if not cell.strip():
            continue
        parsed = parse_embase_source(cell)
        for name, values in fields:
            if not values[k]:  # set only where the field had no cell (its value is then "")
                values[k] = parsed.get(name, "")
        if year[k] is None:
            year[k] = parse_year(parsed.get("year"))
