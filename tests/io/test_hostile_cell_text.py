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


import pandas as pd
import pytest

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
