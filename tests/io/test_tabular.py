"""CSV / TSV reader: known export layouts, generic tables, --map and broken tables."""

from __future__ import annotations

import pytest

from tests.io._shared_b import manifest_counts, read_text
from workbench.errors import WorkbenchError
from workbench.io.formats.columns import split_authors
from workbench.io.formats.tabular import parse_table, sniff_delimiter


def read(data_dir, name, mapping=None):
    text = (data_dir / "io_b" / name).read_text(encoding="utf-8")
    return parse_table(text, f"refs/{name}", "db", mapping=mapping)


def test_scopus_csv(data_dir):
    report = read(data_dir, "scopus.csv")
    assert report.problems == []
    first, second = report.records
    assert first.authors == ("Khan, Ayesha", "Ahmed, Bilal")  # full names, Scopus ids dropped
    assert (first.title, first.year, first.venue) == (
        "Hashtag activism and policy change in Pakistan", 2021, "Journal of Digital Society")
    assert (first.volume, first.issue, first.pages) == ("12", "3", "101-119")
    assert (first.doi, first.pmid, first.key, first.line) == (
        "10.1000/abc.123", "31000001", "2-s2.0-85000000001", 2)
    assert first.keywords == ("hashtag activism", "policy change", "Social Media")
    assert (first.language, first.pub_type) == ("English", "Article")
    assert first.url.startswith("https://www.scopus.com/")
    assert second.title == "سوشل میڈیا اور پالیسی"
    assert (second.pages, second.language) == ("e42", "Urdu")


def test_old_scopus_comma_separated_authors(data_dir):
    first, second = read(data_dir, "scopus_old.csv").records
    assert first.authors == ("Yagai T.", "Kimura Y.", "Kamada H.")
    assert second.authors == ()  # "[No author name available]"
    assert second.pages == "1-2"


def test_wos_tab_delimited_with_trailing_tab(data_dir):
    report = read(data_dir, "wos_tab.txt")
    assert report.problems == []
    first, second = report.records
    assert first.authors == ("Khan, Ayesha", "Ahmed, Bilal")
    assert (first.key, first.pages, first.doi, first.pmid) == (
        "WOS:000000000000001", "101-119", "10.1000/abc.123", "31000001")
    assert first.keywords == ("activism", "policy", "SOCIAL MEDIA")
    assert (second.title, second.authors, second.pages) == ("سوشل میڈیا اور پالیسی", ("Raza, S",), "e42")


def test_zotero_csv(data_dir):
    first, second = read(data_dir, "zotero.csv").records
    assert first.authors == ("Nagendra, Ravindra P.", "Maruthai, Nirmala")
    assert (first.key, first.year, first.venue, first.pub_type) == (
        "JKIUSDM7", 2012, "Frontiers in Neurology", "journalArticle")
    assert first.url == "https://www.frontiersin.org/articles/10.3389/fneur.2012.00054/full"
    assert first.keywords == ("Meditation", "Sleep", "sleep")
    assert (second.title, second.authors, second.pub_type) == (
        "Digital activism among youth in Pakistan", ("UNICEF",), "report")


def test_embase_multiline_cells_and_source_column(data_dir):
    first, second = read(data_dir, "embase.csv").records
    assert first.abstract == "First line\nsecond line\n\nthird line"
    assert first.authors == ("Liu R.", "Adler D.G.")
    assert (first.venue, first.year, first.volume, first.issue, first.pages) == (
        "Endoscopic Ultrasound", 2014, "3", "3", "152-160")
    assert first.keywords == ("article", "bronchogenic duplication cyst (diagnosis, surgery)", "human")
    assert first.doi == "10.4103/2303-9027.138783"  # from the OpenURL link
    assert (first.line, second.line) == (2, 6)  # the multi-line cell shifts the next row
    assert (second.key, second.venue, second.year) == ("row 2", "Gut", 2010)


def test_lens_csv(data_dir):
    [record] = read(data_dir, "lens.csv").records
    assert record.key == "000-111-222-333-444"
    assert (record.pages, record.issue, record.issn, record.pmid) == ("1500-1520", "6", "1461-4448", "34000009")
    assert record.authors == ("Khan A.", "Ahmed B.")


def test_semicolon_delimited_generic_table(data_dir):
    [record] = read(data_dir, "generic_semicolon.csv").records
    assert record.title == "Social media and policy in Pakistan"
    assert record.authors == ("Khan, Ayesha", "Ahmed, Bilal")
    assert (record.year, record.venue, record.doi) == (2022, "Policy & Internet", "10.1002/poi3.1")
    assert record.keywords == ("policy", "twitter")


def test_tab_delimited_generic_table(data_dir):
    [record] = read(data_dir, "generic.tsv").records
    assert (record.title, record.authors, record.year, record.key) == (
        "Tab separated title", ("Doe, Jane",), 2015, "row 1")


def test_social_media_posts_become_records(data_dir):
    first, second = read(data_dir, "posts.csv").records
    assert first.title.startswith("#AuratMarch میرا جسم میری مرضی")
    assert first.abstract == "#AuratMarch میرا جسم میری مرضی — thousands marched in Lahore today"
    assert (first.authors, first.year, first.venue, first.key) == (("@activist_pk",), 2019, "Twitter", "1001")
    assert first.keywords == ("AuratMarch",)
    assert second.title == "Petition update: the bill was tabled in the Senate."


def test_long_post_text_gives_a_short_title():
    text = "text\n\"" + "word " * 100 + "\"\n"
    [record] = parse_table(text, "posts.csv").records
    assert len(record.title) <= 121 and record.title.endswith("…")
    assert record.abstract == ("word " * 100).strip()


