"""Hostile and broken exports (issue 20b): each case from the adversarial run, reproduced.

Damaged bytes, content sniffing, malformed BibTeX, @string bombs, affiliation letters
in Scopus author names, and "skipped means not imported".
"""

from __future__ import annotations

import codecs

import pytest

from workbench.errors import WorkbenchError
from workbench.io.formats.bibtex import MAX_VALUE_CHARS, parse_bibtex, split_authors
from workbench.io.formats.detect import detect_format
from workbench.io.formats.encoding import decode_export
from workbench.io.formats.references import read_export

RIS = ("TY  - JOUR\nTI  - Café société\nER  - \n\n"
       "TY  - JOUR\nTI  - Second record\nER  - \n\n"
       "TY  - JOUR\nTI  - microbiome–gut axis\nER  - \n")


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- one bad byte -------------------------------------------------------------------------

def test_one_bad_byte_keeps_utf8_and_reports_its_line(tmp_path):
    data = RIS.encode().replace(b"Second record", b"Second \xff record")
    report = read_export(write(tmp_path, "a.ris", data), display_path="refs/a.ris")
    assert [r.title for r in report.records] == ["Café société", "microbiome–gut axis"]
    [problem] = report.problems
    assert str(problem).startswith("refs/a.ris:6: record 2: ")
    assert "not valid utf-8" in problem.message and "not imported" in problem.message


@pytest.mark.parametrize("damage", [b"\xff", b"\xc3(", b"\xe2\x80", b"\x00", b"\xed\xa0\x80"])
def test_each_kind_of_damage_is_replaced_and_reported(damage):
    data = RIS.encode().replace(b"Second record", b"Second" + damage + b" record")
    decoded = decode_export(data, "a.ris")
    assert decoded.encoding == "utf-8"
    assert decoded.bad_lines == (6,)
    assert "Café société" in decoded.text and "\x00" not in decoded.text


def test_bad_byte_on_the_last_line_of_a_truncated_file(tmp_path):
    data = RIS.encode()
    data = data[:data.index("–".encode()) + 2]  # cut inside the 3-byte "–"
    decoded = decode_export(data, "a.ris")
    assert decoded.encoding == "utf-8" and decoded.bad_lines == (10,)


def test_lines_are_counted_after_cr_line_ends(tmp_path):
    data = RIS.replace("\n", "\r").encode().replace(b"Second record", b"Second \xff record")
    assert decode_export(data, "a.ris").bad_lines == (6,)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_real_legacy_files_are_still_detected(encoding):
    text = ("TY  - JOUR\nAU  - Müller, Jörg\nTI  - Études françaises à Genève\nER  - \n"
            "TY  - JOUR\nTI  - Señor Núñez’s café\nER  - \n" if encoding == "cp1252" else
            "TY  - JOUR\nAU  - Müller, Jörg\nTI  - Études françaises à Genève\nER  - \n")
    decoded = decode_export(text.encode(encoding), "x.ris")
    assert decoded.text == text and decoded.bad_lines == ()


def test_legacy_file_with_one_stray_utf8_sequence_is_still_legacy():
    text = "".join(f"TY  - JOUR\nTI  - Étude n° {i} à Genève\nER  - \n" for i in range(30))
    data = text.encode("cp1252") + "TY  - JOUR\nTI  - naïve\nER  - \n".encode()
    decoded = decode_export(data, "x.ris")
    assert decoded.encoding != "utf-8" and "Étude n° 29 à Genève" in decoded.text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(tmp_path, encoding):
    table = "Title,Authors,Year\nCafé société,\"Khan, A\",2020\nSecond,\"Raza, S\",2021\n"
    report = read_export(write(tmp_path, "posts.csv", table.encode(encoding)))
    assert [r.title for r in report.records] == ["Café société", "Second"]
    assert report.problems == []


def test_truncated_utf16_reports_the_last_line():
    data = codecs.BOM_UTF16_LE + RIS.encode("utf-16-le")[:-1]
    decoded = decode_export(data, "a.ris")
    assert decoded.bad_lines == (RIS.count("\n"),)


def test_a_binary_file_is_refused_with_what_it_looks_like(tmp_path):
    path = write(tmp_path, "refs.ris", b"PK\x03\x04" + bytes(200) + b"\x00\x01" * 300)
    with pytest.raises(WorkbenchError) as info:
        read_export(path, display_path="refs/refs.ris")
    assert str(info.value).startswith("refs/refs.ris:1: this looks like a ZIP or XLSX file")


