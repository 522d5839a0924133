"""BibTeX import: duplicate keys kept, broken entries reported, LaTeX decoded."""

from __future__ import annotations

from workbench.io.formats.bibtex import parse_bibtex, split_authors
from workbench.io.formats.references import read_export


def _read(data_dir, name):
    return read_export(data_dir / "io_a" / name, display_path=f"references/{name}")


def test_good_file_fields(data_dir):
    report = _read(data_dir, "good.bib")
    assert report.format == "bibtex" and report.problems == []
    first = report.records[0]
    assert first.key == "Garfield1989" and first.line == 6
    assert first.authors == ("Garfield, Eugene", "Chérif, Anaïs", "World Health Organization")
    assert first.title == "Citation indexing and social media activism"
    assert first.venue == "Social Science & Medicine"  # @string macro, LaTeX \& decoded
    assert (first.year, first.volume, first.issue, first.pages) == (1989, "12", "3", "100-110")
    assert first.doi == "10.1000/abc.123"
    assert first.keywords == ("activism", "policy change")
    assert first.abstract == "An abstract with an accent: naïve café."
    assert first.file == "references/good.bib"


def test_duplicate_keys_are_separate_records(data_dir):
    records = _read(data_dir, "good.bib").records
    same_key = [r for r in records if r.key == "Garfield1989"]
    assert [r.title for r in same_key] == ["Citation indexing and social media activism",
                                           "A different paper with the same key"]
    assert same_key[1].line == 19
    assert [r.line for r in records] == sorted(r.line for r in records)


def test_crossref_inherits_missing_fields(data_dir):
    child = next(r for r in _read(data_dir, "good.bib").records if r.key == "child")
    assert child.year == 2015
    assert child.venue == "Proceedings of the Pakistan Policy Conference"
    assert child.authors == ("van der Berg, Jane Q.",)


def test_urdu_text_kept(data_dir):
    khan = next(r for r in _read(data_dir, "good.bib").records if r.key == "Khan2020")
    assert khan.title == "سوشل میڈیا اور پاکستان میں پالیسی"
    assert khan.authors == ("خان, علی", "Ahmed, Sara")


def test_gbk_file_imports(data_dir):
    report = _read(data_dir, "gbk.bib")
    assert report.problems == []
    assert report.records[0].title == "社交媒体与政策变化"
    assert report.records[0].authors == ("王, 小明", "李, 华")


def test_broken_entries_are_reported_with_line_and_key(data_dir):
    report = _read(data_dir, "broken.bib")
    assert [r.key for r in report.records] == ["ok1", "ok2"]
    messages = [str(p) for p in report.problems]
    assert len(messages) == 2
    assert messages[0].startswith("references/broken.bib:7: unclosed: ")
    assert "not valid BibTeX" in messages[0]
    assert messages[1].startswith("references/broken.bib:18: twice: ")
    assert "'title' appears twice" in messages[1]


def test_scopus_2017_comma_separated_authors(data_dir):
    record = _read(data_dir, "scopus2017_authors.bib").records[0]
    assert record.authors == ("D'Ambrosio, A.", "Aria, M.", "Iorio, C.", "Siciliano, R.")
    assert record.key == "D'Ambrosio20171339"
    assert record.issn == "0957-4174"


def test_string_concatenation_and_month_macro():
    text = ('@string{jean = {Jean}}\n@string{cesar = {C{\\\'e}sar}}\n'
            '@article{k, author = jean # " " # cesar, title = "T", month = jan, year = 2013}\n')
    record = parse_bibtex(text, "x.bib").records[0]
    assert record.authors == ("César, Jean",)
    assert record.year == 2013


def test_author_splitting():
    assert split_authors("Doe, Jane and {Barnes and Noble} and John Smith") == (
        "Doe, Jane", "Barnes and Noble", "Smith, John")
    assert split_authors("Ludwig van Beethoven") == ("van Beethoven, Ludwig",)
    assert split_authors("M{\\\"u}ller, J{\\\"o}rg AND Li, Wei") == ("Müller, Jörg", "Li, Wei")


def test_comment_only_file_has_no_records_and_no_problems():
    report = parse_bibtex("@comment{just a note}\n% and a line\n", "c.bib")
    assert report.records == [] and report.problems == []


def test_string_macro_defined_twice_is_reported():
    report = parse_bibtex("@string{j = {First}}\n@string{j = {Second}}\n"
                          "@article{k, journal = j, title = {T}}\n", "refs/s.bib")
    assert [r.venue for r in report.records] == ["First"]
    assert [str(p) for p in report.problems] == [
        "refs/s.bib:2: j: @string j is defined twice; the second definition was not used"]


def test_parallel_parse_of_big_file_matches_sequential(data_dir, monkeypatch):
    from workbench.io.formats import bibtex

    good = (data_dir / "io_a" / "good.bib").read_text(encoding="utf-8")
    broken = (data_dir / "io_a" / "broken.bib").read_text(encoding="utf-8")
    text = "\n".join([good] * 6 + [broken])  # the cut falls before the unclosed brace
    sequential = parse_bibtex(text, "big.bib")
    monkeypatch.setattr(bibtex, "_PARALLEL_MIN_CHARS", 0)
    assert len(bibtex._chunk_starts(text, 2)) == 2
    parallel = parse_bibtex(text, "big.bib")
    assert parallel.records == sequential.records
    assert parallel.problems == sequential.problems
    assert len(sequential.records) == 6 * 5 + 2
    assert sum("@string ssm is defined twice" in p.message for p in sequential.problems) == 5
