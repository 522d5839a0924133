"""PubMed MEDLINE / .nbib reader."""

from __future__ import annotations

import pytest

from tests.io._shared_b import manifest_counts, read_text
from workbench.io.formats.medline import parse_medline


def read(data_dir, name):
    return parse_medline((data_dir / "io_b" / name).read_text(encoding="utf-8"), f"refs/{name}", "PubMed")


def test_reads_every_field_of_a_record(data_dir):
    report = read(data_dir, "medline_good.nbib")
    assert report.problems == []
    first, second = report.records
    assert first.title == "Hashtag activism and policy change in Pakistan: a mixed-methods study."
    assert first.authors == ("Khan, Ayesha", "Ahmed, Bilal")  # FAU preferred over AU
    assert first.abstract == "First paragraph of the abstract.\n\nSecond paragraph continues here."
    assert (first.year, first.volume, first.issue, first.pages) == (2021, "12", "3", "101-19")
    assert first.doi == "10.1000/abc.123"
    assert (first.pmid, first.key, first.line) == ("31000001", "31000001", 1)
    assert first.venue == "Journal of Digital Society"
    assert first.issn == "1234-5678"
    assert first.keywords == ("Social Media", "activism")
    assert first.pub_type == "Journal Article; Review"
    assert (first.language, first.database, first.file) == ("eng", "PubMed", "refs/medline_good.nbib")


def test_urdu_text_and_aid_doi_and_au_fallback(data_dir):
    second = read(data_dir, "medline_good.nbib").records[1]
    assert second.title == "سوشل میڈیا اور پالیسی"
    assert second.authors == ("Raza S",)
    assert second.doi == "10.1000/urdu.2"  # the [doi] AID, not the [pii] one
    assert second.venue == "Urdu Stud"
    assert second.line == 27


def test_malformed_lines_are_problems_with_line_numbers_and_the_rest_is_read(data_dir):
    report = read(data_dir, "medline_bad.nbib")
    assert [r.pmid for r in report.records] == ["32000003"]  # record 1 has a bad line
    messages = [str(p) for p in report.problems]
    assert messages[0].endswith("record was not imported")
    assert messages[0].startswith("refs/medline_bad.nbib:3: record 1: not a MEDLINE line")
    assert "'SO  invalid line'" in messages[0]
    # line 6 is free text between records: it holds no data and is ignored
    assert messages[1] == ("refs/medline_bad.nbib:8: record 2: entry has no PMID- line; "
                           "not read as a PubMed record")
    assert len(messages) == 2


def test_a_new_pmid_starts_a_record_without_a_blank_line(data_dir):
    report = read(data_dir, "medline_noblank.nbib")
    assert [(r.pmid, r.title, r.line) for r in report.records] == [
        ("33000001", "First without blank line", 1), ("33000002", "Second", 3)]


def test_empty_text_gives_nothing():
    report = parse_medline("\n\n", "x.nbib")
    assert report.records == [] and report.problems == []


def test_shared_exports_give_the_manifest_counts(shared_data):
    folder = shared_data / "formats" / "pubmed_nbib"
    counts = manifest_counts(folder)
    assert len(counts) == 8
    for name, expected in counts.items():
        report = parse_medline(read_text(folder / name), name)
        damaged = ({p.entry for p in report.problems if p.message.endswith("not imported")}
                   - {p.entry for p in report.problems if "no PMID" in p.message})
        assert len(report.records) == expected - len(damaged), name
        assert all(r.pmid and r.title for r in report.records if "jabref" not in name), name


@pytest.mark.parametrize("name, lines", [
    ("jabref_MedlinePlainImporterTestMultipleEntries.txt", [55, 56, 77]),
    ("jabref_MedlinePlainImporterStringOutOfBounds.txt", [3, 7]),
])
def test_shared_broken_exports_name_the_bad_lines(shared_data, name, lines):
    path = shared_data / "formats" / "pubmed_nbib" / name
    report = parse_medline(read_text(path), name)
    assert [p.line for p in report.problems] == lines
    assert all(p.path == name for p in report.problems)


def test_shared_balloon_set_fields(shared_data):
    path = shared_data / "formats" / "pubmed_nbib" / "nbib_pubmed-balloongui-set.nbib"
    first = parse_medline(read_text(path), "b.nbib").records[0]
    assert first.pmid == "30776994"
    assert first.doi == "10.1161/strokeaha.118.021126"
    assert first.title.startswith("Impact of Balloon Guide Catheter Use on Clinical and Angiographic Outcomes in the STRATIS")
    assert first.year == 2019
