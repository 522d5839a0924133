"""`workbench export` on a hand-counted review: every file against golden files.

The review (tests/io/export_review.py): 9 records (Scopus 6, WoS 3), 2 duplicates,
7 studies. Title/abstract: D excluded (E1), G excluded (E2), F in conflict until
the consensus sheet includes it. Full text: C not retrieved, E excluded (E3 then
E1), F excluded (E2), A and B included. Coding: A's policy results in conflict
(left missing), A's sample size NA by both coders, B's sample size 0, B's source
type settled in the consensus sheet, B's campaign row matched by name with its engagement rate in conflict.
"""

from __future__ import annotations

import json
from dataclasses import replace
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.io.export_review import DATA, EVENTS, make_review, study_ids
from workbench.cli import cli
from workbench.core.prisma import compute_flow
from workbench.errors import ExportError
from workbench.review import Review
from workbench.review.exporting import write_exports

GOLDEN = DATA / "golden"
GOLDEN_FILES = {
    "coded_dataset.csv": "coded_dataset.csv", "campaigns.csv": "campaigns.csv",
    "coded_long.csv": "coded_long.csv", "prisma_reasons.csv": "prisma_reasons.csv",
    "prisma_counts.csv": "prisma_counts.csv", "prisma_studies.csv": "prisma_studies.csv",
    "summary/code_frequencies.csv": "code_frequencies.csv",
    "summary/studies_per_year.csv": "studies_per_year.csv",
    "summary/campaign_metrics.csv": "campaign_metrics.csv",
    "summary/crosstab_platforms_x_policy_results.csv": "crosstab_platforms_x_policy_results.csv",
}


@pytest.fixture
def built(hand_counted_built):
    """The hand-counted review, imported and deduplicated once (not exported; tests/io/conftest.py)."""
    return hand_counted_built


@pytest.fixture
def fresh(built, tmp_path):
    """A private copy of the built review (its cache too), for tests that export or edit."""
    root = tmp_path / "review"
    shutil.copytree(built, root)
    return Review.open(root)


@pytest.fixture
def exported(hand_counted_exported):
    """(review, summary, steps) of the shared export (tests/io/conftest.py): read only."""
    return hand_counted_exported


@pytest.mark.parametrize("name", sorted(GOLDEN_FILES))
def test_every_table_equals_its_golden_file(exported, name):
    review, _, _ = exported
    written = (review.exports / name).read_text(encoding="utf-8")
    assert written == (GOLDEN / GOLDEN_FILES[name]).read_text(encoding="utf-8")


def test_prisma_counts_are_the_hand_counted_ones(exported):
    _, summary, _ = exported
    p = summary.prisma
    assert p.databases == (("Scopus", 6), ("Web of Science", 3))
    assert (p.records_identified, p.duplicates, p.records_screened, p.records_excluded) == \
        (9, 2, 7, 2)
    assert (p.reports_sought, p.reports_not_retrieved, p.reports_assessed,
            p.reports_excluded, p.studies_included) == (5, 1, 4, 2, 2)
    counts = pd.read_csv(summary.folder / "prisma_counts.csv", dtype=str).set_index("data")["n"]
    assert counts["dbr_excluded"] == "Not about social media, 1; No policy outcome, 1"
    assert counts["database_specific_results"] == "Scopus, 6; Web of Science, 3"


def test_na_stays_missing_and_zero_stays_zero(exported):
    review, _, _ = exported
    ids = study_ids(review)
    data = pd.read_csv(review.exports / "coded_dataset.csv", dtype=str,
                       keep_default_na=False).set_index("study_id")
    assert data.loc[ids["A"], "sample_size"] == ""          # NA by both coders
    assert data.loc[ids["B"], "sample_size"] == "0"         # a real zero
    assert data.loc[ids["A"], "policy_results__legislative_change"] == ""   # conflict
    assert data.loc[ids["B"], "policy_results__legislative_change"] == "0"  # coded, none
    assert data.loc[ids["A"], "unresolved"] == "code:policy_results"
    assert ids["D"] not in data.index                        # excluded study's coding
    campaign = pd.read_csv(review.exports / "campaigns.csv")
    assert campaign["hashtag_reach"].isna().tolist() == [False, True, True]
    # B's campaign: both coders entered the row (matched by name); only the
    # engagement rate they differ on is left empty and named as unresolved.
    streets = campaign[campaign["name"] == "#HarassmentFreeStreets"].iloc[0]
    assert pd.isna(streets["engagement_rate"])
    assert data.loc[ids["B"], "unresolved"] == "row:campaign:#HarassmentFreeStreets:engagement_rate"


