"""init, import, status, records and dedupe from the command line."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys

import pandas as pd
from click.testing import CliRunner

from workbench.cli import cli
from workbench.io.exports.records_table import frame_to_records, records_to_frame
from workbench.review import Review

from tests.cli.conftest import CLI_DATA


def test_init_makes_a_review_folder_and_refuses_to_overwrite(review):
    assert (review / "codebook.yaml").read_text(encoding="utf-8").lstrip().startswith("#")
    for name in ("references", "coding", "exports"):
        assert (review / name).is_dir()
    again = CliRunner().invoke(cli, ["init", str(review)])
    assert again.exit_code == 1
    assert "already a review folder" in again.stderr


def test_import_copies_the_export_byte_for_byte_and_labels_it(review, run):
    source = CLI_DATA / "scopus.bib"
    result = run("import", str(source), "--database", "Scopus")
    assert result.exit_code == 0, result.output
    stored = review / "references" / "scopus.bib"
    assert stored.read_bytes() == source.read_bytes()
    status = json.loads(run("status", "--json").stdout)
    # Scopus repeats the key Khan2021 for two different papers: both are records.
    assert status["records_per_database"] == {"Scopus": 2}
    assert status["files"][0]["database"] == "Scopus"


def test_importing_the_same_file_twice_is_refused(review, run):
    assert run("import", str(CLI_DATA / "wos.ris")).exit_code == 0
    again = run("import", str(CLI_DATA / "wos.ris"))
    assert again.exit_code == 1
    assert "already imported as references/wos.ris" in again.stderr
    assert sorted(p.name for p in (review / "references").iterdir()) == ["imports.csv", "wos.ris"]


def test_a_broken_export_imports_nothing_and_names_file_line_and_entry(review, run):
    result = run("import", str(CLI_DATA / "broken.bib"), "--database", "Scopus")
    assert result.exit_code == 1
    assert f"{CLI_DATA / 'broken.bib'}:7: bad1:" in result.stderr
    assert "nothing was imported" in result.stderr
    assert result.stdout == ""
    assert list((review / "references").iterdir()) == []


def test_skip_invalid_imports_the_valid_entries_and_lists_the_rest(review, run):
    result = run("import", str(CLI_DATA / "broken.bib"), "--skip-invalid")
    assert result.exit_code == 0
    assert "2 records" in result.stdout
    assert "skipped:" in result.stderr and "bad1" in result.stderr
    titles = [r.title for r in Review.open(review).records()]
    assert titles == ["A good entry", "Another good entry"]


def test_usage_errors_exit_2(run):
    assert run("import").exit_code == 2
    assert run("records", "--format", "xml").exit_code == 2


def test_records_are_stable_across_reimport_in_another_folder(tmp_path, review, run):
    run("import", str(CLI_DATA / "scopus.bib"))
    run("import", str(CLI_DATA / "wos.ris"))
    first = [r.id for r in Review.open(review).records()]
    other = tmp_path / "other"
    CliRunner().invoke(cli, ["init", str(other)])
    runner = CliRunner()
    # Imported in the same order on another machine: the same ids.
    runner.invoke(cli, ["--review", str(other), "import", str(CLI_DATA / "scopus.bib")])
    runner.invoke(cli, ["--review", str(other), "import", str(CLI_DATA / "wos.ris")])
    assert [r.id for r in Review.open(other).records()] == first
    # Adding a file never changes existing ids, and a lost cache is rebuilt to the same ids.
    run("import", str(CLI_DATA / "urdu.csv"))
    shutil.rmtree(review / ".workbench")
    after = [r.id for r in Review.open(review).records()]
    assert after[: len(first)] == first and len(after) == len(first) + 1


def test_records_csv_round_trip_and_urdu_preserved(review, run):
    run("import", str(CLI_DATA / "scopus.bib"))
    run("import", str(CLI_DATA / "urdu.csv"), "--database", "Grey literature")
    out = run("records")
    assert out.exit_code == 0
    frame = pd.read_csv(io.StringIO(out.stdout), dtype=str, keep_default_na=False)
    back = frame_to_records(frame)
    originals = Review.open(review).records()
    assert back == originals
    assert "ترقی اور سوشل میڈیا" in [r.title for r in back]
    assert all(frame["study_id"] != "")


def test_records_jsonl_lists_authors_and_provenance(review, run):
    run("import", str(CLI_DATA / "scopus.bib"), "--database", "Scopus")
    rows = [json.loads(line) for line in run("records", "--format", "jsonl").stdout.splitlines()]
    assert rows[0]["authors"] == ["Khan, Ayesha", "Ahmed, Bilal"]
    assert rows[0]["file"] == "references/scopus.bib" and rows[0]["database"] == "Scopus"
    assert rows[0]["key"] == "Khan2021" and rows[0]["line"] == 4
    assert rows[0]["doi"] == "10.1234/jdp.2021.0042"


def test_dedupe_merges_the_same_study_from_two_databases(review, run):
    run("import", str(CLI_DATA / "scopus.bib"), "--database", "Scopus")
    run("import", str(CLI_DATA / "wos.ris"), "--database", "Web of Science")
    report = json.loads(run("dedupe", "--json").stdout)
    assert (report["records"], report["studies"], report["duplicates_removed"]) == (4, 3, 1)
    (merged,) = report["merged_pairs"]
    assert merged["title_b"] == "HASHTAG ACTIVISM AND POLICY REFORM IN PAKISTAN"
    assert merged["study_id"] == "S" + merged["record_a"]
    rows = [json.loads(line) for line in run("records", "--format", "jsonl").stdout.splitlines()]
    study = {r["title"].lower(): r["study_id"] for r in rows}
    assert study["hashtag activism and policy reform in pakistan"] == study[
        "hashtag activism and policy reform in pakistan".upper().lower()]
    ids = [r["study_id"] for r in rows]
    assert ids[0] == ids[2] and len(set(ids)) == 3


def test_a_person_can_split_an_automatic_merge_from_the_cli(review, run):
    run("import", str(CLI_DATA / "scopus.bib"), "--database", "Scopus")
    run("import", str(CLI_DATA / "wos.ris"), "--database", "Web of Science")
    records = Review.open(review).records()
    a, c = records[0].id, records[2].id
    result = run("pair", a, c, "different", "--reviewer", "alice", "--note", "erratum")
    assert result.exit_code == 0, result.stderr
    assert json.loads(run("dedupe", "--json").stdout)["studies"] == 4
    bad = run("pair", a, "nope-0001", "same", "--reviewer", "alice")
    assert bad.exit_code == 1 and "no record with id 'nope-0001'" in bad.stderr


def test_console_script_reports_errors_on_stderr_with_exit_1(tmp_path):
    exe = shutil.which("workbench", path=os.path.dirname(sys.executable))
    assert exe, "the console script is installed"
    out = subprocess.run([exe, "--review", str(tmp_path), "status"], capture_output=True,
                         text=True)
    assert out.returncode == 1
    assert "no codebook.yaml" in out.stderr and out.stdout == ""


def test_map_names_the_columns_of_an_unusual_csv(review, run):
    source = CLI_DATA / "ngo.csv"
    result = run("import", str(source), "--database", "NGO reports", "--map", "Case=title",
                 "--map", "Organisation=authors", "--map", "Published=year",
                 "--map", "Summary=abstract")
    assert result.exit_code == 0, result.stderr
    records = Review.open(review).records()
    assert [(r.title, r.authors, r.year) for r in records] == [
        ("Digital rights report 2021", ("Bolo Bhi",), 2021),
        ("Harassment helpline review", ("Digital Rights Foundation",), 2022)]
    assert records[0].url == "https://example.org/r1"
    assert records[0].abstract == "Internet shutdowns in Balochistan"


def test_a_map_to_an_unknown_field_is_refused_with_the_valid_fields(review, run):
    result = run("import", str(CLI_DATA / "ngo.csv"), "--map", "Case=headline")
    assert result.exit_code == 1
    assert "headline" in result.stderr and "title" in result.stderr
    assert list((review / "references").iterdir()) == []
    bad = run("import", str(CLI_DATA / "ngo.csv"), "--map", "Case")
    assert bad.exit_code == 2 and "COLUMN=FIELD" in bad.stderr


def test_status_prints_files_databases_and_totals(review, run):
    run("import", str(CLI_DATA / "scopus.bib"), "--database", "Scopus")
    run("import", str(CLI_DATA / "wos.ris"), "--database", "Web of Science")
    out = run("status").stdout
    assert "references/scopus.bib: 2 records, Scopus (bibtex)" in out
    assert "Web of Science: 2" in out and "Records: 4" in out