def test_table_without_title_column_names_file_columns_and_map(data_dir):
    report = read(data_dir, "no_title.csv")
    assert report.records == []
    [problem] = report.problems
    assert (problem.path, problem.line) == ("refs/no_title.csv", 1)
    assert "'name', 'score', 'comment'" in problem.message
    assert "--map" in problem.message


def test_mapping_names_user_columns(data_dir):
    mapping = {"Heading": "title", "writers": "authors", "When": "year", "Where": "venue"}
    [record] = read(data_dir, "custom.csv", mapping).records
    assert (record.title, record.authors, record.year, record.venue) == (
        "A custom heading", ("Doe J.", "Roe K."), 2018, "Some venue")
    report = read(data_dir, "no_title.csv", {"name": "title"})
    assert [r.title for r in report.records] == ["alpha"]


def test_mapping_with_unknown_field_lists_valid_fields(data_dir):
    with pytest.raises(WorkbenchError) as caught:
        read(data_dir, "custom.csv", {"Heading": "headline"})
    assert "'headline'" in str(caught.value) and "title, abstract, authors" in str(caught.value)


def test_mapping_with_unknown_column_lists_columns(data_dir):
    with pytest.raises(WorkbenchError) as caught:
        read(data_dir, "custom.csv", {"Nope": "title"})
    assert str(caught.value).startswith("refs/custom.csv: --map names column 'Nope'")
    assert "'Heading', 'Writers'" in str(caught.value)


def test_ragged_row_is_a_problem_and_other_rows_are_read(data_dir):
    report = read(data_dir, "ragged.csv")
    assert [(r.title, r.key, r.line) for r in report.records] == [
        ("Good one", "row 1", 2), ("Also good", "row 3", 4)]
    assert [str(p) for p in report.problems] == [
        "refs/ragged.csv:3: row 2: row has 4 fields but the header has 2"]


def test_unclosed_quote_is_reported_at_its_row():
    report = parse_table('title,year\nok,2020\n"broken,2021\nnext,2022\n', "q.csv")
    assert [r.title for r in report.records] == ["ok"]
    assert report.problems[0].line == 3 and "quote" in report.problems[0].message


def test_empty_title_rows_are_still_records_and_blank_rows_are_skipped():
    report = parse_table("title,url\n,https://example.org/a\n\n,,\nB,\n", "t.csv")
    assert [(r.title, r.url, r.key, r.line) for r in report.records] == [
        ("", "https://example.org/a", "row 1", 2), ("B", "", "row 2", 5)]


def test_empty_table_is_a_problem():
    assert "empty" in parse_table("", "e.csv").problems[0].message


@pytest.mark.parametrize("header, delimiter", [
    ("a,b,c", ","), ("a\tb\tc", "\t"), ("a;b;c", ";"), ('"a;x",b,c', ","), ("title", ",")])
def test_sniff_delimiter(header, delimiter):
    assert sniff_delimiter(header + "\n1,2,3\n") == delimiter


@pytest.mark.parametrize("cell, names", [
    ("Smith, John", ["Smith, John"]),
    ("Liu R., Adler D.G.", ["Liu R.", "Adler D.G."]),
    ("van der Berg, J.", ["van der Berg, J."]),
    ("Jane Doe, John Roe", ["Jane Doe", "John Roe"]),
    ("A|B", ["A", "B"]),
    ("Smith, J. and Doe, K.", ["Smith, J.", "Doe, K."]),
])
def test_split_authors(cell, names):
    assert split_authors(cell) == names


@pytest.mark.parametrize("folder", ["scopus_csv", "zotero_csv", "other_csv", "wos_tab"])
def test_shared_tables_give_the_manifest_counts(shared_data, folder):
    path = shared_data / "formats" / folder
    counts = manifest_counts(path)
    assert counts
    for name, expected in counts.items():
        report = parse_table(read_text(path / name), name)
        assert (len(report.records), report.problems) == (expected, []), name
        assert all(r.title for r in report.records), name
        assert sum(bool(r.authors) for r in report.records) >= 0.9 * expected, name
        assert sum(bool(r.year) for r in report.records) >= 0.9 * expected, name


def test_shared_embase_newlines_shift_line_numbers(shared_data):
    folder = shared_data / "formats" / "other_csv"
    plain = parse_table(read_text(folder / "asreview_embase.csv"), "a.csv").records
    paged = parse_table(read_text(folder / "asreview_embase_newpage.csv"), "b.csv").records
    assert [r.title for r in plain] == [r.title for r in paged]
    assert [r.line for r in plain] == [2, 3, 4, 5, 6, 7]
    assert paged[-1].line > 7


def test_covidence_and_rayyan_exports(data_dir):
    [covidence] = read(data_dir, "covidence.csv").records
    assert (covidence.authors, covidence.year, covidence.pages, covidence.key) == (
        ("Khan A", "Ahmed B"), 2020, "5-25", "#123")
    [rayyan] = read(data_dir, "rayyan.csv").records
    assert (rayyan.authors, rayyan.pmid, rayyan.key, rayyan.doi) == (
        ("Khan, A", "Ahmed, B"), "29000001", "rayyan-1001", "10.1000/ray.1")
    assert rayyan.keywords == ("petitions", "South Asia")


def test_display_name_of_a_post_is_its_author_not_its_title(data_dir):
    [post] = read(data_dir, "social_display_name.csv").records
    assert (post.title, post.authors, post.year, post.key) == (
        "A post about the bill", ("Ayesha K",), 2021, "9")