def test_workbook_has_readme_tables_codebook_and_blank_na(exported):
    from openpyxl import load_workbook
    review, summary, _ = exported
    book = load_workbook(review.exports / "workbench_export.xlsx", read_only=True)
    assert book.sheetnames[:4] == ["README", "coded_dataset", "coded_long", "campaigns"]
    assert {"data_dictionary", "codebook", "code_frequencies"} <= set(book.sheetnames)
    readme = {row[0]: row[1] for row in book["README"].iter_rows(values_only=True)}
    assert summary.codebook_version in readme["Codebook"]
    assert "coding/alice.csv" in readme["Sheets used"] and "coding/consensus.csv" in \
        readme["Sheets used"]
    rows = list(book["campaigns"].iter_rows(values_only=True))
    assert rows[2][3:] == ("#ClimateActionPK", None, 3.8)


def test_dictionary_describes_every_column(exported):
    review, _, _ = exported
    dictionary = pd.read_csv(review.exports / "data_dictionary.csv", dtype=str,
                             keep_default_na=False)
    data = pd.read_csv(review.exports / "coded_dataset.csv", nrows=0)
    described = dictionary[dictionary["file"] == "coded_dataset.csv"]["column"].tolist()
    assert described == list(data.columns)
    row = dictionary[(dictionary["file"] == "campaigns.csv")
                     & (dictionary["column"] == "hashtag_reach")].iloc[0]
    assert (row["type"], row["unit"]) == ("number", "million")


def test_references_log_diagram_and_metadata(exported):
    review, summary, steps = exported
    ids = study_ids(review)
    bib = (review.exports / "included.bib").read_text(encoding="utf-8")
    ris = (review.exports / "included.ris").read_text(encoding="utf-8")
    assert bib.count("@article{") == 2 and ids["A"] in bib and "10.1000/bravo" in bib
    assert ris.count("ER  - ") == 2 and f"ID  - {ids['B']}" in ris
    log = pd.read_csv(review.exports / "screening_log.csv", dtype=str, keep_default_na=False)
    screening = [e for e in EVENTS if e[2] != "coding"]
    assert len(log) == len(screening)
    assert (log["time"].tolist() == sorted(log["time"]))
    svg = (review.exports / "prisma_flow.svg").read_text(encoding="utf-8")
    assert "No policy outcome" in svg and "Reports not retrieved" in svg
    assert (review.exports / "prisma_flow.png").read_bytes()[:4] == b"\x89PNG"
    assert steps[0] == (0, 9) and steps[-1] == (9, 9)
    assert not list(review.exports.glob(".export-*"))


def test_unfinished_review_is_refused_with_reasons_and_writes_nothing(tmp_path):
    events = [e for e in EVENTS if not (e[0] == "consensus" and e[2] == "title_abstract")
              and not (e[0] == "bob" and e[1] == "B" and e[2] == "full_text")]
    review = make_review(tmp_path / "review", events)
    with pytest.raises(ExportError) as err:
        write_exports(review)
    message = str(err.value)
    assert "1 conflict unresolved at title_abstract" in message
    assert "1 report still unscreened at full_text" in message
    assert "nothing was exported" in message
    assert list(review.exports.iterdir()) == []