# --- content sniffing ---------------------------------------------------------------------

POSTS = ('id,text,date\n'
         '1,"@UNESCO (2020) report on digital rights",2021-01-01\n'
         '2,"@UNESCO (2020, report, again)",2021-01-02\n'
         '3,"thread:\n@Reuters{x, said so",2021-01-03\n'
         '4,plain post,2021-01-04\n')


@pytest.mark.parametrize("name", ["posts.csv", "posts.txt", "posts.bib"])
def test_a_csv_of_posts_stays_a_table(name):
    assert detect_format(POSTS, name) == "table"


def test_a_csv_of_posts_imports_every_post(tmp_path):
    report = read_export(write(tmp_path, "posts.txt", POSTS.encode()), mapping={"text": "title"})
    assert report.format == "table" and len(report.records) == 4
    assert report.records[0].title == "@UNESCO (2020) report on digital rights"


@pytest.mark.parametrize("text", [
    "@article{a,\n title={x}}\n",
    "@misc{a, title={x}, year=2020}\n@misc{b, title={y, z}, year=2020}\n",
    "Scopus\nEXPORT DATE: 13 January 2017\n\n@ARTICLE{Key2015,\nauthor={A, B.a},\n}\n",
    "% JabRef, UTF8\n@string{j = {J}}\n@article{ ISI:0001,\n title={x}}\n",
])
def test_real_bibtex_is_still_bibtex(text):
    assert detect_format(text, "refs.txt") == "bibtex"


# --- BibTeX: nothing vanishes -------------------------------------------------------------

BROKEN_BIB = """Scopus
EXPORT DATE: 13 January 2017

@article{a, title={One}, year=2020}

@arti-cle{b, title={Two}, year=2020}

article{c, title={Three}, year=2020}

A free comment, with a comma
% a {braced} TeX comment

  title = {a stray field},

@article{d, title={Four}}
"""


def test_malformed_entries_are_problems_with_their_lines():
    report = parse_bibtex(BROKEN_BIB, "refs/x.bib")
    assert [r.title for r in report.records] == ["One", "Four"]
    assert [str(p) for p in report.problems] == [
        "refs/x.bib:6: b: '@arti-cle' is not a valid BibTeX entry type (letters only); "
        "entry was not imported",
        "refs/x.bib:8: c: entry has no '@' before 'article'; entry was not imported",
        "refs/x.bib:13: text outside any entry looks like part of one "
        "('title = {a stray field},'); it was not imported",
    ]


def test_every_entry_in_is_an_entry_out_or_a_problem():
    report = parse_bibtex(BROKEN_BIB, "x.bib")
    assert len(report.records) + len(report.problems) == 5


def test_string_bomb_is_capped_with_a_problem():
    lines = ['@string{s1 = "0123456789"}']
    lines += [f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(2, 40)]
    text = "\n".join(lines) + "\n@article{bomb, title=s39}\n@article{fine, title={Fine}}\n"
    report = parse_bibtex(text, "refs/bomb.bib")
    assert [r.title for r in report.records] == ["Fine"]
    first = report.problems[0]
    assert str(first).startswith("refs/bomb.bib:18: s18: @string s18 expands to more than")
    assert f"{MAX_VALUE_CHARS:,}" in first.message
    assert str(report.problems[-1]).startswith("refs/bomb.bib:40: bomb: ")
    assert "not imported" in report.problems[-1].message


def test_strings_below_the_cap_still_expand():
    text = '@string{j = "Journal of "}\n@article{a, journal = j # {Things}, title={T}}\n'
    assert parse_bibtex(text, "x.bib").records[0].venue == "Journal of Things"


# --- Scopus 2017 affiliation letters ------------------------------------------------------

@pytest.mark.parametrize("value, authors", [
    ("Iorio, C.a  b , Aria, M.a  b , D'Ambrosio, A.a  b ",
     ("Iorio, C.", "Aria, M.", "D'Ambrosio, A.")),
    ("Celentano, A.a  b  c , Tovaru, S.d , Mignogna, M.D.a",
     ("Celentano, A.", "Tovaru, S.", "Mignogna, M.D.")),
    ("Celentano, A.a b c and de Caro, M.B.c and Silva, A. da",
     ("Celentano, A.", "de Caro, M.B.", "Silva, A. da")),
    ("Siciliano, R., D’Ambrosio, A., Aria, M.", ("Siciliano, R.", "D’Ambrosio, A.", "Aria, M.")),
])
def test_affiliation_letters_are_stripped(value, authors):
    assert split_authors(value) == authors


