"""The columnar table reader gives exactly the records and problems of the per-row one.

The per-row reader (before #21i) is kept in tests/io/table_oracle.py. Compared on
every table in ../shared/data/formats and tests/data, on variants of the shared
Scopus export re-written here (columns reordered, extra columns, CRLF, every cell
quoted, semicolons, tabs), and on random hostile tables (quotes, newlines in
cells, CR, BOMs, formulas, blank and ragged rows, duplicate headers).
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.io import table_oracle
from workbench.core.records import clean_text
from workbench.io.formats import table_columns
from workbench.io.formats.columns import ALIASES, split_authors, split_list
from workbench.io.formats.detect import detect_format
from workbench.io.formats.encoding import decode_export
from workbench.io.formats.table_rows import table_rows, text_lines
from workbench.io.formats.tabular import parse_table, sniff_delimiter, table_chunks

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "formats"


def assert_same(text: str, path: str = "t.csv", database: str = "db", mapping=None,
                chunk_rows: int | None = None) -> None:
    """parse_table (and table_chunks with small chunks) equal the per-row oracle."""
    try:
        expected = table_oracle.parse_table_by_row(text, path, database, mapping=mapping)
    except Exception as exc:  # the oracle's error must be raised the same way
        with pytest.raises(type(exc)) as raised:
            parse_table(text, path, database, mapping=mapping)
        assert str(raised.value) == str(exc)
        return
    got = parse_table(text, path, database, mapping=mapping)
    assert got.problems == expected.problems
    assert len(got.records) == len(expected.records)
    for new, old in zip(got.records, expected.records):
        assert new == old
        assert list(new.__dict__) == list(old.__dict__)
        assert [type(v) for v in new.__dict__.values()] == [type(v) for v in old.__dict__.values()]
    if chunk_rows:
        rows, problems = [], []
        for chunk, found in table_chunks(text_lines(text.lstrip("\ufeff")), path, database,
                                         mapping, sniff_delimiter(text), chunk_rows=chunk_rows):
            rows.extend(chunk)
            problems.extend(found)
        assert sorted(problems, key=lambda p: p.line or 0) == expected.problems
        assert [tuple(r) for r in rows] == [tuple(vars(r).values()) for r in expected.records]


def _tables() -> list:
    files = sorted(p for p in SHARED.glob("*/*") if p.name != "MANIFEST.md") if SHARED.is_dir() else []
    files += sorted(p for p in (REPO / "tests" / "data").rglob("*") if p.is_file())
    cases = []
    for path in files:
        try:
            text = decode_export(path.read_bytes(), str(path)).text
            if text.strip() and detect_format(text, path.name) == "table":
                cases.append(pytest.param(path, id=str(path.relative_to(path.parents[1]))))
        except Exception:  # not an export at all (a codebook, a PDF...)
            continue
    return cases


TABLES = _tables()


def test_the_shared_tables_are_all_found():
    names = {p.values[0].name for p in TABLES}
    if SHARED.is_dir():
        assert {"metaknowledge_scopus_testing.csv", "uvt_wos_tab_savedrecs_cited_by.txt",
                "pybiblio_zotero_exported_items.csv", "asreview_embase.csv",
                "bibliometrix_openalex_sample.csv"} <= names
    assert {"scopus.csv", "embase.csv", "ragged.csv", "wos_tab.txt", "posts.csv"} <= names


@pytest.mark.parametrize("path", TABLES)
def test_every_table_export_reads_as_before(path):
    text = decode_export(path.read_bytes(), str(path)).text
    assert_same(text, f"refs/{path.name}", chunk_rows=7)


@pytest.mark.parametrize("path", TABLES)
def test_every_table_export_reads_as_before_with_a_map(path):
    text = decode_export(path.read_bytes(), str(path)).text
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sniff_delimiter(text)))
    names = [h for h in header if h.strip()]
    if len(names) < 3:
        pytest.skip("too few columns")
    mapping = {names[-1]: "title", names[1]: "keywords", names[2]: "key"}
    assert_same(text, "t.csv", mapping=mapping, chunk_rows=5)


def _scopus_rows() -> tuple[list[str], list[list[str]]]:
    path = SHARED / "scopus_csv" / "metaknowledge_scopus_testing.csv"
    if not path.is_file():
        pytest.skip("../shared/data is not present")
    text = decode_export(path.read_bytes(), str(path)).text
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]


def _write(header, rows, **fmt) -> str:
    out = io.StringIO()
    writer = csv.writer(out, **fmt)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("variant", ["reordered", "extra", "crlf", "all_quoted", "semicolon",
                                     "tab", "bom_and_blank_lines", "renamed"])
def test_held_aside_scopus_variants_read_as_before(variant):
    header, rows = _scopus_rows()
    rng = random.Random(21)
    fmt: dict = {"lineterminator": "\n"}
    if variant == "reordered":
        order = list(range(len(header)))
        rng.shuffle(order)
        header, rows = [header[i] for i in order], [[r[i] for i in order] for r in rows]
    elif variant == "extra":
        header = header + ["Notes", "Title", "Link 2"]  # a second "Title" comes after the first
        rows = [r + [f'=cmd|"/c calc"!{i}', f"dup {i}", ""] for i, r in enumerate(rows)]
    elif variant == "crlf":
        fmt["lineterminator"] = "\r\n"
    elif variant == "all_quoted":
        fmt["quoting"] = csv.QUOTE_ALL
    elif variant == "semicolon":
        fmt["delimiter"] = ";"
    elif variant == "tab":
        fmt["delimiter"] = "\t"
    elif variant == "renamed":
        header = [h.upper().replace(" ", "_") for h in header]
    text = _write(header, rows, **fmt)
    if variant == "bom_and_blank_lines":
        lines = text.split("\n")
        text = "\ufeff\ufeff" + "\n\n".join(lines[:1] + lines[1:]) + "\n  ,  \n"
    if variant == "crlf":
        text = text.replace("\r\n", "\n")  # as decode_export hands it over
    assert_same(text, "v.csv", chunk_rows=3)


#: Header names the readers know (every alias, the Embase and page columns) and some they do not.
_HEADERS = sorted({a for aliases in ALIASES.values() for a in aliases}) + [
    "Author Names", "Source", "Page start", "Page end", "Art. No.", "Text", "display_name",
    "Open URL Link", "Notes", "Title", "title", " Year ", "PT", "TI", "UT", "AU", "PY"]
#: Columns that work together (page pairs, Embase's source, a text column) drawn as a group.
_GROUPS = [
    ["Page start", "Page end"], ["Page start", "Page end", "Art. No."], ["Art. No.", "Pages"],
    ["Author Names", "Source", "Year"], ["Author Names", "Source", "Source title"],
    ["Text", "Title"], ["display_name", "Text"], ["DOI", "Open URL Link"], ["URL", "DOI"],
    ["Author Keywords", "Index Keywords", "Keywords"], ["EID", "Title"], ["Title", "Title"],
    ["Abstract", "Text"], ["first_page", "last_page", "pages"]]
_CELLS = ["", " ", "x", "Smith J.; Doe A.", "Smith, John", "[No author name available]",
          "Doe A. (57195504563)", "no author", "2019", "c. 1998", "10.1000/ABC.", "doi:10.1/x",
          "https://a.orghttps://a.org/x", "http://x.org/?id=doi:10.1000%2Fq&x=1",
          "Endoscopic Ultrasound (2014) 3:3 (152-160)", "Journal (1999)", "a; b; a", "a, b (c, d)",
          "=cmd|' /C calc'!A0", "+1", "@SUM(1)", 'he said "hi"', '"', '""', "line\nbreak",
          "cr\rin", "tab\there", "\ufeffbom", "ünïcödé ©", "NA", "\t", "12", "5-9", "e123",
          "two\n\nlines", "a|b|c", "x and y", "No terms assigned", "", "", "7", " 12 "]


def _hostile_table(data) -> str:
    delimiter = data.draw(st.sampled_from([",", ";", "\t"]))
    group = st.one_of(st.sampled_from([[name] for name in _HEADERS]), st.sampled_from(_GROUPS))
    groups = data.draw(st.lists(group, min_size=1, max_size=5))
    if data.draw(st.integers(0, 3)):
        groups.append([data.draw(st.sampled_from(["Title", "Article Title", "TI", "title"]))])
    header = data.draw(st.permutations([name for group in groups for name in group]))
    width = len(header)
    row = st.lists(st.sampled_from(_CELLS), min_size=width, max_size=width)
    ragged = st.lists(st.sampled_from(_CELLS), min_size=0, max_size=width + 2)
    rows = data.draw(st.lists(st.one_of(row, row, row, ragged), max_size=12))
    quoting = data.draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    out = io.StringIO()
    if quoting == csv.QUOTE_NONE:  # hand-written: cells as they are, quotes and all
        out.write(delimiter.join(header) + "\n")
        for row in rows:
            out.write(delimiter.join(c.replace("\n", " ") for c in row) + "\n")
    else:
        writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    text = out.getvalue()
    cut = data.draw(st.integers(0, 3))
    if cut == 1:  # cut short, perhaps inside a quoted cell
        text = text[:data.draw(st.integers(0, len(text)))]
    elif cut == 2:  # a stray quote
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + '"' + text[at:]
    return ("\ufeff" if data.draw(st.booleans()) else "") + text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_hostile_tables_read_as_before(data):
    text = _hostile_table(data)
    mapping = None
    if data.draw(st.booleans()):
        first = re.split(r"[,;\t]", text.lstrip("\ufeff").split("\n", 1)[0])
        mapping = {data.draw(st.sampled_from(first)).strip('"'):
                   data.draw(st.sampled_from(["title", "keywords", "year", "authors", "doi",
                                              "url", "pages", "venue", "key", "nonsense"]))}
    assert_same(text, "h.csv", mapping=mapping, chunk_rows=data.draw(st.integers(1, 5)))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab",;\t\n\r \ufeff=')), max_size=80),
       st.sampled_from([",", ";", "\t"]))
def test_rows_and_lines_are_those_of_the_csv_module(text, delimiter):
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    expected, error = [], None
    previous = 0
    try:
        for row in reader:
            expected.append((previous + 1, reader.line_num, row))
            previous = reader.line_num
    except csv.Error as exc:
        error = str(exc)
    got = []
    try:
        got.extend(table_rows(text_lines(text), delimiter))
    except csv.Error as exc:
        assert str(exc) == error
    else:
        assert error is None
    assert got == expected
    assert list(text_lines(text)) == list(io.StringIO(text))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("nN[o autherO;|,()0123456789 \t\nAn")), max_size=60)
       | st.text(max_size=60))
def test_split_authors_is_unchanged(cell):
    assert split_authors(cell) == table_oracle.split_authors(cell)


def test_no_author_can_only_start_with_the_characters_checked_first():
    for pattern, matched in ((r"n", {"n", "N"}), (r"\[", {"["})):
        first = re.compile(pattern, re.IGNORECASE)
        assert {chr(c) for c in range(0x110000) if first.match(chr(c))} == matched


def test_the_other_whitespace_is_every_character_split_splits_on():
    assert set(table_columns.OTHER_WHITESPACE) == \
        {chr(c) for c in range(0x110000) if chr(c).isspace()} - {" "}


_CELL_PIECES = ["Smith J.", "Doe, Jane", "Jane Doe", " ", "  ", ";", "; ", ",", "|", " and ",
                "(57195504563)", "[No author name available]", "no author", "Nguyen T.", "N",
                "\t", "\xa0", "\u2028", "é", "x", "", "Roe R.;", ";;", "O'Brien", "anon"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_CELL_PIECES), max_size=6).map("".join), max_size=8))
def test_author_and_keyword_columns_split_as_each_cell_does(column):
    """A whole column read at once (single-spaced fast path or not) equals the per-cell rules."""
    assert table_columns._one_column("authors", column) == \
        [tuple(table_oracle.split_authors(c)) if c else () for c in column]
    assert table_columns._one_column("keywords", column) == \
        [tuple(dict.fromkeys(split_list(c))) if c else () for c in column]
    plain = [c for c in column if table_columns._single_spaced(c, "(|") and " and " not in c]
    assert table_columns._one_column("authors", plain) == \
        [tuple(table_oracle.split_authors(c)) if c else () for c in plain]
    plain = [c for c in column if table_columns._single_spaced(c, "|")]
    assert table_columns._one_column("keywords", plain) == \
        [tuple(dict.fromkeys(split_list(c))) if c else () for c in plain]
    for cells in (column, [c for c in column if table_columns._single_spaced(c, "")]):
        assert table_columns._one_column("title", cells) == [clean_text(c) for c in cells]
