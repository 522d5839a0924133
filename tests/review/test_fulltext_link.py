"""Linking full texts to studies: certain, uncertain, not found, manual, status, never modifying."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from workbench.errors import FulltextError
from workbench.review import init_review
from workbench.review.fulltext import link_file, link_folder, open_fulltext, read_links
from workbench.review.fulltext_status import fulltext_status
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import consensus_path

#: Shared PDFs copied under neutral names, so only their content can link them.
NEUTRAL = {"tully2010_heart_failure_programmes": "scan_0001.pdf",
           "huang2010_hpylori_iron_anaemia": "scan_0002.pdf",
           "luo2024_digital_anthropomorphic_zh": "download (3).pdf",
           "mehrad_wireless_libraries_fa": "article.pdf",
           "severens_asih_plasma_scanned": "scan_0005.pdf"}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    from tests.conftest import SHARED_DATA
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    root = tmp_path_factory.mktemp("review")
    review = init_review(root / "rv")
    review.import_references([SHARED_DATA / "fulltext" / "references.bib"])
    inbox = root / "zotero" / "storage"
    inbox.mkdir(parents=True)
    for stem, name in NEUTRAL.items():
        shutil.copyfile(SHARED_DATA / "fulltext" / f"{stem}.pdf", inbox / name)
    (inbox / "datta2010_notes.txt").write_text("Notes on thromboprophylaxis, to read later.",
                                               encoding="utf-8")
    (inbox / "unrelated.html").write_text("<title>Weather</title><p>Rain tomorrow.</p>",
                                          encoding="utf-8")
    before = {p.name: (digest(p), p.stat().st_mtime_ns) for p in inbox.iterdir()}
    report = link_folder(review, inbox, "alice")
    study_of = review.study_of_records()
    return review, inbox, before, report, {r.key: study_of[r.id] for r in review.records()}


def test_content_links_every_file_with_a_text_layer_and_a_printed_title_or_doi(linked):
    review, inbox, _, report, key_to_study = linked
    got = {path.name: link.study_id for path, link, _ in report.linked}
    want = {name: key_to_study[stem] for stem, name in NEUTRAL.items()
            if stem != "severens_asih_plasma_scanned"}
    assert got == want
    assert "DOI 10.19744" in dict((p.name, how) for p, _, how in report.linked)["download (3).pdf"]


def test_scanned_and_unrelated_files_are_not_linked_and_say_why(linked):
    _, _, _, report, _ = linked
    why = {path.name: reason for path, reason in report.unmatched}
    assert "no text layer" in why["scan_0005.pdf"]
    assert "unrelated.html" in why


def test_author_year_in_the_name_alone_goes_to_a_person(linked):
    _, _, _, report, key_to_study = linked
    uncertain = {path.name: verdict for path, verdict in report.uncertain}
    verdict = uncertain["datta2010_notes.txt"]
    assert not verdict.certain
    assert list(verdict.candidates) == [key_to_study["datta2010_dvt_prophylaxis_review"]]


def test_users_files_are_never_modified_and_copies_live_under_fulltext(linked):
    review, inbox, before, report, _ = linked
    after = {p.name: (digest(p), p.stat().st_mtime_ns) for p in inbox.iterdir()}
    assert after == before
    for path, link, _ in report.linked:
        copy = review.root / link.file
        assert copy.parent == review.root / "fulltext" and digest(copy) == digest(path)


def test_link_records_are_append_only_and_a_manual_link_wins(linked):
    review, inbox, _, _, key_to_study = linked
    sid = key_to_study["datta2010_dvt_prophylaxis_review"]
    records = review.root / "coding" / "fulltext" / "alice.csv"
    size = records.stat().st_size
    link_file(review, inbox / "datta2010_notes.txt", sid, "bob")
    assert records.stat().st_size == size  # bob's own file
    assert read_links(review)[sid].method == "manual"
    assert open_fulltext(review, sid).pages[0].text.startswith("Notes on")


def test_linking_to_an_unknown_study_says_so_and_links_nothing(linked):
    review, inbox, _, _, _ = linked
    with pytest.raises(FulltextError, match="no study with id 'nope'"):
        link_file(review, inbox / "unrelated.html", "nope", "alice")


def test_status_counts_sought_found_and_not_found(linked):
    review, _, _, _, key_to_study = linked
    sheet = Sheet.open(consensus_path(review.coding), "carol", review.codebook().version)
    sought = [key_to_study[k] for k in ("tully2010_heart_failure_programmes",
                                        "severens_asih_plasma_scanned",
                                        "webb2017_vespa_peerj")]
    for sid in sought:
        sheet.record_screening(review.codebook(), "title_abstract", sid, "include", [])
    sheet.record_screening(review.codebook(), "full_text", sought[1], "not_retrieved", [])
    status = fulltext_status(review)
    assert {s.id for s in status.sought} == set(sought)
    assert set(status.found) == {sought[0]}
    assert {s.id for s in status.not_found} == {sought[1], sought[2]}
    assert status.not_retrieved == [sought[1]]
    assert status.not_found_undecided == [sought[2]]


def test_not_found_studies_can_be_marked_not_retrieved_without_overwriting(linked):
    from workbench.review.fulltext_status import mark_not_retrieved
    from workbench.review.screening import open_session
    review = linked[0]
    status = fulltext_status(review)
    missing = {s.id for s in status.not_found}
    assert set(mark_not_retrieved(review, "dave", dry_run=True)) == missing
    assert not (review.coding / "dave.csv").exists()
    session = open_session(review, "dave", "full_text")
    first = sorted(missing)[0]
    session.record(first, "include", ())
    assert set(mark_not_retrieved(review, "dave")) == missing - {first}
    again = open_session(review, "dave", "full_text")
    assert again.decision(first) == "include"
    assert all(again.decision(sid) == "not_retrieved" for sid in missing - {first})
    assert mark_not_retrieved(review, "dave") == []
