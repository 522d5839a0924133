"""`workbench status` from .workbench/status.json: equal to an uncached run, invalidated by any change."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import workbench.store.sheet_frame as sheet_frame
import workbench.store.sheet_reading as sheet_reading
from workbench.review import Review
from workbench.review.screening import open_session
from workbench.review.status_cache import CACHE_NAME, status_key

CLI_DATA = Path(__file__).resolve().parents[1] / "data" / "cli"


@pytest.fixture
def screened(review, run):
    assert run("import", str(CLI_DATA / "wos.ris"), "--database", "Web of Science").exit_code == 0
    folder = Review.open(review)
    ids = [s.id for s in folder.studies()]
    for who, decisions in (("alice", ["include", "include"]), ("bob", ["include", "exclude"])):
        session = open_session(folder, who)
        for sid, d in zip(ids, decisions):
            session.record(sid, d, ["E1"] if d == "exclude" else [])
    return ids


@pytest.fixture(autouse=True, params=["per study", "columns"])
def counting_path(request, monkeypatch):
    """Both ways of counting: per study (small reviews) and on the sheets' columns (large)."""
    import workbench.review.decision_frames as decision_frames
    if request.param == "columns":
        monkeypatch.setattr(decision_frames, "COLUMNS_FROM_BYTES", 0)
    return request.param


@pytest.fixture
def reads(monkeypatch):
    """Counts the reads of each sheet: as events (read_sheet) or as columns (read_sheet_frame)."""
    counted: Counter = Counter()
    real = sheet_reading._read_sheet
    real_frame = sheet_frame._read_frame

    def counting(path):
        counted[Path(path).name] += 1
        return real(path)

    def counting_frame(path, data=None):
        found = real_frame(path, data)
        if found is not None:  # None: read_sheet reads it (and is counted)
            counted[Path(path).name] += 1
        return found

    monkeypatch.setattr(sheet_reading, "_read_sheet", counting)
    monkeypatch.setattr(sheet_frame, "_read_frame", counting_frame)
    return counted


def status(run) -> dict:
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def uncached(run, review: Path) -> dict:
    (review / ".workbench" / CACHE_NAME).unlink(missing_ok=True)
    return status(run)


def test_cached_status_equals_uncached_and_reads_no_sheet(screened, run, review, reads):
    first = status(run)
    assert (review / ".workbench" / CACHE_NAME).is_file()
    assert first["conflicts_open"] == 1 and reads["alice.csv"] == 1
    reads.clear()
    again = status(run)
    assert again == first
    assert not reads  # answered from .workbench/status.json
    assert uncached(run, review) == first


def test_a_changed_sheet_invalidates_the_cached_status(screened, run, review):
    before = status(run)
    key = status_key(Review.open(review))
    open_session(Review.open(review), "bob").record(screened[1], "include")  # settles the conflict
    assert status_key(Review.open(review)) != key
    after = status(run)
    assert after["conflicts_open"] == 0 and before["conflicts_open"] == 1
    assert after["reviewers"]["bob"]["title_abstract"]["include"] == 2
    assert after == uncached(run, review)


def test_a_changed_codebook_or_consensus_invalidates_it(screened, run, review):
    status(run)
    folder = Review.open(review)
    key = status_key(folder)
    (review / "coding" / "consensus.csv").write_text("")  # a new (empty) sheet
    assert status_key(folder) != key
    key = status_key(folder)
    text = folder.codebook_path.read_text()
    folder.codebook_path.write_text(text + "\n# a comment\n")
    assert status_key(folder) != key
    assert status(run) == uncached(run, review)


def test_a_foreign_or_broken_cache_is_recomputed(screened, run, review):
    first = status(run)
    path = review / ".workbench" / CACHE_NAME
    path.write_text(path.read_text().replace('"conflicts_open":1', '"conflicts_open":7'))
    assert status(run) == first
