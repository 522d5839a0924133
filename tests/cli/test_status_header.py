"""`workbench status`'s header (records, studies, pairs waiting) from .workbench/status_header.json.

Equal to a run that counts every record and study, and a miss after any
change of what it is counted from: a new export, a pair answer, a records
cache written again, the code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import workbench.review.folder as folder_module
import workbench.review.studies as studies_module
from workbench.review import Review
from workbench.review.screening import open_session
from workbench.review.status_cache import HEADER_NAME, cached_header, header_key

CLI_DATA = Path(__file__).resolve().parents[1] / "data" / "cli"


@pytest.fixture(autouse=True, params=["per study", "columns"])
def counting_path(request, monkeypatch):
    """Both ways of counting progress; "columns" takes the study ids from the header."""
    import workbench.review.decision_frames as decision_frames
    if request.param == "columns":
        monkeypatch.setattr(decision_frames, "COLUMNS_FROM_BYTES", 0)
    return request.param


@pytest.fixture
def screened(review, run):
    assert run("import", str(CLI_DATA / "wos.ris"), "--database", "Web of Science").exit_code == 0
    folder = Review.open(review)
    ids = [s.id for s in folder.studies()]
    for who, decisions in (("alice", ["include", "exclude", "include"]),
                           ("bob", ["include", "include"])):
        session = open_session(folder, who)
        for sid, d in zip(ids, decisions):
            session.record(sid, d, ["E1"] if d == "exclude" else [])
    return ids


def status(run) -> dict:
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def uncached(run, review: Path) -> dict:
    """Status with no cache of the header or of the figures (everything counted)."""
    for name in (HEADER_NAME, "status.json", "progress.json", "conflicts.json"):
        (review / ".workbench" / name).unlink(missing_ok=True)
    return status(run)


@pytest.fixture
def no_loading(monkeypatch):
    """Makes loading the records or grouping the studies fail."""
    def refuse(*args, **kwargs):
        raise AssertionError("records or studies loaded")

    def install():
        monkeypatch.setattr(folder_module, "load_records", refuse)
        monkeypatch.setattr(studies_module, "group_studies", refuse)
    return install


def test_the_header_is_kept_and_equals_a_full_count(screened, run, review, no_loading,
                                                    counting_path):
    first = status(run)
    assert (review / ".workbench" / HEADER_NAME).is_file()
    assert first["records"] == len(Review.open(review).records()) > 0
    assert first["studies"] == len(screened)
    if counting_path == "columns":   # progress counted again from the per-study facts too
        (review / ".workbench" / "status.json").unlink()
    no_loading()
    assert status(run) == first


def test_after_a_save_the_header_still_answers(screened, run, review, no_loading,
                                               counting_path):
    if counting_path != "columns":
        pytest.skip("a small review counts progress per study, from the studies")
    status(run)
    open_session(Review.open(review), "bob").record(screened[1], "exclude", ["E1"])
    no_loading()
    after = status(run)
    assert after["reviewers"]["bob"]["title_abstract"]["exclude"] == 1
    assert after["conflicts_open"] == 0


def test_a_new_export_or_a_pair_answer_is_a_miss(screened, run, review):
    first = status(run)
    key = header_key(Review.open(review))
    assert run("import", str(CLI_DATA / "scopus.bib"), "--database", "Scopus").exit_code == 0
    assert header_key(Review.open(review)) != key
    now = status(run)
    assert now["records"] > first["records"] and "Scopus" in now["records_per_database"]
    assert now == uncached(run, review)
    records = {s.id: s.record_ids for s in Review.open(review).studies()}
    other = next(sid for sid in records if sid not in screened)   # a Scopus study
    key = header_key(Review.open(review))
    assert run("pair", records[screened[0]][0], records[other][0], "same",
               "--reviewer", "alice").exit_code == 0
    assert header_key(Review.open(review)) != key
    merged = status(run)
    assert merged["studies"] == now["studies"] - 1
    assert merged == uncached(run, review)


def test_a_rewritten_records_cache_is_a_miss(screened, run, review):
    status(run)
    folder = Review.open(review)
    key = header_key(folder)
    (cached,) = (review / ".workbench" / "records").glob("*.json")
    stat = cached.stat()
    os.utime(cached, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert header_key(folder) != key


def test_a_key_that_moved_while_counting_is_not_stored(screened, run, review):
    status(run)
    folder = Review.open(review)
    path = review / ".workbench" / HEADER_NAME
    path.unlink()
    for cached in (review / ".workbench" / "records").glob("*.json"):
        cached.unlink()   # the records are parsed again and their cache written
    first = status(run)
    assert not path.exists()
    assert status(run) == first and path.is_file()
    calls = []

    def compute():
        calls.append(1)
        return {"records": 1, "study_ids": ["a", "b"]}
    assert cached_header(folder, compute)["study_ids"] != ["a", "b"] and not calls


def test_a_foreign_or_broken_header_is_counted_again(screened, run, review):
    first = status(run)
    path = review / ".workbench" / HEADER_NAME
    text = path.read_text()
    path.write_text(text.replace(f'"records":{first["records"]}', '"records":99999'))
    assert status(run) == first
    path.write_text("{")
    assert status(run) == first
