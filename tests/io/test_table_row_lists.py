"""`table_row_lists` (the streamed import's row reader) gives the rows `table_rows` gives.

`table_rows` over `text_lines` of `decode_export`'s text (CR LF and lone CR
turned into LF, leading U+FEFF dropped) is the reference, and it is itself
compared with the csv module in tests/io/test_table_columns.py. Here the text
is cut into blocks at random places, so line ends (CR | LF), quoted cells with
line breaks and BOMs fall across block edges.
"""

from __future__ import annotations

import csv
import io
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.io.formats.table_rows import table_row_lists, table_rows, text_lines


def _expected(text: str, delimiter: str):
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    try:
        return list(table_rows(text_lines(text), delimiter)), None
    except csv.Error as exc:
        return None, str(exc)


def _got(text: str, delimiter: str, seed: int, most: int):
    rng = random.Random(seed)
    blocks, at = [], 0
    while at < len(text):
        step = rng.randint(1, most)
        blocks.append(text[at:at + step])
        at += step
    rows = []
    try:
        for starts, ends, found in table_row_lists(blocks, delimiter):
            assert len(starts) == len(ends) == len(found)
            rows.extend(zip(starts, ends, found))
    except csv.Error as exc:
        return None, str(exc)
    return rows, None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab",;\t\n\r \ufeff=')), max_size=120),
       st.sampled_from([",", ";", "\t"]), st.integers(0, 2**16), st.sampled_from([1, 3, 16, 4096]))
def test_rows_are_those_of_table_rows_over_the_decoded_lines(text, delimiter, seed, most):
    assert _got(text, delimiter, seed, most) == _expected(text, delimiter)


_CELLS = ["", " ", "x", 'q"uote', "two\nlines", "cr\r\nlf", "lone\rcr", "ünï ©", "\ufeff",
          "Smith J.; Doe A.", "a,b", "tab\tin", "=cmd|'/c calc'!A0", "x" * 3000]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_CELLS), min_size=0, max_size=6), max_size=30),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
       st.booleans(), st.integers(0, 2**16), st.sampled_from([5, 64, 1 << 20]))
def test_written_tables_read_as_table_rows_reads_them(rows, delimiter, ending, quoting, bom, seed,
                                                      most):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=quoting).writerows(rows)
    text = ("\ufeff" if bom else "") + out.getvalue()
    if rows and seed % 3 == 0:
        text = text[:len(text) - seed % 7]  # a torn last line
    assert _got(text, delimiter, seed, most) == _expected(text, delimiter)


def test_a_block_without_quotes_is_split_at_once_and_numbered():
    text = "T,Y\r\na,1\r\n\r\nb,2\r\nc,3"
    got = list(table_row_lists([text[:7], text[7:]], ","))
    rows = [(s, e, r) for starts, ends, found in got for s, e, r in zip(starts, ends, found)]
    assert rows == [(1, 1, ["T", "Y"]), (2, 2, ["a", "1"]), (3, 3, []), (4, 4, ["b", "2"]),
                    (5, 5, ["c", "3"])]
