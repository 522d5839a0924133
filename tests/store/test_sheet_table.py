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


# -- the streamed writer gives what the whole-frame writer gave --------------------------------
def _dict_rows_table(codebook, state, study_ids=None, titles=None):
    """The table as built before rows were streamed (one dict per row, then a frame): the oracle."""
    from workbench.core.coding import study_coding
    from workbench.core.screening import CRITERIA, DECISION, NOTE
    from workbench.io.exports.sheet_table import _empty_columns

    stages_of = {}
    for (stage, study), cell in state.items():
        stages_of.setdefault(study, {})[stage] = cell
    ids = list(study_ids) if study_ids is not None else sorted(stages_of)
    coding_stages = codebook.coding_stages()
    rows = []
    for study in ids:
        cells = stages_of.get(study, {})
        row = {"study_id": study}
        if titles is not None:
            row["title"] = titles.get(study, "")
        for stage in codebook.screening_stages():
            cell = cells.get(stage.id, {})
            for name in (DECISION, CRITERIA, NOTE):
                row[f"{stage.id}.{name}"] = cell[name].value if name in cell else ""
        for stage in coding_stages:
            prefix = f"{stage.id}." if len(coding_stages) > 1 else ""
            cell = cells.get(stage.id, {})
            coded = study_coding(codebook, cell, study, stage.id)
            for dim in codebook.dimensions:
                chosen = coded.codes.get(dim.id, ())
                row[f"{prefix}{dim.id}"] = ";".join(chosen)
                for code in dim.all_codes():
                    row[f"{prefix}{dim.id}.{code.id}"] = int(code.id in chosen) if cell else ""
                row[f"{prefix}memo.{dim.id}"] = coded.memos.get(dim.id, "")
            for fld in codebook.fields:
                row[f"{prefix}{fld.id}"] = coded.values.get(fld.id, "")
            for group in codebook.groups:
                for n, grow in enumerate(coded.rows.get(group.id, []), start=1):
                    for fld in group.fields:
                        row[f"{prefix}{group.id}.{n}.{fld.id}"] = grow.values.get(fld.id, "")
            for code, (quote, page) in coded.evidence.items():
                row[f"{prefix}quote.{code}"] = quote
                row[f"{prefix}page.{code}"] = page
            row[f"{prefix}flag"] = int(coded.flagged) if cell else ""
            row[f"{prefix}flag_reason"] = coded.flag_reason
            row[f"{prefix}note"] = coded.note
            for name, value in coded.unknown.items():
                row[f"{prefix}unknown.{name}"] = value
        rows.append(row)
    empty = _empty_columns(codebook)
    if titles is not None:
        empty.insert(1, "title")
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=empty)
    return frame.fillna("")


def _many_studies(cb):
    """Events for studies that bring their own columns at different places, hostile values."""
    from workbench.core.events import Event, SheetState

    hostile = ["=HYPERLINK(\"x\")", "line\nbreak", "cr\rinside", "-2+3", "-0.5", "tab\tin",
               "nul\x00here", "quote \"q\", comma", "'=already", "@sum", " lead"]
    events, t = [], [0]

    def ev(study, stage, field, value, note=""):
        t[0] += 1
        events.append(Event(f"2025-01-01T00:00:00.{t[0]:06d}Z", "alice", study, stage, field,
                            value, note, cb.version))

    for i in range(23):
        s = f"s{i:02d}"
        ev(s, "title_abstract", "decision", "include" if i % 4 else "exclude",
           note=hostile[i % len(hostile)])
        if i % 4 == 0:
            ev(s, "title_abstract", "criteria", "E1;E2")
            continue
        ev(s, "title_abstract", "note", hostile[(i + 3) % len(hostile)])
        ev(s, "full_text", "decision", "include")
        ev(s, "coding", "code:platforms", "twitter;facebook" if i % 2 else "old_tw")
        ev(s, "coding", "memo:platforms", hostile[(i + 5) % len(hostile)])
        ev(s, "coding", "field:source_type", "government_report" if i % 3 else "")
        if i in (2, 9, 10):                       # group rows only on some studies
            for r in range(i % 3 + 1):
                ev(s, "coding", f"row:campaign:r{r}{i}", "1")
                ev(s, "coding", f"row:campaign:r{r}{i}:name", hostile[r])
        if i in (5, 13):
            ev(s, "coding", "quote:facebook", hostile[i % len(hostile)])
            ev(s, "coding", "page:facebook", "p. 3")
        if i in (6, 21):
            ev(s, "coding", "flag", "1", note="ask bob")
            ev(s, "coding", "retired_field", hostile[1])   # nothing in the codebook
        if i == 7:
            ev(s, "coding", "note", hostile[0])
    return SheetState(events)


