"""The wide one-row-per-study sheet, written as CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import ExportError
from workbench.io.codebook_yaml import load_codebook
from workbench.io.exports.sheet_table import sheet_table, write_sheet_table
from workbench.store.reviewer_sheet import Sheet

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def coded(tmp_path):
    cb = load_codebook(REPO / "codebook.yaml")
    sheet = Sheet.open(tmp_path / "coding" / "alice.csv", "alice", cb.version)
    sheet.record_screening(cb, "title_abstract", "s1", "include", ["I1", "I2"], note="ok")
    sheet.record_screening(cb, "title_abstract", "s2", "exclude", ["E1"])
    sheet.record_screening(cb, "full_text", "s1", "include")
    sheet.set_codes(cb, "coding", "s1", "platforms", ["twitter", "facebook"])
    sheet.set_field(cb, "coding", "s1", "source_type", "government_report")
    sheet.add_row(cb, "coding", "s1", "campaign", {"name": "#MeTooPakistan",
                                                   "hashtag_reach": "5.2"})
    sheet.add_row(cb, "coding", "s1", "campaign", {"name": "#ClimateActionPK",
                                                   "hashtag_reach": ""})
    sheet.set_evidence(cb, "coding", "s1", "twitter", "quote, with comma", "p. 7")
    return cb, sheet


def test_one_row_per_study_with_codes_fields_and_group_rows(coded):
    cb, sheet = coded
    frame = sheet_table(cb, sheet.state, ["s1", "s2", "s3"]).set_index("study_id")
    assert frame.loc["s1", "title_abstract.criteria"] == "I1;I2"
    assert frame.loc["s2", "title_abstract.decision"] == "exclude"
    assert frame.loc["s3", "title_abstract.decision"] == ""
    assert frame.loc["s1", "platforms"] == "twitter;facebook"
    assert (frame.loc["s1", "platforms.twitter"], frame.loc["s1", "platforms.whatsapp"]) == (1, 0)
    assert frame.loc["s2", "platforms.twitter"] == ""  # not coded is not "absent"
    assert frame.loc["s1", "source_type"] == "government_report"
    assert frame.loc["s1", "campaign.1.name"] == "#MeTooPakistan"
    assert frame.loc["s1", "campaign.2.hashtag_reach"] == ""
    assert frame.loc["s1", "quote.twitter"] == "quote, with comma"


def test_csv_and_xlsx_read_back(coded, tmp_path):
    cb, sheet = coded
    frame = sheet_table(cb, sheet.state)
    csv_path, xlsx_path = tmp_path / "exports" / "alice.csv", tmp_path / "exports" / "alice.xlsx"
    assert write_sheet_table(frame, csv_path, xlsx_path) == [csv_path, xlsx_path]
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back.loc[0, "quote.twitter"] == "quote, with comma"
    assert back.loc[0, "campaign.1.hashtag_reach"] == "5.2"
    xlsx = pd.read_excel(xlsx_path, dtype=str, keep_default_na=False)
    assert list(xlsx.columns) == list(frame.columns)
    assert sorted(p.name for p in csv_path.parent.iterdir()) == ["alice.csv", "alice.xlsx"]


def test_failed_write_leaves_no_partial_file(coded, tmp_path):
    cb, sheet = coded
    blocked = tmp_path / "exports" / "alice.csv"
    blocked.mkdir(parents=True)  # a folder where the file should go: os.replace fails
    with pytest.raises(ExportError, match="cannot write") as caught:
        write_sheet_table(sheet_table(cb, sheet.state), blocked)
    assert str(blocked) in str(caught.value)
    assert [p.name for p in blocked.parent.iterdir()] == ["alice.csv"]  # no temp file left
