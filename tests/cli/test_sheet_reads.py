"""Each sheet is read once per command (review/sheet_reads.py), and re-read when it changes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import workbench.store.sheet_frame as sheet_frame
import workbench.store.sheet_reading as sheet_reading
from workbench.review import Review
from workbench.review.screening import open_session
from workbench.review.sheet_reads import read_review_sheet, review_sheet_state

CLI_DATA = Path(__file__).resolve().parents[1] / "data" / "cli"


@pytest.fixture
def screened(review, run):
    """Two reviewers disagree on one study at title/abstract; a consensus settles it."""
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


def test_status_reads_each_sheet_once(screened, run, reads):
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["reviewers"]["alice"]["title_abstract"]["done"] == 2
    assert status["reviewers"]["bob"]["full_text"]["total"] == 1  # only the agreed include
    assert status["conflicts_open"] == 1
    assert reads["alice.csv"] == 1 and reads["bob.csv"] == 1
    assert reads["consensus.csv"] <= 1  # absent: looked for once
    assert set(reads) <= {"alice.csv", "bob.csv", "consensus.csv"}


def test_conflicts_reads_each_sheet_once(screened, run, reads):
    result = run("conflicts", "--stage", "title_abstract")
    assert result.exit_code == 0, result.output
    assert screened[1] in result.output
    assert reads["alice.csv"] == 1 and reads["bob.csv"] == 1


def test_agreement_reads_each_sheet_once(screened, run, reads):
    result = run("agreement", "--format", "csv", "--resamples", "0")
    assert result.exit_code == 0, result.output
    assert "title_abstract,decision,decision,decision,percent_agreement,0.5," in result.stdout
    assert reads["alice.csv"] == 1 and reads["bob.csv"] == 1
    assert reads["consensus.csv"] <= 1
    assert set(reads) <= {"alice.csv", "bob.csv", "consensus.csv"}


def test_a_changed_sheet_is_read_again(screened, review, reads):
    folder = Review.open(review)
    path = folder.coding / "bob.csv"
    first = read_review_sheet(folder, path)
    assert read_review_sheet(folder, path) is first and reads["bob.csv"] == 1
    open_session(folder, "bob").record(screened[1], "include")  # the session reads it too
    before = reads["bob.csv"]
    again = read_review_sheet(folder, path)
    assert reads["bob.csv"] == before + 1 and len(again.events) > len(first.events)
    assert review_sheet_state(folder, path).value("title_abstract", screened[1],
                                                  "decision") == "include"