def test_scopus_2017_export_has_no_affiliation_letters(shared_data):
    path = shared_data / "formats" / "bibtex" / "bibliometrix2017_scopus.bib"
    report = read_export(path)
    names = [a for r in report.records for a in r.authors]
    assert "Iorio, C." in names and "Celentano, A." in names
    assert not [a for a in names if a.rstrip()[-1:].islower() and "." in a.rsplit(" ", 1)[-1]]


# --- skipped means not imported -----------------------------------------------------------

def test_wos_record_with_a_bad_line_is_skipped_not_imported(shared_data):
    path = shared_data / "formats" / "wos_plaintext" / "metaknowledge_testFile.isi"
    report = read_export(path, display_path="t.isi")
    [problem] = report.problems
    assert (problem.line, problem.entry) == (416, "record 6")
    assert problem.message.endswith("record was not imported")
    assert len(report.records) == 33
    assert 415 not in [r.line for r in report.records]  # record 6 starts at line 415


# --- export record types ------------------------------------------------------------------

def _study(**kw):
    from workbench.core.dedupe.duplicates import Study
    return Study(id="s1", record_ids=("a", "b"), title="Tree model selection", year=2015,
                 venue="Advances in Statistical Models for Data Analysis", **kw)


def test_merged_article_stays_an_article():
    from workbench.io.exports.refs import bibtex_text, ris_text
    types = {"s1": ["book", "Article; Proceedings Paper"]}  # Scopus @BOOK + WoS record
    bib = bibtex_text([_study()], types)
    assert bib.startswith("@article{s1,")
    assert "journal = {Advances in Statistical Models for Data Analysis}" in bib
    assert "publisher" not in bib
    assert ris_text([_study()], types).startswith("TY  - JOUR\n")


@pytest.mark.parametrize("types, head, venue_field", [
    (["Book Chapter"], "@incollection{", "booktitle"),
    (["CHAP"], "@incollection{", "booktitle"),
    (["book"], "@book{", "howpublished"),  # never a series name claimed as the publisher
    (["Conference Paper", "CONF"], "@inproceedings{", "booktitle"),
    (["Journal Article; Review"], "@article{", "journal"),
    (["JOUR"], "@article{", "journal"),
])
def test_record_types_map_to_bibtex_types(types, head, venue_field):
    from workbench.io.exports.refs import bibtex_text
    bib = bibtex_text([_study()], {"s1": types})
    assert bib.startswith(head) and f"  {venue_field} = {{Advances" in bib


def test_a_stored_export_that_now_reads_differently_is_refused_not_shifted(tmp_path):
    from workbench.errors import ReviewError
    from workbench.review.importing import import_exports, load_records
    root = tmp_path / "review"
    (root / "references").mkdir(parents=True)
    export = write(tmp_path, "a.ris", RIS.encode())
    import_exports(root, [export])
    assert len(load_records(root)) == 3
    manifest = root / "references" / "imports.csv"
    # as if an older version had imported a fourth record from this file
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(",ris,3,0,", ",ris,4,1,"),
                        encoding="utf-8")
    for cached in (root / ".workbench").rglob("*"):
        if cached.is_file():
            cached.unlink()
    with pytest.raises(ReviewError) as info:
        load_records(root)
    assert "imported as 4 records, but this version of workbench reads 3" in str(info.value)


def test_skip_invalid_through_the_cli_skips_what_it_says(shared_data, tmp_path):
    from click.testing import CliRunner

    from workbench.cli import cli
    from workbench.review.importing import load_records
    from workbench.store.imports import read_manifest
    folder = tmp_path / "review"
    assert CliRunner().invoke(cli, ["init", str(folder)]).exit_code == 0
    export = shared_data / "formats" / "wos_plaintext" / "metaknowledge_testFile.isi"
    result = CliRunner().invoke(cli, ["--review", str(folder), "import", "--skip-invalid",
                                      str(export)])
    assert result.exit_code == 0, result.output
    assert f"{export}:416: record 6: tag 'AU'" in result.output + result.stderr
    [entry] = read_manifest(folder / "references")
    assert (entry.records, entry.skipped) == (33, 1)
    records = load_records(folder)
    assert len(records) == 33 and 415 not in [r.line for r in records]
