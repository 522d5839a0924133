"""A number field's whole values reach the CSV as the coder typed them: 30, not 30.0."""

from __future__ import annotations

import pandas as pd

from workbench.io.codebook_yaml import parse_codebook
from workbench.io.exports.tables import column_name, numbers_as_typed, typed
from workbench.io.safe_cells import csv_text

CODEBOOK = """
stages: [{id: coding, kind: coding}]
fields:
  - {id: sample_size, label: Sample size, type: number}
  - {id: share, label: Share, type: number}
groups:
  - id: campaign
    label: Campaign
    fields:
      - {id: name, label: Name, type: text, required: true}
      - {id: reach, label: Reach, type: number}
"""


def test_whole_numbers_are_written_without_a_decimal_point():
    codebook = parse_codebook(CODEBOOK)
    size, share = codebook.fields
    reach = codebook.groups[0].fields[1]
    table = pd.DataFrame({
        "study_id": ["S1", "S2", "S3"],
        column_name("sample_size"): typed(pd.Series(["30", "", "1200"], dtype=object), size),
        column_name("share"): typed(pd.Series(["5.20", "0.5", "7"], dtype=object), share),
        column_name("reach"): typed(pd.Series(["2", "", "-3"], dtype=object), reach)})
    assert csv_text(table).splitlines()[1].startswith("S1,30.0,")   # what a float column writes
    out = numbers_as_typed(codebook, table)
    assert csv_text(out).splitlines() == ["study_id,sample_size,share,reach",
                                          "S1,30,5.2,2", "S2,,0.5,", "S3,1200,7,-3"]
    assert str(table[column_name("sample_size")].dtype) == "Float64"   # .dta/.sav/XLSX: floats
    assert numbers_as_typed(codebook, table[["study_id"]]).equals(table[["study_id"]])