def _xlsx_parts(path):
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in sorted(zf.namelist())}


@pytest.mark.parametrize("chunk", [4, 20_000])
@pytest.mark.parametrize("with_titles", [True, False])
def test_streamed_table_and_files_are_the_whole_frame_ones(tmp_path, monkeypatch, chunk,
                                                           with_titles):
    import dataclasses

    from workbench.io.exports import sheet_table as module, xlsx as export_xlsx
    from workbench.io.exports.sheet_table import wide_rows, write_wide_rows

    cb = load_codebook(REPO / "codebook.yaml")
    cb = dataclasses.replace(cb, renamed={**cb.renamed, "old_tw": "twitter"})
    state = _many_studies(cb)
    ids = [f"s{i:02d}" for i in range(25)]            # two studies with no decision at all
    titles = {s: f"title {s} =1+1" for s in ids} if with_titles else None
    old = _dict_rows_table(cb, state, ids, titles)
    monkeypatch.setattr(module, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(export_xlsx, "CHUNK_ROWS", max(chunk // 2, 1))
    table = wide_rows(cb, state, ids, titles)
    assert table.columns == list(old.columns)
    assert "campaign.3.name" in table.columns and "unknown.retired_field" in table.columns
    assert table.columns.index("campaign.1.name") > table.columns.index("flag")  # a later row
    pd.testing.assert_frame_equal(table.frame(), old, check_dtype=False)

    before = write_sheet_table(old, tmp_path / "old.csv", tmp_path / "old.xlsx")
    after = write_wide_rows(table, tmp_path / "new.csv", tmp_path / "new.xlsx")
    assert (tmp_path / "new.csv").read_bytes() == before[0].read_bytes()
    assert _xlsx_parts(after[1]) == _xlsx_parts(before[1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv", "new.xlsx", "old.csv",
                                                          "old.xlsx"]


def test_streamed_table_of_a_sheet_with_no_rows_or_first_row_with_extras(coded, tmp_path):
    from workbench.io.exports.sheet_table import wide_rows, write_wide_rows

    cb, sheet = coded
    for ids in ([], ["s1", "s2"], ["s2", "s1"]):
        old = _dict_rows_table(cb, sheet.state, ids)
        table = wide_rows(cb, sheet.state, ids)
        assert table.columns == list(old.columns)
        write_sheet_table(old, tmp_path / "old.csv", tmp_path / "old.xlsx")
        write_wide_rows(table, tmp_path / "new.csv", tmp_path / "new.xlsx")
        assert (tmp_path / "new.csv").read_bytes() == (tmp_path / "old.csv").read_bytes()
        assert _xlsx_parts(tmp_path / "new.xlsx") == _xlsx_parts(tmp_path / "old.xlsx")


def test_streamed_write_that_fails_leaves_the_old_files(coded, tmp_path):
    from workbench.io.exports.sheet_table import wide_rows, write_wide_rows

    cb, sheet = coded
    table = wide_rows(cb, sheet.state)
    blocked, xlsx_path = tmp_path / "alice.csv", tmp_path / "alice.xlsx"
    xlsx_path.write_text("old", encoding="utf-8")
    blocked.mkdir()                       # os.replace onto a folder fails
    with pytest.raises(ExportError, match="cannot write") as caught:
        write_wide_rows(table, blocked, xlsx_path)
    assert str(blocked) in str(caught.value)
    assert xlsx_path.read_text(encoding="utf-8") == "old"   # neither file is replaced
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("seed", range(12))
def test_csv_rows_are_csv_text_bytes(seed):
    """The chunk writer gives csv_text's bytes on hostile cells (formulas, CR, LF, NUL, quotes)."""
    import random

    import pandas as pd

    from workbench.io.exports.sheet_table import _csv_rows
    from workbench.io.safe_cells import csv_text
    rng = random.Random(seed)
    pieces = ["", "a", "=1+1", "+x", "-2", "@me", "\r", "\n", "\r\n", "\x00", '"', ",", ";",
              " ", "\t", "é", "ΩΩ", "=HYPERLINK(\"x\")", "1", "0", "\u2028", "|"]
    rows = [[rng.choice([0, 1]) if rng.random() < 0.2 else
             "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 4)))
             for _ in range(7)] for _ in range(rng.randrange(1, 60))]
    part = pd.DataFrame(rows, columns=[f"c{i}" for i in range(7)], dtype=object)
    assert _csv_rows(part) == csv_text(part, header=False)
