"""Hostile and broken input to the store: nothing lost, nothing executed, no traceback.

Each test reproduces one failure of the adversarial run in issue #20: torn
lines that still parse, values past the csv field limit, hand-edited times,
unbalanced quotes, unknown study ids, an export named imports.csv, pickle
caches, a full disk, a read-only review folder, and sheets that are FIFOs,
devices or huge.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import subprocess
import sys
import tempfile
import types
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench.store.sheet as sheet_mod
import workbench.store.sheet_reading as reading
from workbench.cli import cli
from workbench.core.events import COLUMNS, DecisionRefused, Event
from workbench.errors import DedupeError, ReviewError, SheetError
from workbench.review import Review
from workbench.review.screening import open_session
from workbench.store import cache as cache_mod
from workbench.store import imports as imports_mod
from workbench.store import pairs as pairs_mod
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import (HEADER, MAX_VALUE_CHARS, append_events, read_sheet,
                                   sheet_line)
from workbench.store.sheet_checks import check_coding

REPO = Path(__file__).resolve().parents[2]
OLD_HEADER = ",".join(COLUMNS) + "\n"
NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def ev(study="s1", field="decision", value="include", note="", stage="ta", version="2e5d0d9a7020"):
    return Event("", "alice", study, stage, field, value, note, version)


def decided(path):
    return [(e.study_id, e.field, e.value) for e in read_sheet(path).events]


def example_copy(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    (root / "coding").mkdir()
    return root


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--review", str(root), *args])


# -- torn lines: a never-acknowledged event never becomes valid -----------------------------

@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1), old_format=st.booleans(),
       note=st.sampled_from(["", "plain", 'said "no", then', "two\nlines"]))
def test_a_cut_last_line_is_never_applied_even_after_the_next_save(tmp_path, cut, old_format,
                                                                     note):
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder, mock.patch("os.fsync"):
        path = Path(folder) / "alice.csv"
        first = ["2026-01-01T00:00:00.000000Z", "alice", "s1", "ta", "decision", "include", "",
                 "2e5d0d9a7020"]
        last = ["2026-01-01T00:00:01.000000Z", "alice", "s1", "ta", "decision", "exclude", note,
                "2e5d0d9a7020"]
        if old_format:  # a sheet written before the check column existed
            body = OLD_HEADER + ",".join(map(reading.csv_field, first)) + "\n"
            tail = ",".join(map(reading.csv_field, last)) + "\n"
        else:
            body = HEADER + sheet_line(first)
            tail = sheet_line(last)
        cut = 1 + cut % (len(tail) - 1)  # keep 1..len-1 characters: the newline never made it
        path.write_text(body + tail[:cut], encoding="utf-8")
        assert decided(path) == [("s1", "decision", "include")]
        problems = read_sheet(path).problems
        assert len(problems) == 1 and "incomplete last line" in problems[0].message
        append_events(path, [ev("s2")], now=NOW)
        contents = read_sheet(path)
        assert [(e.study_id, e.value) for e in contents.events] == [("s1", "include"),
                                                                    ("s2", "include")]
        assert len(contents.problems) == 1 and contents.problems[0].line == 3
        # cut right after a line break inside a quoted note, the open quote swallows the
        # next save's line until the reader starts again there: set aside as unbalanced
        message = contents.problems[0].message
        assert "incomplete line" in message or "a save cut short" in message


def test_the_issue_case_a_line_cut_inside_its_codebook_version(tmp_path):
    """`...,exclude,,2e5d` parsed as a complete decision before; now it is set aside."""
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1")], now=NOW)
    line = sheet_line(["2026-05-01T12:00:01.000000Z", "alice", "s1", "ta", "decision", "exclude",
                       "", "2e5d0d9a7020"])
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line[:line.index("2e5d") + 4])
    append_events(path, [ev("s2")], now=NOW)
    assert decided(path) == [("s1", "decision", "include"), ("s2", "decision", "include")]
    assert ",torn\n" in path.read_text(encoding="utf-8")
    problems = check_coding(_codebook(), tmp_path)
    assert any(p.line == 3 and "incomplete line" in p.message for p in problems)


def test_a_line_changed_after_saving_fails_its_check(tmp_path):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1"), ev("s2")], now=NOW)
    text = path.read_text(encoding="utf-8").replace("s2,ta,decision,include", "s2,ta,decision,exclude")
    path.write_text(text, encoding="utf-8")
    contents = read_sheet(path)
    assert [e.study_id for e in contents.events] == ["s1"]
    assert contents.problems[0].line == 3 and "check value does not match" in contents.problems[0].message


def test_old_sheets_stay_readable_and_new_lines_carry_the_check(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_text(OLD_HEADER + "2026-01-01T00:00:00.000000Z,alice,s1,ta,decision,include,,v1\n",
                    encoding="utf-8")
    append_events(path, [ev("s2", note='a "quoted", note')], now=NOW)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == OLD_HEADER.strip() and len(next(csv.reader([lines[2]]))) == 9
    assert decided(path) == [("s1", "decision", "include"), ("s2", "decision", "include")]
    # An unchecked line after a checked one is a fragment or a hand edit: reported, not applied.
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2026-05-01T13:00:00.000000Z,alice,s3,ta,decision,include,,v1\n")
    contents = read_sheet(path)
    assert [e.study_id for e in contents.events] == ["s1", "s2"]
    assert contents.problems[0].line == 4 and "no check value" in contents.problems[0].message


def test_one_hand_typed_extra_field_in_an_old_sheet_sets_aside_only_that_line(tmp_path):
    """Found by the walkthrough: a ninth field that is no check (a comma typed in a note)
    made the reader take every later line of an old sheet for an unchecked fragment, and
    145,816 decisions vanished from every figure."""
    from workbench.store.sheet_frame import read_sheet_frame
    path = tmp_path / "alice.csv"
    rows = [f"2026-01-01T00:00:{i:02d}.000000Z,alice,s{i},ta,decision,include,,v1\n"
            for i in range(1, 6)]
    typed = "2026-01-01T00:00:03.500000Z,alice,s9,ta,decision,include,extra,v1,oops\n"
    path.write_text(OLD_HEADER + "".join(rows[:3]) + typed + "".join(rows[3:]), encoding="utf-8")
    contents = read_sheet(path)
    assert [e.study_id for e in contents.events] == ["s1", "s2", "s3", "s4", "s5"]
    assert [(p.line, "check value does not match" in p.message) for p in contents.problems] == \
        [(5, True)]
    frame = read_sheet_frame(path)
    assert frame.events["study_id"].astype(str).tolist() == ["s1", "s2", "s3", "s4", "s5"]
    assert [p.line for p in frame.problems] == [5]
    # a line workbench saves afterwards starts the checked lines as before
    append_events(path, [ev("s6")], now=NOW)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(rows[0].replace("s1", "s7"))
    contents = read_sheet(path)
    assert [e.study_id for e in contents.events] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert [p.line for p in contents.problems] == [5, 9]


# -- long values -------------------------------------------------------------------------------

def test_a_value_past_the_csv_default_limit_reads_back_with_every_later_line(tmp_path):
    path = tmp_path / "alice.csv"
    quote = "é" * 200_000
    append_events(path, [ev("s1", field="note", value=quote)], now=NOW)
    append_events(path, [ev("s2")], now=NOW)
    csv.field_size_limit(131_072)  # as a fresh process has it: the reader must raise it itself
    contents = read_sheet(path)
    assert contents.problems == []
    assert [e.study_id for e in contents.events] == ["s1", "s2"]
    assert contents.events[0].value == quote


def test_a_value_longer_than_a_sheet_accepts_is_refused_before_writing(tmp_path):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1")], now=NOW)
    before = path.read_bytes()
    sheet = Sheet.open(path, "alice")
    with pytest.raises(DecisionRefused, match="more than the 1,000,000"):
        sheet.append("ta", "s2", [reading_change("note", "x" * (MAX_VALUE_CHARS + 1))])
    assert path.read_bytes() == before and sheet.state.value("ta", "s2", "note") == ""


def reading_change(field, value):
    from workbench.core.events import Change
    return Change(field, value)


# -- times -------------------------------------------------------------------------------------

@pytest.mark.parametrize("future", ["2999-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z"])
def test_a_hand_edited_future_time_never_sets_the_clock_of_later_saves(tmp_path, future):
    path = tmp_path / "consensus.csv"
    path.write_text(HEADER + sheet_line([future, "lead", "s1", "ta", "decision", "exclude", "",
                                         "v1"]), encoding="utf-8")
    sheet = Sheet.open(path, "lead")
    (written,) = sheet.append("ta", "s1", [reading_change("decision", "include")])
    assert written.time.startswith(str(datetime.now(timezone.utc).year))  # no OverflowError
    assert sheet.state.value("ta", "s1", "decision") == "include"  # file order decides
    problems = check_coding(_codebook(), tmp_path)
    assert any(p.line == 2 and "in the future" in p.message for p in problems)


def test_an_impossible_time_is_reported_and_the_next_save_works(tmp_path):
    path = tmp_path / "alice.csv"
    path.write_text(HEADER + sheet_line(["2026-02-30T25:61:61.000000Z", "alice", "s1", "ta",
                                         "decision", "exclude", "", "v1"])
                    + sheet_line(["2024-02-29T10:00:00.000000Z", "alice", "s2", "ta", "decision",
                                  "include", "", "v1"])
                    + sheet_line(["2025-02-29T10:00:00.000000Z", "alice", "s3", "ta", "decision",
                                  "include", "", "v1"]), encoding="utf-8")
    contents = read_sheet(path)
    assert [e.study_id for e in contents.events] == ["s2"]  # 2024 is a leap year, 2025 not
    assert [p.line for p in contents.problems] == [2, 4]
    assert "impossible time" in contents.problems[0].message
    Sheet.open(path, "alice").append("ta", "s4", [reading_change("decision", "include")])
    assert [e.study_id for e in read_sheet(path).events] == ["s2", "s4"]


def test_resolve_after_a_far_future_consensus_time_gives_no_traceback(tmp_path):
    root = example_copy(tmp_path)
    review = Review.open(root)
    study = review.studies()[0].id
    (root / "coding" / "consensus.csv").write_text(
        HEADER + sheet_line(["9999-12-31T23:59:59.999999Z", "lead", study, "title_abstract",
                             "decision", "exclude", "", "v1"]), encoding="utf-8")
    open_session(review, "alice", "title_abstract").record(study, "include")
    open_session(review, "bob", "title_abstract").record(study, "exclude", ["E1"])
    from workbench.review.resolving import resolve_conflict
    (written, *_) = resolve_conflict(review, study, "title_abstract", "decision", "include",
                                     "carol", "re-read the abstract")  # no OverflowError
    assert written.time < "3000" and written.value == "include"
    assert [e.value for e in read_sheet(root / "coding" / "consensus.csv").events
            if e.field == "decision"] == ["exclude", "include"]
    result = run(root, "check")
    assert result.exit_code == 1 and "consensus.csv:2" in result.stderr  # the future time


# -- unbalanced quotes and unknown studies -----------------------------------------------------

def test_an_unbalanced_quote_costs_only_its_own_line(tmp_path):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1")], now=NOW)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('2026-05-01T12:00:00.000001Z,alice,s2,ta,note,"half a quote,,v1\n')
    for n in range(3, 6):
        append_events(path, [ev(f"s{n}")], now=NOW)
    contents = read_sheet(path)
    assert [e.study_id for e in contents.events] == ["s1", "s3", "s4", "s5"]
    (problem,) = contents.problems
    assert problem.line == 3 and "unbalanced" in problem.message and "4-" in problem.message


def test_check_reports_a_decision_on_a_study_that_does_not_exist(tmp_path):
    root = example_copy(tmp_path)
    review = Review.open(root)
    study = review.studies()[0].id
    session = open_session(review, "alice", "title_abstract")
    session.record(study, "include")
    append_events(root / "coding" / "alice.csv",
                  [Event("", "alice", "S00000000-0099", "title_abstract", "decision", "include")])
    result = run(root, "check")
    assert result.exit_code == 1
    assert "alice.csv:3: study S00000000-0099: no such study" in result.stderr
    assert study not in result.stderr


def _codebook():
    from workbench.io.codebook_yaml import load_codebook
    return load_codebook(REPO / "codebook.yaml")


# -- the import manifest -----------------------------------------------------------------------

def test_an_export_named_imports_csv_never_overwrites_the_manifest(tmp_path):
    root = example_copy(tmp_path)
    shutil.rmtree(root / "references")
    export = tmp_path / "imports.csv"
    shutil.copy(REPO / "references" / "scholar-2025-03-14.csv", export)
    review = Review.open(root)
    (done,) = review.import_references([export])
    assert done.stored_as == "references/imports-2.csv"
    manifest = (root / "references" / "imports.csv").read_text(encoding="utf-8")
    assert manifest.startswith("file,database,sha256") and "imports-2.csv" in manifest
    assert (root / "references" / "imports-2.csv").read_bytes() == export.read_bytes()
    assert run(root, "status").exit_code == 0
    assert len(Review.open(root).records()) == done.records


# -- caches hold data only ---------------------------------------------------------------------

PAYLOAD = (b"cos\nsystem\n(S'touch PWNED'\ntR.")  # pickle protocol 0: os.system("touch PWNED")


def test_caches_are_never_unpickled(tmp_path, monkeypatch):
    root = example_copy(tmp_path)
    assert run(root, "status").exit_code == 0
    cache = root / ".workbench"
    assert not list(cache.rglob("*.pkl")) and (cache / "studies.json").is_file()
    (cache / "studies.pkl").write_bytes(PAYLOAD)
    for path in (cache / "records").glob("*.json"):
        path.with_suffix(".pkl").write_bytes(PAYLOAD)
    (cache / "studies.json").write_bytes(PAYLOAD)
    for path in (cache / "records").glob("*.json"):
        path.write_bytes(PAYLOAD)
    monkeypatch.chdir(tmp_path)
    result = run(root, "status")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "PWNED").exists() and not (root / "PWNED").exists()


def test_a_tampered_or_foreign_cache_is_treated_as_missing(tmp_path, monkeypatch):
    root = example_copy(tmp_path)
    records = Review.open(root).records()
    cache = next((root / ".workbench" / "records").glob("*.json"))
    text = cache.read_text(encoding="utf-8")
    cache.write_text(text.replace(records[0].title, "A title nobody exported"), encoding="utf-8")
    assert Review.open(root).records()[0].title == records[0].title  # re-parsed
    # A cache sealed with another machine's key is not trusted either.
    monkeypatch.setattr(cache_mod, "_key", b"k" * 32)
    assert cache_mod.read_cache(cache, "records") is None


def test_an_unreadable_key_file_keeps_caches_in_memory(tmp_path, monkeypatch):
    key_dir = tmp_path / "key"
    key_dir.mkdir()
    monkeypatch.setenv(cache_mod.KEY_ENV, str(key_dir))  # a folder: cannot be a key
    monkeypatch.setattr(cache_mod, "_key", None)
    assert cache_mod.write_cache(tmp_path / "c.json", "records", [1, 2])
    assert cache_mod.read_cache(tmp_path / "c.json", "records") == [1, 2]  # same process
    monkeypatch.setattr(cache_mod, "_key", None)
    assert cache_mod.read_cache(tmp_path / "c.json", "records") is None  # another process


# -- full disk ---------------------------------------------------------------------------------

def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_import_on_a_full_disk_leaves_no_part_file_and_no_manifest_row(tmp_path, monkeypatch):
    root = example_copy(tmp_path)
    shutil.rmtree(root / "references")
    review = Review.open(root)
    real_fsync = os.fsync
    monkeypatch.setattr(imports_mod.os, "fsync", _enospc)
    with pytest.raises(ReviewError, match="No space left on device") as caught:
        review.import_references([REPO / "references" / "scholar-2025-03-14.csv"])
    assert "was not imported" in str(caught.value)
    assert list((root / "references").iterdir()) == []
    # The copy succeeds but the manifest row does not: the copy is taken back.
    calls = []

    def second_fails(fd):
        calls.append(fd)
        if len(calls) > 1:
            _enospc()
        real_fsync(fd)

    monkeypatch.setattr(imports_mod.os, "fsync", second_fails)
    with pytest.raises(ReviewError, match="imports.csv"):
        review.import_references([REPO / "references" / "scholar-2025-03-14.csv"])
    assert list((root / "references").iterdir()) == []
    monkeypatch.undo()
    (done,) = review.import_references([REPO / "references" / "scholar-2025-03-14.csv"])
    assert done.records > 0


def test_a_full_disk_while_caching_is_not_an_error(tmp_path, monkeypatch):
    root = example_copy(tmp_path)
    monkeypatch.setattr(cache_mod, "open", _enospc, raising=False)
    review = Review.open(root)
    assert review.studies()
    assert not list((root / ".workbench").rglob("*.tmp")) if (root / ".workbench").exists() else True


def test_pair_on_a_full_disk_leaves_no_empty_answers_file(tmp_path, monkeypatch):
    monkeypatch.setattr(pairs_mod.os, "fsync", _enospc)
    from workbench.core.dedupe.duplicates import PairDecision
    with pytest.raises(DedupeError, match="not saved"):
        pairs_mod.append_pair_decision(tmp_path, PairDecision("", "alice", "a-1", "b-1", "same"))
    assert not (tmp_path / "coding" / "duplicates" / "alice.csv").exists()
    monkeypatch.undo()
    path = pairs_mod.append_pair_decision(tmp_path, PairDecision("", "alice", "a-1", "b-1", "same"))
    before = path.read_bytes()
    monkeypatch.setattr(pairs_mod.os, "fsync", _enospc)
    with pytest.raises(DedupeError):
        pairs_mod.append_pair_decision(tmp_path, PairDecision("", "alice", "a-1", "c-1", "same"))
    assert path.read_bytes() == before


def test_a_torn_pair_answer_is_never_completed_by_the_next_one(tmp_path):
    from workbench.core.dedupe.duplicates import PairDecision
    path = pairs_mod.append_pair_decision(tmp_path, PairDecision("", "alice", "a-1", "b-1",
                                                                 "different"))
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2026-05-01T12:00:00.000000Z,alice,a-1,c-1,same")  # the note never came
    pairs_mod.append_pair_decision(tmp_path, PairDecision("", "alice", "d-1", "e-1", "same"))
    answers, problems = pairs_mod.read_pair_decisions_report(tmp_path)
    assert [(a.record_a, a.record_b) for a in answers] == [("a-1", "b-1"), ("d-1", "e-1")]
    assert problems[0].line == 3 and "incomplete" in problems[0].message


# -- a read-only review folder -----------------------------------------------------------------

READ_ONLY_SCRIPT = """
mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97
touch "$1/probe" 2>/dev/null && exit 98
for verb in status agreement check records conflicts; do
  "$4" --review "$1" $verb > /dev/null || { echo "FAILED: $verb"; exit 1; }
