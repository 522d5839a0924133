"""The one rule every CSV output uses against formula injection (workbench.io.safe_cells)."""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.io.safe_cells import (ADDED_QUOTE, DANGEROUS, SafeWriter, csv_text, neutralize,
                                     restore, safe_frame, safe_row, write_safe_csv)

HOSTILE = ['=HYPERLINK("http://x","click")', "+cmd", "-2+3", "@SUM(A1:A2)", "\t=1+1",
           "\r=1+1", "cmd|' /C calc'!A0", "=cmd|' /C calc'!A0", "-", "'=already"]


def test_formula_starts_get_a_quote_and_plain_text_does_not():
    assert neutralize('=HYPERLINK("http://x","click")') == '\'=HYPERLINK("http://x","click")'
    assert neutralize("+cmd") == "'+cmd"
    assert neutralize("-2+3") == "'-2+3"
    assert neutralize("@SUM(A1)") == "'@SUM(A1)"
    assert neutralize("\tx") == "'\tx"
    assert neutralize("\rx") == "'\rx"
    for text in ("", "Café", "a=b", " =1", "x-y", "'quoted", "it's", "2024-05-01", "١٢٣"):
        assert neutralize(text) == text


def test_numbers_stay_numbers():
    for number in ("-0.5", "+3", "-1e-3", "-12", "-.5", "3."):
        assert neutralize(number) == number
    for not_a_number in ("-2+3", "-1,5", "-inf", "--1", "-1 "):
        assert neutralize(not_a_number) == "'" + not_a_number


def test_a_value_that_already_starts_with_a_quote_round_trips():
    assert neutralize("'=x") == "''=x"
    assert restore("''=x") == "'=x"
    assert restore("'=x") == "=x"
    assert restore("'plain") == "'plain"
    assert restore("'-0.5") == "-0.5" and neutralize("'-0.5") == "''-0.5"


@given(st.text(alphabet=st.sampled_from(list("=+-@\t\r'0.5e ax")), max_size=8) | st.text())
def test_neutralize_is_undone_by_restore_and_never_leaves_a_formula(value):
    out = neutralize(value)
    assert restore(out) == value
    assert ADDED_QUOTE.sub("", out) == value
    assert not out[:1] or out[0] not in DANGEROUS or out == value and float(value) == float(value)


def test_safe_frame_touches_text_only_and_copies_only_when_needed():
    frame = pd.DataFrame({"x": [-0.5, 2.0], "n": [-1, 3], "t": ["=1+1", "ok"],
                          "mixed": [-2, "@a"], "=head": ["a", "b"]})
    out = safe_frame(frame)
    assert out is not frame and frame.loc[0, "t"] == "=1+1"   # the caller's frame is unchanged
    assert list(out.columns) == ["x", "n", "t", "mixed", "'=head"]
    assert out["x"].tolist() == [-0.5, 2.0] and out["n"].tolist() == [-1, 3]
    assert out["t"].tolist() == ["'=1+1", "ok"] and out["mixed"].tolist() == [-2, "'@a"]
    clean = pd.DataFrame({"t": ["a", None], "n": [1, 2]})
    assert safe_frame(clean) is clean


def test_csv_writers_and_rows():
    frame = pd.DataFrame({"v": ["-0.5", "-2+3", None], "n": [-0.5, 1.0, float("nan")],
                          "c": pd.Categorical(["=a", "b", None])})
    text = csv_text(frame, lineterminator="\n")
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert back["v"].tolist() == ["-0.5", "'-2+3", ""]
    assert back["n"].tolist() == ["-0.5", "1.0", ""]
    assert back["c"].tolist() == ["'=a", "b", ""]
    buffer = io.StringIO()
    write_safe_csv(frame, buffer, lineterminator="\n")
    assert buffer.getvalue() == text
    assert safe_row(["=x", -1, None, "y"]) == ["'=x", -1, None, "y"]


def test_a_carriage_return_inside_a_cell_never_starts_a_row(tmp_path):
    frame = pd.DataFrame({"a": ["x\r=1+1", 'q"\r\nz', "plain"], "b": ["\r=2", "ok", "c\nd"]})
    text = csv_text(frame)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["a", "b"], ["x\r=1+1", "'\r=2"], ['q"\r\nz', "ok"], ["plain", "c\nd"]]
    assert text.endswith('plain,"c\nd"\n') and text.count("\r\n") == 1   # inside 'q"\r\nz'

    path = tmp_path / "t.csv"
    write_safe_csv(frame, path, encoding="utf-8-sig", lineterminator="\n")
    raw = path.read_bytes()
    assert raw.decode("utf-8-sig") == text and raw[:3] == b"\xef\xbb\xbf"
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerows([["a", "b"], ["x\r=1+1", "\r=2"], [-1, None]])
    assert out.getvalue() == 'a,b\n"x\r=1+1","\'\r=2"\n-1,\n'


