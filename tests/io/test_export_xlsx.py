"""The column-wise XLSX writer: what Excel readers (openpyxl, pandas) get back."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from workbench.io.exports import xlsx as export_xlsx
from workbench.io.exports.xlsx import column_letter, write_workbook


def test_column_letters_follow_the_spreadsheet_alphabet():
    assert [column_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


@pytest.fixture
def table():
    return pd.DataFrame({
        "text": ["a & b <c>", "=1+1", "", None, "Ürdu اردو \x07bell"],
        "int": np.array([1, 2, 3, 4, 5], dtype="int64"),
        "nullable": pd.array([1, None, 0, 7, None], dtype="Int64"),
        "float": [1.5, np.nan, float("inf"), -0.25, 1e-7],
        "Float": pd.array([0.1, None, 2.0, None, 3.0], dtype="Float64"),
        "mixed": ["x", 3, 2.5, pd.NA, True],
    })


def test_values_round_trip_with_types_and_blank_na(tmp_path, table):
    path = tmp_path / "book.xlsx"
    write_workbook(path, {"README": pd.DataFrame([("Review", "R & D")]), "data": table},
                   headless=["README"])
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["README", "data"]
    assert list(book["README"].iter_rows(values_only=True)) == [("Review", "R & D")]
    rows = list(book["data"].iter_rows(values_only=True))
    assert rows[0] == ("text", "int", "nullable", "float", "Float", "mixed")
    assert rows[1] == ("a & b <c>", 1, 1, 1.5, 0.1, "x")
    # A formula-looking text stays text; NA, "" and inf are blank cells.
    assert rows[2] == ("=1+1", 2, None, None, None, 3)
    assert rows[3] == (None, 3, 0, None, 2, 2.5)
    assert rows[4][:4] == (None, 4, 7, -0.25)
    # A control character XML cannot hold is replaced by its visible symbol, the rest kept.
    assert rows[5][0] == "Ürdu اردو \u2407bell" and rows[5][3] == 1e-7 and rows[5][5] == 1


def test_pandas_reads_the_same_table_back(tmp_path, table):
    path = tmp_path / "book.xlsx"
    write_workbook(path, {"data": table[["int", "nullable", "float"]]})
    back = pd.read_excel(path, sheet_name="data")
    assert back["int"].tolist() == [1, 2, 3, 4, 5]
    assert back["nullable"].isna().tolist() == [False, True, False, False, True]
    assert back["float"].isna().tolist() == [False, True, True, False, False]


def test_large_tables_are_written_in_chunks_with_right_row_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(export_xlsx, "CHUNK_ROWS", 7)
    frame = pd.DataFrame({"n": range(30), "s": [f"row {i}" for i in range(30)]})
    path = tmp_path / "book.xlsx"
    write_workbook(path, {"long": frame, "empty": frame.iloc[:0]})
    rows = list(load_workbook(path, read_only=True)["long"].iter_rows(values_only=True))
    assert rows[1:] == [(i, f"row {i}") for i in range(30)]
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert '<row r="31">' in zf.read("xl/worksheets/sheet1.xml").decode()
