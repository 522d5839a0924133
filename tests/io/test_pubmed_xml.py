"""PubMed XML reader."""

from __future__ import annotations

from tests.io._shared_b import manifest_counts, read_text
from workbench.io.formats.pubmed_xml import parse_pubmed_xml


def read(data_dir, name):
    return parse_pubmed_xml((data_dir / "io_b" / name).read_text(encoding="utf-8"), f"refs/{name}", "PubMed")


def test_reads_every_field_of_an_article(data_dir):
    report = read(data_dir, "pubmed.xml")
    assert report.problems == []
    first = report.records[0]
    assert first.title == "Mobilising online publics"  # <i> markup flattened
    assert first.abstract == "BACKGROUND: Background text.\n\nRESULTS: Results text."
    assert first.authors == ("Khan, Ayesha", "Digital Rights Group")
    assert (first.year, first.volume, first.issue, first.pages) == (2020, "7", "2", "11-20")
    assert (first.doi, first.pmid, first.key) == ("10.1000/xml.1", "34000001", "34000001")
    assert (first.venue, first.issn, first.language) == ("Journal of Digital Society", "1111-2222", "eng")
    assert first.keywords == ("Social Media", "activism")
    assert first.pub_type == "Journal Article"
    assert (first.line, first.database) == (4, "PubMed")


def test_urdu_medline_date_and_doi_from_article_ids(data_dir):
    second = read(data_dir, "pubmed.xml").records[1]
    assert second.title == "سوشل میڈیا اور پالیسی"
    assert second.authors == ("Raza, S",)
    assert (second.year, second.doi, second.line) == (2018, "10.1000/xml.2", 34)


def test_malformed_xml_keeps_earlier_articles_and_names_the_line(data_dir):
    report = read(data_dir, "pubmed_broken.xml")
    assert [r.title for r in report.records] == ["Kept"]
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.path, problem.line, problem.entry) == ("refs/pubmed_broken.xml", 5, "record 2")
    assert "malformed XML" in problem.message


def test_other_xml_is_refused(data_dir):
    report = read(data_dir, "pubmed_wrong_root.xml")
    assert report.records == []
    assert str(report.problems[0]).startswith("refs/pubmed_wrong_root.xml:1: root element is <html>")


def test_shared_exports_give_the_manifest_counts(shared_data):
    folder = shared_data / "formats" / "pubmed_xml"
    counts = manifest_counts(folder)
    assert len(counts) == 2
    for name, expected in counts.items():
        report = parse_pubmed_xml(read_text(folder / name), name)
        assert (len(report.records), report.problems) == (expected, []), name
        assert all(r.pmid and r.title and r.doi for r in report.records), name
