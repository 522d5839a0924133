"""Web of Science plain-text reader."""

from __future__ import annotations

from tests.io._shared_b import manifest_counts, read_text
from workbench.io.formats.wos import parse_wos


def read(data_dir, name):
    return parse_wos((data_dir / "io_b" / name).read_text(encoding="utf-8"), f"refs/{name}", "WoS")


def test_reads_every_field_and_ignores_unknown_tags(data_dir):
    report = read(data_dir, "wos_good.txt")
    assert report.problems == []
    first, second = report.records
    assert first.title == "Hashtag activism and policy change in Pakistan: a mixed-methods study"
    assert first.authors == ("Khan, Ayesha", "Ahmed, Bilal")  # AF preferred over AU
    assert first.keywords == ("hashtag activism", "policy change", "Pakistan", "SOCIAL MEDIA")
    assert (first.year, first.volume, first.issue, first.pages) == (2021, "12", "3", "101-119")
    assert (first.doi, first.pmid, first.issn) == ("10.1000/abc.123", "31000001", "1234-5678")
    assert (first.key, first.line, first.venue) == ("WOS:000000000000001", 3, "JOURNAL OF DIGITAL SOCIETY")
    assert (first.language, first.pub_type, first.abstract) == ("English", "Article", "Abstract text.")
    assert second.title == "سوشل میڈیا اور پالیسی"
    assert (second.authors, second.pages, second.line) == (("Raza, S",), "e42", 32)


def test_tag_without_space_is_reported_and_the_record_is_not_imported(data_dir):
    report = read(data_dir, "wos_bad.txt")
    assert "Recovered record" not in [r.title for r in report.records]  # skipped = not imported
    first = report.problems[0]
    assert (first.path, first.line, first.entry) == ("refs/wos_bad.txt", 4, "record 1")
    assert "'AU' is not followed by a space" in first.message
    assert first.message.endswith("record was not imported")


def test_missing_er_is_a_problem_with_lines_and_text_between_records_is_ignored(data_dir):
    report = read(data_dir, "wos_bad.txt")
    assert report.records == []  # every record has a problem, and none is imported
    messages = [str(p) for p in report.problems[1:]]
    assert messages == [
        "refs/wos_bad.txt:12: record 2: record has no ER line (next PT at line 15); "
        "record was not imported",
        "refs/wos_bad.txt:15: record 3: record has no ER line (file ends at line 18); "
        "record was not imported",
    ]


def test_tag_outside_a_record_is_a_problem():
    report = parse_wos("FN Web of Science\nVR 1.0\nTI A title without PT\nER\n", "w.txt")
    assert [str(p) for p in report.problems] == [
        "w.txt:3: tag TI outside a record (no PT line before it)",
        "w.txt:4: ER without a PT record before it"]
    assert report.records == []


def test_empty_text_gives_nothing():
    assert parse_wos("", "x.txt").records == []
    assert parse_wos("", "x.txt").problems == []


def test_shared_exports_give_the_manifest_counts(shared_data):
    folder = shared_data / "formats" / "wos_plaintext"
    counts = manifest_counts(folder)
    assert len(counts) == 14
    for name, expected in counts.items():
        report = parse_wos(read_text(folder / name), name)
        if name == "metaknowledge_testFile.isi":  # record 6's malformed line: not imported
            assert len(report.records) == expected - 1, name
        else:
            assert len(report.records) == expected, name
            assert report.problems == [], name
        assert all(r.title and r.key for r in report.records), name


def test_shared_malformed_tag_line_is_reported(shared_data):
    name = "metaknowledge_testFile.isi"
    report = parse_wos(read_text(shared_data / "formats" / "wos_plaintext" / name), name)
    assert [(p.line, p.entry) for p in report.problems] == [(416, "record 6")]
    assert not any(a.startswith("illes") for r in report.records for a in r.authors)


def test_shared_recent_clarivate_export_fields(shared_data):
    name = "bibliometrix_wos_sample.txt"
    first = parse_wos(read_text(shared_data / "formats" / "wos_plaintext" / name), name).records[0]
    assert first.authors == ("Toh, Ming Liang",)
    assert first.key == "WOS:001702577900001"
    assert first.doi == "10.1080/00396265.2026.2635057"
