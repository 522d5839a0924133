"""EndNote XML import: modern <style> dialect, legacy upper-case dialect, malformed XML."""

from __future__ import annotations

from workbench.io.formats.endnote_xml import parse_endnote_xml
from workbench.io.formats.references import read_export


def _read(data_dir, name):
    return read_export(data_dir / "io_a" / name, display_path=f"references/{name}")


def test_modern_dialect(data_dir):
    report = _read(data_dir, "modern.xml")
    assert report.format == "endnote_xml" and report.problems == []
    first, second = report.records
    assert first.authors == ("Ahmad, AS", "Sasieni, PD")
    assert first.title == "Trends in lifetime risk" and first.venue == "Br J Cancer"
    assert (first.year, first.volume, first.pages) == (2015, "112", "943-7")
    assert first.doi == "10.1038/bjc.2014.606"
    assert first.keywords == ("Aged",)  # the empty <style/> keyword is dropped
    assert first.pub_type == "Journal Article"
    assert (first.key, first.line) == ("record 12", 3)
    assert (second.title, second.line) == ("Second", 20)


def test_legacy_upper_case_dialect(data_dir):
    record = _read(data_dir, "legacy.xml").records[0]
    assert record.authors == ("Hussain, Nadia", "Baig, Omar")
    assert record.title == "Hashtag campaigns in Pakistan"
    assert record.venue == "Asian Journal of Communication"
    assert (record.year, record.volume, record.issue, record.pages) == (2016, "26", "4", "301-320")
    assert record.keywords == ("activism", "Twitter")
    assert record.abstract == "Short abstract."
    assert record.key == "record 7"


def test_malformed_xml_names_file_and_line(data_dir):
    report = _read(data_dir, "broken.xml")
    assert report.records == []
    assert str(report.problems[0]).startswith("references/broken.xml:4: malformed XML")


def test_declared_legacy_encoding_is_ignored_for_decoded_text():
    text = ('<?xml version="1.0" encoding="GBK"?>\n<xml><records><record><titles>'
            '<title>社交媒体</title></titles></record></records></xml>')
    assert parse_endnote_xml(text, "x.xml").records[0].title == "社交媒体"