done
"$4" --review "$1" export --out "$3" || exit 2
"$4" --review "$1" pair 829fb13e-0001 829fb13e-0002 same --reviewer alice
test $? -eq 1 || exit 3
"$2" -c "
import sys
from workbench.review import Review
from workbench.review.screening import open_session
from workbench.errors import SheetError
review = Review.open(sys.argv[1])
session = open_session(review, 'carol', 'title_abstract')
try:
    session.record(review.studies()[0].id, 'include')
except SheetError as exc:
    assert 'Read-only file system' in str(exc), exc
else:
    raise SystemExit('saved into a read-only folder?')
" "$1" || exit 4
"""


@pytest.mark.slow
def test_a_read_only_copy_of_a_review_opens_and_exports_elsewhere(tmp_path):
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("mount"):
        pytest.skip("needs root and unshare to mount a read-only copy")
    root = tmp_path / "ro"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copytree(REPO / "coding", root / "coding")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    script = tmp_path / "ro.sh"
    script.write_text(READ_ONLY_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workbench = Path(sys.executable).parent / "workbench"
    if not workbench.is_file():
        pytest.skip("the workbench script is not installed next to this Python")
    done = subprocess.run(["unshare", "-m", "sh", str(script), str(root), sys.executable,
                           str(tmp_path / "out"), str(workbench)], capture_output=True,
                          text=True, env=env, timeout=600)
    if done.returncode == 97:
        pytest.skip("cannot mount a read-only copy here")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "out" / "coded_dataset.csv").is_file()
    assert not (root / ".workbench").exists()


# -- FIFOs, devices, huge files ----------------------------------------------------------------

def test_a_sheet_that_is_a_fifo_is_refused_without_waiting(tmp_path):
    path = tmp_path / "alice.csv"
    os.mkfifo(path)
    with pytest.raises(SheetError, match="FIFO"):
        read_sheet(path)


def test_a_sheet_linked_to_dev_zero_is_refused(tmp_path):
    path = tmp_path / "alice.csv"
    path.symlink_to("/dev/zero")
    with pytest.raises(SheetError, match="a device"):
        read_sheet(path)


def test_a_huge_sheet_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1"), ev("s2")], now=NOW)
    monkeypatch.setattr(reading, "MAX_SHEET_BYTES", 100)
    with pytest.raises(SheetError, match="more than the 100"):
        read_sheet(path)


def test_check_on_a_fifo_sheet_is_a_clear_error(tmp_path):
    root = example_copy(tmp_path)
    os.mkfifo(root / "coding" / "alice.csv")
    result = run(root, "check")
    assert result.exit_code == 1 and "FIFO" in result.stderr
    assert "Traceback" not in result.output


def test_a_fifo_in_the_pair_answers_does_not_hang(tmp_path):
    root = example_copy(tmp_path)
    (root / "coding" / "duplicates").mkdir()
    os.mkfifo(root / "coding" / "duplicates" / "alice.csv")
    result = run(root, "status")
    assert result.exit_code == 0, result.output


def test_full_disk_mid_append_still_leaves_the_sheet_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "alice.csv"
    append_events(path, [ev("s1")], now=NOW)
    before = path.read_bytes()
    monkeypatch.setattr(sheet_mod.os, "fsync", _enospc)
    with pytest.raises(SheetError, match="No space left"):
        append_events(path, [ev("s2")], now=NOW)
    assert path.read_bytes() == before


def test_the_export_reads_sheets_with_the_same_reader(tmp_path):
    """An old-format sheet with an impossible time: the export must not apply that line."""
    from workbench.review.exporting import _read_sheets
    coding = tmp_path / "coding"
    coding.mkdir()
    (coding / "alice.csv").write_text(
        OLD_HEADER + "2026-01-01T00:00:00.000000Z,alice,s1,ta,decision,include,,v1\n"
        "2026-02-30T25:61:61.000000Z,alice,s1,ta,decision,exclude,,v1\n", encoding="utf-8")
    review = types.SimpleNamespace(coding=coding, aliases=dict)   # the export asks these two
    frame, names, warnings = _read_sheets(review)
    assert frame["value"].tolist() == ["include"] and names == ["alice"]
    assert any("alice.csv:3" in w and "impossible time" in w for w in warnings)


def test_export_on_a_full_disk_is_a_clear_error_and_changes_nothing(tmp_path, monkeypatch):
    root = tmp_path / "review"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copytree(REPO / "coding", root / "coding")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    import workbench.review.exporting as exporting
    real = exporting.write_csv

    def full(folder, name, frame):
        if name == "coded_dataset.csv":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(folder, name, frame)

    monkeypatch.setattr(exporting, "write_csv", full)
    result = run(root, "export", "--quiet", "--no-charts")
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr and "nothing was exported" in result.stderr
    assert not (root / "exports").exists() or not any((root / "exports").iterdir())
