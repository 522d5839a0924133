"""Cell text that looks harmless by one count and not by another.

(c) `needs_quote` let a sign followed by digits pass as a plain number, and
`\\d` is any Unicode digit: `-١٢` (Arabic-Indic), `+１` (fullwidth) and `-३`
(Devanagari) were written unquoted. A spreadsheet reads none of them as a
number, so the cell is a formula to it. Only ASCII digits make a number now.

(d) An XLSX cell was cut at 32,767 code points, but Excel's limit counts
UTF-16 units, and a character outside the Basic Multilingual Plane (an
emoji, a CJK extension ideograph, a math letter) takes two. A note of 20,000
emoji passed the cut at 40,000 units and Excel "repaired" the workbook,
dropping the cell. The cut now counts UTF-16 units and never splits a pair.
"""

from __future__ import annotations

import re
import zipfile

import pandas as pd
import pytest

from workbench.io.exports.xlsx import CELL_MAX, write_workbook
from workbench.io.safe_cells import csv_text, needs_quote, neutralize, restore


@pytest.mark.parametrize("value", ["-١", "-١٢", "+１", "-३", "-1٢", "+١.٥", "-١e٣", "=١",
                                   "-１２３４５"])
def test_a_sign_and_digits_that_are_not_ascii_is_quoted(value):
    assert needs_quote(value)
    assert neutralize(value) == "'" + value and restore(neutralize(value)) == value
    text = csv_text(pd.DataFrame({"note": [value]}), index=False)
    assert text.splitlines()[1] in ("'" + value, f"\"'{value}\"")


@pytest.mark.parametrize("value", ["-1", "+3", "-0.5", "1e-3", "-.5", "+2.", "-1E+10"])
def test_plain_numbers_stay_as_they_are(value):
    assert not needs_quote(value) and neutralize(value) == value


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def written_cells(tmp_path, values: list[str]) -> list[str]:
    from openpyxl import load_workbook
    path = tmp_path / "t.xlsx"
    write_workbook(path, {"s": pd.DataFrame({"note": values})})
    with zipfile.ZipFile(path) as archive:   # the XML as Excel reads it: well formed
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert not re.search("[\ud800-\udfff]", xml)
    sheet = load_workbook(path, read_only=True)["s"]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("value", [
    "\U0001F600" * 20_000,                     # 40,000 units in 20,000 code points
    "a" + "\U0001F600" * 16_384,               # 32,769 units, one on an odd boundary
    "\U00020000" * 16_384,                     # CJK extension B: 32,768 units
    "x" * 32_000 + "\U0001D400" * 500,         # a math letter at the cut
])
def test_a_cell_of_astral_characters_is_cut_at_excels_limit_in_utf16_units(tmp_path, value):
    (cell,) = written_cells(tmp_path, [value])
    assert utf16_units(cell) <= CELL_MAX
    assert f"{len(value):,} characters in all" in cell
    kept = cell[:cell.index(" [... cut:")]
    assert value.startswith(kept) and utf16_units(kept) > CELL_MAX - 100


@pytest.mark.parametrize("value", ["\U0001F600" * 16_383 + "a", "a" * CELL_MAX,
                                   "\U0001F600" * 10_000])
def test_a_cell_within_the_limit_is_kept_whole(tmp_path, value):
    assert written_cells(tmp_path, [value]) == [value]