CELL_TEXT = st.one_of(
    st.sampled_from(["", " ", ",", '"', '""', "a,b", 'say "hi"', "line\nbreak", "cr\rhere",
                     "crlf\r\n", "\t=1+1", "=SUM(A1)", "-2+3", "-0.5", "'=quoted", "nul\x00in",
                     "\x0b", "é", "😀", "\u202eevil", "nan", "NA", "None", "1e5"]),
    st.text(max_size=12))
CELL_ANY = st.one_of(CELL_TEXT, st.none(), st.just(float("nan")), st.integers(-5, 5),
                     st.floats(allow_nan=False, allow_infinity=False, width=32))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_text_tables_are_written_as_pandas_writes_them(data):
    """csv_text's text-cell writer gives the bytes DataFrame.to_csv gives (kept as the oracle)."""
    import pandas as pd

    from workbench.io.safe_cells import (_pandas_csv, _text_cells_csv, _text_frame_csv, csv_text,
                                         safe_frame)
    n_cols = data.draw(st.integers(1, 5))
    n_rows = data.draw(st.integers(0, 8))
    cells = CELL_TEXT if data.draw(st.booleans()) else CELL_ANY
    names = data.draw(st.lists(CELL_TEXT, min_size=n_cols, max_size=n_cols, unique=True))
    columns = {name: data.draw(st.lists(cells, min_size=n_rows, max_size=n_rows))
               for name in names}
    frame = pd.DataFrame(columns, columns=names, dtype=object)
    if data.draw(st.booleans()) and n_cols:   # pandas 3's str columns too
        frame[names[0]] = frame[names[0]].astype("str") if cells is CELL_TEXT else frame[names[0]]
    header = data.draw(st.booleans())
    expected = _pandas_csv(safe_frame(frame), "\n", index=False, na_rep="", header=header)
    assert csv_text(frame, index=False, na_rep="", lineterminator="\n", header=header) \
        == expected
    text_only = all(type(v) is str for name in names for v in frame[name].tolist())
    if text_only and n_cols >= 2 and n_rows:   # the fast writers did write it
        assert _text_cells_csv(safe_frame(frame), index=False, na_rep="", header=header) \
            == expected
        assert _text_frame_csv(frame, index=False, na_rep="", header=header) == expected
    else:
        assert _text_frame_csv(frame, index=False, na_rep="", header=header) is None


REPEATED = st.sampled_from(["", "x", "=1", "'=1", "a,b", "-0.5", "-", "nul\x00=x", "\x00",
                            "\x00@", "@", "'", "\r", 'q"', "é,"])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_columns_of_repeated_texts_are_neutralized_and_quoted_once_each_as_before(data):
    """The one-pass writer (distinct texts neutralized and quoted once, then mapped) gives
    the bytes of safe_frame + DataFrame.to_csv (the oracle) on columns that repeat a few
    hostile texts, including a NUL before a formula character inside a cell."""
    from workbench.io.safe_cells import _pandas_csv, _text_frame_csv, csv_text, safe_frame
    n_rows = data.draw(st.integers(1, 30))
    columns = {name: data.draw(st.lists(REPEATED, min_size=n_rows, max_size=n_rows))
               for name in ("a", "=b", "c,d")}
    frame = pd.DataFrame(columns, dtype=object)
    header = data.draw(st.booleans())
    expected = _pandas_csv(safe_frame(frame), "\n", index=False, na_rep="", header=header)
    assert _text_frame_csv(frame, index=False, na_rep="", header=header) == expected
    assert csv_text(frame, index=False, na_rep="", lineterminator="\n", header=header) \
        == expected


def test_a_categorical_column_with_a_formula_category_is_written_as_before():
    """A categorical column is left to safe_frame (the one-pass writer says None)."""
    from workbench.io.safe_cells import _pandas_csv, _text_frame_csv, csv_text, safe_frame
    frame = pd.DataFrame({"a": pd.Categorical(["=1", "x", "=1"]), "b": ["p", "q,r", "s"]})
    assert _text_frame_csv(frame, index=False, na_rep="") is None
    text = csv_text(frame, index=False, na_rep="", lineterminator="\n")
    assert text == _pandas_csv(safe_frame(frame), "\n", index=False, na_rep="")
    assert text == "a,b\n'=1,p\nx,\"q,r\"\n'=1,s\n"