def test_failed_export_leaves_no_partial_files(fresh, monkeypatch):
    review = fresh
    old = review.exports / "coded_dataset.csv"
    old.write_text("previous export\n", encoding="utf-8")

    def broken(folder, name, *args, **kwargs):
        folder.path(name).write_bytes(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("workbench.review.exporting.write_xlsx", broken)
    with pytest.raises(ExportError, match="No space left on device"):  # a clear error
        write_exports(review, charts=False)
    assert [p.name for p in review.exports.iterdir()] == ["coded_dataset.csv"]
    assert old.read_text(encoding="utf-8") == "previous export\n"


def test_one_reviewers_sheet_can_be_exported(fresh):
    review = fresh
    summary = write_exports(review, source="alice", charts=False)
    assert summary.prisma.studies_included == 2
    data = pd.read_csv(review.exports / "coded_dataset.csv", dtype=str, keep_default_na=False)
    ids = study_ids(review)
    row = data.set_index("study_id").loc[ids["A"]]
    assert row["policy_results"] == "legislative_change"   # alice's own value
    assert row["unresolved"] == ""
    with pytest.raises(ExportError, match="no coding sheet for reviewer 'carol'"):
        write_exports(review, source="carol", charts=False)


def test_cli_export_prints_counts_and_refuses_unknown_reviewer(fresh):
    review = fresh
    runner = CliRunner()
    result = runner.invoke(cli, ["--review", str(review.root), "export", "--quiet",
                                 "--no-charts"])
    assert result.exit_code == 0, result.output
    assert "included 2" in result.output
    assert (review.exports / "coded_dataset.csv").exists()
    assert not (review.exports / "prisma_flow.svg").exists()   # --no-charts
    assert (review.exports / "prisma_counts.csv").exists()
    bad = runner.invoke(cli, ["--review", str(review.root), "export", "--reviewer", "zed"])
    assert bad.exit_code != 0


def test_other_methods_fill_their_template_rows_and_diagram_column(tmp_path):
    from workbench.core.prisma import FINAL, FinalDecision, compute_flow
    from workbench.io.exports.folder import ExportFolder
    from workbench.io.exports.prisma import prisma_values, write_prisma_diagram

    def final(sid, stage, decision):
        return FinalDecision(sid, stage, FINAL, decision, ("E3",) if decision == "exclude"
                             else ())

    databases = ["Scopus", "Scopus", "Grey literature", "Citation searching"]
    where = {"s1": ("Scopus",), "s2": ("Scopus",), "g1": ("Grey literature",),
             "c1": ("Citation searching",)}
    ta = {s: final(s, "ta", "include") for s in where}
    ft = {"s1": final("s1", "ft", "include"), "s2": final("s2", "ft", "exclude"),
          "g1": final("g1", "ft", "include"), "c1": final("c1", "ft", "not_retrieved")}
    counts = compute_flow(databases, list(where), [("ta", ta), ("ft", ft)],
                          {"E3": "No policy outcome"}, where)
    values = prisma_values(counts)
    assert (values["database_results"], values["website_results"],
            values["citations_results"], values["organisation_results"]) == (2, 1, 1, 0)
    assert (values["dbr_sought_reports"], values["dbr_assessed"], values["dbr_excluded"]) == \
        (2, 2, "No policy outcome, 1")
    assert (values["other_sought_reports"], values["other_notretrieved_reports"],
            values["other_assessed"], values["other_excluded"]) == (2, 1, 1, "0")
    assert values["total_studies"] == 2
    with ExportFolder(tmp_path / "exports") as folder:
        write_prisma_diagram(folder, "flow", counts)
        folder.commit()
    svg = (tmp_path / "exports" / "flow.svg").read_text(encoding="utf-8")
    assert "Reports sought (other)" in svg and "Citation searching (n = 1)" in svg


def test_a_sheet_with_a_torn_line_exports_the_same_with_a_warning(fresh, exported):
    _, clean, _ = exported
    sheet = fresh.coding / "alice.csv"
    with open(sheet, "a", encoding="utf-8") as handle:
        handle.write("2025-03-14T11:00:00.000000Z,alice,S1,title_abs")   # killed mid-save
    summary = write_exports(fresh, charts=False)
    assert any("incomplete last line" in w and "alice.csv" in w for w in summary.warnings)
    assert summary.prisma == clean.prisma
    written = (fresh.exports / "coded_dataset.csv").read_text(encoding="utf-8")
    assert written == (GOLDEN / "coded_dataset.csv").read_text(encoding="utf-8")


def test_sheets_are_read_through_the_dedupe_aliases_clean_or_torn(fresh, monkeypatch):
    from workbench.review.exporting import _read_sheets
    ids = study_ids(fresh)
    aliases = {ids["D"]: ids["A"]}   # as if duplicate detection merged D into A
    monkeypatch.setattr(fresh, "aliases", lambda: dict(aliases))
    clean, _, _ = _read_sheets(fresh)
    with open(fresh.coding / "bob.csv", "a", encoding="utf-8") as handle:
        handle.write("2025-03-14T11:00:00.000000Z,bob,S1,title_abs")   # torn: slow path
    torn, _, warnings = _read_sheets(fresh)
    assert warnings and ids["D"] not in set(clean["study_id"]) | set(torn["study_id"])
    assert clean.equals(torn)
    assert (clean["study_id"] == ids["A"]).sum() == \
        sum(1 for e in EVENTS if e[1] in "AD")


def test_memos_evidence_and_flags_are_annotations_never_unresolved(tmp_path, exported):
    _, clean, _ = exported
    notes = [("alice", "A", "coding", "memo:platforms", "Mostly Twitter, some Facebook"),
             ("bob", "A", "coding", "quote:twitter", "we collected 2 million tweets"),
             ("bob", "A", "coding", "page:twitter", "12"),
             ("alice", "B", "coding", "flag", "1"),
             ("alice", "B", "coding", "memo:platforms", "draft"),
             ("alice", "B", "coding", "memo:platforms", ""),       # cleared: not exported
             ("alice", "D", "coding", "memo:platforms", "excluded study: not exported")]
    review = make_review(tmp_path / "review", EVENTS + notes)
    write_exports(review, charts=False)
    ids = study_ids(review)
    written = (review.exports / "coded_dataset.csv").read_text(encoding="utf-8")
    assert written == (GOLDEN / "coded_dataset.csv").read_text(encoding="utf-8")
    meta = json.loads((review.exports / "export_metadata.json").read_text(encoding="utf-8"))
    before = json.loads((clean.folder / "export_metadata.json").read_text(encoding="utf-8"))
    assert meta["values_unresolved"] == before["values_unresolved"] == 2
    assert meta["annotations"] == 3 and before["annotations"] == 0
    notes = pd.read_csv(review.exports / "annotations.csv", dtype=str, keep_default_na=False)
    assert notes.values.tolist() == [
        [ids["A"], "alice", "memo", "platforms", "Mostly Twitter, some Facebook", "", "", "", ""],
        [ids["A"], "bob", "evidence", "twitter", "we collected 2 million tweets", "12", "", "",
         ""],
        [ids["B"], "alice", "flag", "", "", "", "", "", ""]]
    book = load_workbook(review.exports / "workbench_export.xlsx", read_only=True)
    assert "annotations" in book.sheetnames
    dictionary = pd.read_csv(review.exports / "data_dictionary.csv", dtype=str)
    assert set(dictionary[dictionary["file"] == "annotations.csv"]["column"]) == {
        "study_id", "coder", "kind", "target", "text", "page", "start", "end", "file_sha256"}


def test_a_final_maybe_before_full_text_is_sought_and_at_full_text_refused(tmp_path, exported):
    _, clean, _ = exported
    # Both screeners say "maybe" for C at title/abstract: it goes on to full text (where it
    # is not retrieved), exactly as an include would.
    maybe = [(w, s, st, f, "maybe" if (s, st) == ("C", "title_abstract") else v)
             for w, s, st, f, v in EVENTS]
    review = make_review(tmp_path / "early", maybe)
    summary = write_exports(review, charts=False)
    assert summary.prisma == clean.prisma
    written = (review.exports / "prisma_counts.csv").read_text(encoding="utf-8")
    assert written == (GOLDEN / "prisma_counts.csv").read_text(encoding="utf-8")
    # At the last stage a maybe is still unfinished: refused, with the reason.
    late = [(w, s, st, f, "maybe" if (s, st) == ("C", "full_text") else v)
            for w, s, st, f, v in EVENTS]
    review = make_review(tmp_path / "late", late)
    with pytest.raises(ExportError, match="1 report left as 'maybe' at full_text"):
        write_exports(review, charts=False)
    assert list(review.exports.iterdir()) == []


def test_template_labels_keep_their_meaning_without_commas():
    from workbench.core.prisma import ExclusionReason
    from workbench.io.exports.prisma import prisma_values, template_label
    assert template_label("Theoretical, no empirical evidence") == \
        "Theoretical - no empirical evidence"
    assert template_label("Not Pakistan;  or  not social media ,") == \
        "Not Pakistan - or not social media"
    counts = replace(compute_flow(["Scopus, Elsevier"], ["s1"], [("ta", {})], {}),
                     reasons=(ExclusionReason("ft", "E4", "Theoretical, no empirical evidence",
                                              2, 2),))
    values = prisma_values(counts)
    assert values["dbr_excluded"] == "Theoretical - no empirical evidence, 2"
    assert values["database_specific_results"] == "Scopus - Elsevier, 1"


def test_a_flag_keeps_its_reason_and_evidence_follows_renamed_codes():
    from workbench.core.codebook import Stage
    from workbench.io.exports.decisions import coding_annotations, events_frame, latest_values
    rows = [("2025-01-01T00:00:00.000000Z", "bob", "S1", "coding", "flag", "1",
             "ask carol about the sample", "v1"),
            ("2025-01-01T00:00:01.000000Z", "bob", "S1", "coding", "page:tw", "p. 4", "", "v1"),
            ("2025-01-01T00:00:02.000000Z", "bob", "S2", "coding", "flag", "", "", "v1")]
    latest = latest_values(events_frame(rows, "bob"))
    stage = Stage(id="coding", label="Coding", kind="coding")
    got = coding_annotations(latest, stage, "consensus", pd.Index(["S1", "S2"]),
                             {"tw": "twitter"}.get)
    assert got.values.tolist() == [
        ["S1", "bob", "evidence", "twitter", "", "p. 4", "", "", ""],
        ["S1", "bob", "flag", "", "ask carol about the sample", "", "", "", ""]]
    assert coding_annotations(latest, stage, "alice", pd.Index(["S1"])).empty


def test_a_failure_in_the_second_process_fails_the_export_and_writes_nothing(fresh,
                                                                             monkeypatch):
    review = fresh

    def broken(folder, name, *args, **kwargs):
        folder.path(f"{name}.svg").write_text("<svg", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("workbench.review.exporting.write_prisma_diagram", broken)
    with pytest.raises(ExportError, match="No space left"):
        write_exports(review)
    assert list(review.exports.iterdir()) == []
