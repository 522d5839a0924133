"""RIS import: framing we own (BOM, missing ER, no TY), dialects, field mapping."""

from __future__ import annotations

from workbench.io.formats.references import read_export
from workbench.io.formats.ris import parse_ris, split_issn_isbn


def _read(data_dir, name):
    return read_export(data_dir / "io_a" / name, display_path=f"references/{name}")


def test_bom_does_not_swallow_the_first_record(data_dir):
    report = _read(data_dir, "bom.ris")
    assert [r.title for r in report.records] == ["BOM record", "Second"]
    assert [r.line for r in report.records] == [1, 7]
    assert report.records[0].year == 2021


def test_crlf_file(data_dir):
    report = _read(data_dir, "crlf.ris")
    assert report.problems == []
    assert report.records[0].authors == ("Khan, Ayesha",)


def test_missing_er_is_reported_not_merged(data_dir):
    report = _read(data_dir, "missing_er.ris")
    assert [r.title for r in report.records] == ["Complete record", "Next record"]
    assert report.records[1].authors == ()  # nothing merged from the broken record
    messages = [str(p) for p in report.problems]
    assert messages[0].startswith("references/missing_er.ris:5: record 2: ")
    assert '"ER  -"' in messages[0] and "line 9" in messages[0]
    assert messages[1].startswith("references/missing_er.ris:13: record 4: file ends before")


def test_file_without_ty_is_a_problem(data_dir):
    report = _read(data_dir, "no_ty.ris")
    assert report.records == []
    assert len(report.problems) == 1
    assert str(report.problems[0]).startswith("references/no_ty.ris:2: ")
    assert '"TY  -"' in report.problems[0].message


def test_content_without_any_tags_is_a_problem():
    report = parse_ris("TY  - \n", "x.ris")
    assert report.problems  # opened, never closed
    report = parse_ris("Some text\nthat is not RIS\n", "y.ris")
    assert report.records == [] and str(report.problems[0]).startswith("y.ris:1: ")


def test_ovid_dialect_fields(data_dir):
    first, second = _read(data_dir, "dialects.ris").records
    assert first.key == "2019-65183-001" and first.line == 2
    assert first.title == "Self-criticism and depression in patients"  # continuation line
    assert first.authors == ("Trindade, Ines A", "Irons, Chris", "Ferreira, Claudia")
    assert first.abstract == "An abstract on two lines."
    assert first.venue == "Clinical Psychology & Psychotherapy"  # JF before JA
    assert (first.year, first.pages, first.issn) == (2019, "12-20", "1063-3995")
    assert first.doi == "10.1002/cpp.2398"
    assert first.keywords == ("depression", "self-criticism", "shame")


def test_one_space_separator_m3_doi_pubmed_an_and_isbn(data_dir):
    second = _read(data_dir, "dialects.ris").records[1]
    assert second.title == "One-space separator record" and second.line == 27
    assert second.venue == "Journal of Digital Activism"
    assert second.year == 2018
    assert second.doi == "10.5555/xyz.9"
    assert second.pmid == "29876543"
    assert second.isbn == "9780306406157" and second.issn == ""
    assert second.database == "PubMed"


def test_given_database_wins_over_db_tag():
    text = "TY  - JOUR\nTI  - T\nDB  - Scopus\nER  - \n"
    assert parse_ris(text, "x.ris", database="My label").records[0].database == "My label"


def test_urdu_and_utf16(data_dir):
    for name in ("urdu.ris", "utf16.ris"):
        record = _read(data_dir, name).records[0]
        assert record.title == "سوشل میڈیا سرگرمی اور پالیسی تبدیلی"
        assert record.authors == ("خان, علی",)


def test_split_issn_isbn_shapes():
    assert split_issn_isbn("00380741 (ISSN)") == ("0038-0741", "")
    assert split_issn_isbn("1128-045X 1123-6337") == ("1128-045X; 1123-6337", "")
    assert split_issn_isbn("978-0-306-40615-7") == ("", "9780306406157")
    assert split_issn_isbn("0-306-40615-2; 1063-3995") == ("1063-3995", "0306406152")


def test_a_placeholder_keyword_is_no_keyword(tmp_path):
    """PsycINFO writes `KW  - No terms assigned` for a record without keywords."""
    from workbench.io.formats.references import read_export
    path = tmp_path / "psycinfo.ris"
    path.write_text("TY  - JOUR\nTI  - First\nKW  - No terms assigned\nER  - \n\n"
                    "TY  - JOUR\nTI  - Second\nKW  - harm\nKW  - gambling\nER  - \n",
                    encoding="utf-8")
    records = read_export(path).records
    assert [r.keywords for r in records] == [(), ("harm", "gambling")]


def test_a_placeholder_abstract_is_no_abstract(tmp_path):
    """Web of Science writes `AB  - NA` and Scopus "[No abstract available]" for none."""
    from workbench.io.formats.references import read_export
    path = tmp_path / "wos.ris"
    path.write_text("TY  - JOUR\nTI  - First\nAB  - NA\nER  - \n\n"
                    "TY  - JOUR\nTI  - Second\nAB  - [No abstract available]\nER  - \n\n"
                    "TY  - JOUR\nTI  - Third\nAB  - NA values were imputed.\nER  - \n",
                    encoding="utf-8")
    records = read_export(path).records
    assert [r.abstract for r in records] == ["", "", "NA values were imputed."]
