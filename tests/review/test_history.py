"""The audit trail: `workbench log`, codebook history and diff, blindness of the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.review.coding_fixture import INCLUDED, S, build_review
from workbench.cli import cli
from workbench.review import Review
from workbench.review.history import study_history
from workbench.review.resolving import resolve_conflict
from workbench.review.screening import open_session
from workbench.store.sheet import read_sheet


def log_json(folder, *args):
    result = CliRunner().invoke(cli, ["--review", str(folder), "log", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def review_dir(tmp_path):
    return build_review(tmp_path / "review")


def test_a_study_history_across_two_reviewers_undo_change_and_consensus(review_dir):
    review = Review.open(review_dir)
    study = S(2)  # both excluded it at title/abstract with E1
    alice = open_session(review, "alice", "title_abstract")
    alice.record(study, "include")            # a changed decision
    alice.record(study, "maybe")              # changed again ...
    alice.undo()                              # ... and undone: back to include
    resolve_conflict(Review.open(review_dir), study, "title_abstract", "decision", "include",
                     resolver="carol", reason="meets I2 on re-reading", criteria=[])

    rows = log_json(review_dir, study)
    mine = [(r["reviewer"], r["field"], r["action"], r["change"]) for r in rows
            if r["field"] == "decision"]
    assert mine == [
        ("alice", "decision", "set", "exclude"),
        ("bob", "decision", "set", "exclude"),
        ("alice", "decision", "change", "exclude -> include"),
        ("alice", "decision", "change", "include -> maybe"),
        ("alice", "decision", "undo", "maybe -> include"),
        ("carol", "decision", "resolve", "include"),
    ]
    consensus = [r for r in rows if r["source"] == "consensus" and r["field"] == "decision"]
    assert consensus[0]["note"] == "meets I2 on re-reading"
    assert all(r["title"] for r in rows)
    assert all(r["codebook_version"] == review.codebook().version for r in rows)
    times = [r["time"] for r in rows]
    assert times == sorted(times)


def test_filters_by_reviewer_stage_and_date(review_dir):
    everything = log_json(review_dir)
    bob = log_json(review_dir, "--reviewer", "bob", "--stage", "full_text")
    assert bob and {r["reviewer"] for r in bob} == {"bob"}
    assert {r["stage"] for r in bob} == {"full_text"}
    assert {r["study_id"] for r in bob if r["field"] == "decision"} == set(INCLUDED)
    assert log_json(review_dir, "--since", "2999-01-01") == []
    assert len(log_json(review_dir, "--since", "2000-01-01")) == len(everything)


def test_unknown_study_and_bad_date_are_clear_errors(review_dir):
    runner = CliRunner()
    result = runner.invoke(cli, ["--review", str(review_dir), "log", "Snope-0001"])
    assert result.exit_code == 1
    assert "no study or record with id 'Snope-0001'" in result.stderr
    result = runner.invoke(cli, ["--review", str(review_dir), "log", "--since", "last week"])
    assert result.exit_code == 2
    assert "--since" in result.stderr


def test_duplicate_answer_is_in_the_history_of_its_study(review_dir):
    review = Review.open(review_dir)
    records = review.records()
    a, b = records[0].id, records[1].id
    review.decide_pair("alice", a, b, "different", note="two different surveys")
    rows = log_json(review_dir, "--reviewer", "alice")
    pairs = [r for r in rows if r["source"] == "duplicates"]
    assert len(pairs) == 1
    assert pairs[0]["field"] == f"pair:{a}~{b}"
    assert pairs[0]["value"].startswith("different")
    assert pairs[0]["note"] == "two different surveys"
    assert pairs[0]["study_id"] == review.study_of_records()[a]


def test_table_and_csv_formats(review_dir):
    runner = CliRunner()
    table = runner.invoke(cli, ["--review", str(review_dir), "log", S(1)])
    assert table.exit_code == 0
    assert "title_abstract decision: include" in table.stdout
    assert "[codebook " in table.stdout
    csv_out = runner.invoke(cli, ["--review", str(review_dir), "log", S(1), "--format", "csv"])
    header = csv_out.stdout.splitlines()[0]
    assert header.startswith("time,source,reviewer,study_id,title,stage,field,action")


def test_changes_after_consensus_are_listed(review_dir):
    review = Review.open(review_dir)
    resolve_conflict(review, S(6), "full_text", "decision", "include", resolver="carol",
                     reason="bob had not decided; carol read it")
    bob = open_session(Review.open(review_dir), "bob", "full_text")
    bob.record(S(6), "include")  # after the consensus: not blind
    late = log_json(review_dir, "--after-consensus")
    assert [(r["reviewer"], r["study_id"], r["field"]) for r in late
            if r["field"] == "decision"] == [("bob", S(6), "decision")]


def test_history_panel_is_blind_until_the_viewer_finishes_the_stage(review_dir):
    review = Review.open(review_dir)
    # bob has not decided S(6) at full text: the full-text stage is open for him.
    alice_ft = [e for e in study_history(review, S(6)) if e.stage == "full_text"]
    assert {e.reviewer for e in alice_ft} == {"alice"}
    seen_by_bob = study_history(review, S(6), viewer="bob")
    assert all(e.reviewer == "bob" or e.stage != "full_text" for e in seen_by_bob)
    assert not [e for e in seen_by_bob if e.reviewer == "alice" and e.stage == "full_text"]
    # title/abstract is finished for bob: there he sees alice's decision too
    assert [e for e in seen_by_bob if e.reviewer == "alice" and e.stage == "title_abstract"]
    open_session(Review.open(review_dir), "bob", "full_text").record(S(6), "include")
    seen_after = study_history(Review.open(review_dir), S(6), viewer="bob")
    assert [e for e in seen_after if e.reviewer == "alice" and e.stage == "full_text"]


def test_codebook_history_and_diff_after_a_rename(review_dir):
    review = Review.open(review_dir)
    first = review.codebook().version
    text = (review_dir / "codebook.yaml").read_text(encoding="utf-8")
    changed = text.replace("- id: tiktok", "- id: tik_tok")
    assert "\nrenamed: {}" in changed
    changed = changed.replace("\nrenamed: {}", "\nrenamed:\n  tiktok: tik_tok")
    (review_dir / "codebook.yaml").write_text(changed, encoding="utf-8")
    second = Review.open(review_dir).codebook().version
    assert second != first

    runner = CliRunner()
    history = runner.invoke(cli, ["--review", str(review_dir), "codebook", "history", "--json"])
    assert history.exit_code == 0, history.output
    versions = {u["version"]: u for u in json.loads(history.stdout)}
    assert versions[first]["kept"] and versions[first]["events"] > 0
    assert set(versions[first]["reviewers"]) >= {"alice", "bob"}
    assert versions[second]["current"] and versions[second]["events"] == 0

    diff = runner.invoke(cli, ["--review", str(review_dir), "codebook", "diff", first[:6]])
    assert diff.exit_code == 0, diff.output
    assert "code tiktok: renamed: now tik_tok" in diff.stdout
    assert "code tik_tok: added" not in diff.stdout

    missing = runner.invoke(cli, ["--review", str(review_dir), "codebook", "diff", "abcdef"])
    assert missing.exit_code == 1
    assert "has no kept copy" in missing.stderr


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_the_export_table_equals_the_event_by_event_history(seed):
    """history_frame (column-wise, for the export) says what sheet_entries says."""
    import random

    import pandas as pd

    from workbench.core.events import COLUMNS, Event
    from workbench.core.history import sheet_entries
    from workbench.core.history_frame import history_frame
    rng = random.Random(seed)
    sheets: dict[str, list[Event]] = {}
    t = 0
    for sheet in ("alice", "bob", "consensus"):
        events, state = [], {}
        for _ in range(400):
            t += 1
            study = f"S{rng.randint(1, 6)}"
            fields = rng.sample(["decision", "criteria", "note"], rng.randint(1, 3))
            last = [e for e in events if e.study_id == study]
            if last and rng.random() < 0.3:   # an undo of this cell's last append
                prior_time = last[-1].time
                prior = [e for e in events if e.time == prior_time and e.study_id == study]
                fields = [e.field for e in prior]
                values = [state.get((study, f, "before"), "") for f in fields]
            else:
                values = [rng.choice(["include", "exclude", "", "E1", "x"]) for _ in fields]
            time = f"2026-01-01T00:00:{t // 1000:02d}.{t % 1000:06d}Z"
            for f, v in zip(fields, values):
                state[(study, f, "before")] = state.get((study, f, "now"), "")
                state[(study, f, "now")] = v
                events.append(Event(time, sheet, study, "ta", f, v, "", "v1"))
        sheets[sheet] = events
    expected = [e.as_dict() for name, events in sheets.items()
                for e in sheet_entries(events, consensus=name == "consensus")]
    expected.sort(key=lambda r: r["time"])
    frame = pd.DataFrame([(*e, name) for name, events in sheets.items() for e in events],
                         columns=[*COLUMNS, "sheet"])
    got = history_frame(frame).to_dict("records")
    assert [r["action"] for r in got] == [r["action"] for r in expected]
    assert got == expected
    assert {r["action"] for r in got} >= {"set", "change", "clear", "undo", "resolve"}


def test_one_study_read_by_search_equals_the_whole_sheet_read(tmp_path):
    """read_sheet_matching gives a study's events exactly as read_sheet does, whatever the file."""
    import random

    from workbench.core.events import Event
    from workbench.store.sheet import append_events, read_sheet
    from workbench.store.sheet_reading import read_sheet_matching
    rng = random.Random(3)
    for case in range(12):
        path = tmp_path / f"alice{case}.csv"
        old_format = case % 3 == 0
        if old_format:  # a sheet written before lines carried a check
            path.write_text("time,reviewer,study_id,stage,field,value,note,codebook_version\n"
                            + "".join(f"2026-01-01T00:00:0{i}.000000Z,alice,S{i % 3},ta,decision,"
                                      f"include,,v1\n" for i in range(6)), encoding="utf-8")
        for i in range(40):
            study = f"S{rng.randint(0, 4)}"
            note = rng.choice(["", "see S1 too", "two\nlines", 'say "S2"', "x"])
            append_events(path, [Event("", "alice", study, "ta", "decision",
                                       rng.choice(["include", "exclude"]), note, "v1")])
        if case % 4 == 1:  # a torn last line (a crash while saving)
            with path.open("ab") as handle:
                handle.write(b"2026-01-01T00:00:00.000000Z,alice,S1,ta,decision,excl")
        if case % 4 == 2:  # torn, then closed as torn by a later save
            with path.open("ab") as handle:
                handle.write(b"2026-01-01T00:00:00.000000Z,alice,S1,ta,decision,excl")
            append_events(path, [Event("", "alice", "S1", "ta", "note", "after", "", "v1")])
        whole = read_sheet(path).events
        for study in ("S0", "S1", "S2", "S4"):
            expected = [e for e in whole if e.study_id == study]
            found = [e for e in read_sheet_matching(path, {study}) if e.study_id == study]
            assert found == expected, (case, study)


def test_a_study_history_equals_the_whole_history_filtered(review_dir):
    from workbench.review.history import review_history
    review = Review.open(review_dir)
    session = open_session(review, "alice", "title_abstract")
    session.record(S(2), "include")
    session.undo()
    review.decide_pair("bob", review.records()[0].id, review.records()[1].id, "same")
    review = Review.open(review_dir)
    everything = review_history(review)
    for study in (S(1), S(3), S(4)):   # S(2) now belongs to S(1)
        assert review_history(review, [study]) == [e for e in everything if e.study_id == study]
    # the merged-away study's old id finds the study it belongs to now
    assert review_history(review, [S(2)]) == review_history(review, [S(1)])


def test_the_export_has_the_audit_log_as_csv_and_as_a_workbook_sheet(tmp_path):
    import csv
    import shutil

    from openpyxl import load_workbook

    from workbench.review.exporting import write_exports
    repo = Path(__file__).resolve().parents[2]
    folder = tmp_path / "review"
    folder.mkdir()
    for name in ("codebook.yaml",):
        shutil.copy(repo / name, folder)
    for name in ("references", "coding"):
        shutil.copytree(repo / name, folder / name)
    from workbench.review.fulltext import link_file
    paper = tmp_path / "paper.txt"
    paper.write_text("A full text.", encoding="utf-8")
    study = Review.open(folder).studies()[0].id
    link_file(Review.open(folder), paper, study, "alice")
    summary = write_exports(Review.open(folder), charts=False)
    rows = list(csv.DictReader((summary.folder / "audit_log.csv").open(encoding="utf-8")))
    events = sum(len(read_sheet(p).events) for p in (folder / "coding").glob("*.csv"))
    pairs = sum(1 for _ in (folder / "coding" / "duplicates").glob("*.csv"))
    assert len(rows) >= events + 1 and pairs
    assert {r["action"] for r in rows} >= {"set", "resolve", "pair", "link"}
    link = [r for r in rows if r["action"] == "link"]
    assert [(r["study_id"], r["source"]) for r in link] == [(study, "fulltext")]
    assert link[0]["title"]
    sheet = load_workbook(summary.folder / "workbench_export.xlsx", read_only=True)["audit_log"]
    cells = list(sheet.iter_rows(values_only=True))
    assert len(cells) == len(rows) + 1
    assert list(cells[0][:3]) == ["time", "source", "reviewer"]


def test_one_study_history_from_a_fresh_process_uses_the_current_merges(review_dir):
    """`log STUDY` reads a small study index; a merge made since, or a damaged index, is seen."""
    from workbench.review.history import review_history
    from workbench.review.studies import INDEX_NAME
    first = log_json(review_dir, S(2))            # writes the index
    assert first and {r["study_id"] for r in first} == {S(2)}
    index = review_dir / ".workbench" / INDEX_NAME
    assert index.is_file()
    review = Review.open(review_dir)
    ids = {r.id: r for r in review.records()}
    a = review.dedupe().studies[0].record_ids[0]
    b = review.dedupe().studies[1].record_ids[0]
    assert a in ids and b in ids
    review.decide_pair("bob", a, b, "same")       # S(2) now belongs to S(1)
    merged = log_json(review_dir, S(2))
    assert {r["study_id"] for r in merged} == {S(1)}
    assert any(r["source"] == "duplicates" and r["value"] == "same" for r in merged)
    title = Review.open(review_dir).dedupe().studies[0].title
    assert {r["title"] for r in merged} == {title}
    index.write_bytes(index.read_bytes()[:-20])    # damaged: ignored and written again
    assert log_json(review_dir, S(2)) == merged
    everything = review_history(Review.open(review_dir))
    assert merged == [e.as_dict() for e in everything if e.study_id == S(1)]


def test_a_sheet_with_a_byte_order_mark_is_searched_like_it_is_read(tmp_path):
    from workbench.store.sheet import read_sheet
    from workbench.store.sheet_reading import read_sheet_matching, sheet_line, SHEET_COLUMNS
    path = tmp_path / "alice.csv"
    lines = [sheet_line([f"2026-01-01T00:00:0{i}.000000Z", "alice", f"S{i % 2}", "ta",
                         "decision", "include", "", "v1"]) for i in range(4)]
    path.write_bytes(b"\xef\xbb\xbf" + (",".join(SHEET_COLUMNS) + "\n" + "".join(lines))
                     .encode("utf-8"))
    whole = read_sheet(path).events
    assert len(whole) == 4
    assert read_sheet_matching(path, {"S1"}) == [e for e in whole if e.study_id == "S1"]
    empty = tmp_path / "bob.csv"
    empty.write_bytes(b"")
    assert read_sheet_matching(empty, {"S1"}) == []


def test_searching_a_sheet_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    import os

    from workbench.errors import SheetError
    from workbench.store.sheet_reading import read_sheet_matching
    fifo = tmp_path / "alice.csv"
    os.mkfifo(fifo)
    with pytest.raises(SheetError, match="FIFO"):
        read_sheet_matching(fifo, {"S1"})


def test_full_text_links_and_unlinks_are_in_the_history_and_the_export(review_dir, tmp_path):
    from workbench.review.fulltext import link_file, unlink_study
    paper = tmp_path / "smith2020.txt"
    paper.write_text("The full text of the paper.", encoding="utf-8")
    review = Review.open(review_dir)
    link_file(review, paper, S(3), "alice")
    unlink_study(review, S(3), "bob")
    rows = [r for r in log_json(review_dir, S(3)) if r["source"] == "fulltext"]
    assert [(r["reviewer"], r["action"], r["change"]) for r in rows] == [
        ("alice", "link", rows[0]["value"]), ("bob", "link", "(unlinked)")]
    assert rows[0]["value"].startswith(f"fulltext/{S(3)}-") and rows[0]["value"].endswith(".txt")
    assert "manual" in rows[0]["note"] and "smith2020.txt" in rows[0]["note"]
    assert rows[1]["note"] == "unlinked"
    assert all(r["title"] for r in rows)
    everything = [r for r in log_json(review_dir) if r["source"] == "fulltext"]
    assert everything == rows
    # a blind reviewer sees links (they carry no decision) but not the other's decisions
    panel = study_history(Review.open(review_dir), S(3), viewer="alice")
    assert "fulltext" in {e.source for e in panel if e.reviewer == "bob"}


def test_a_record_id_finds_the_history_of_its_study(review_dir):
    """`dedupe` and `records` print record ids; `log` takes them too (walkthrough)."""
    review = Review.open(review_dir)
    record = review.studies()[0].record_ids[0]
    study = review.study_of_records()[record]
    assert record != study
    assert log_json(review_dir, record) == log_json(review_dir, study)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_time_order_is_a_stable_argsort_of_the_times(seed):
    """The export's byte sort of times equals pandas' stable argsort, whatever the values."""
    import random

    import numpy as np
    import pandas as pd

    from workbench.core.history_frame import time_order
    rng = random.Random(seed)
    times = [f"2026-01-0{rng.randint(1, 3)}T00:00:{rng.randint(0, 5):02d}.{rng.randint(0, 9)}Z"
             for _ in range(300)]
    cases = [times, times + ["2026", "2026-01-01T", ""],
             times + ["2026-01-01T00:00:00.5Zé", "2026-01-01\x00", "2026-01-01"],
             times + [float("nan")], []]
    for case in cases:
        series = pd.Series(case, dtype=object)
        assert np.array_equal(time_order(series), series.argsort(kind="stable").to_numpy())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_time_codes_give_the_order_and_equal_codes_exactly_for_equal_times(seed):
    """The audit keys each append by its time as an integer: equal times (and only they)
    share one, and the order is the stable argsort, for bytes-sortable and other values."""
    import random

    import numpy as np
    import pandas as pd

    from workbench.core.history_frame import time_codes
    rng = random.Random(seed)
    times = [f"2026-01-0{rng.randint(1, 3)}T00:00:{rng.randint(0, 5):02d}.{rng.randint(0, 9)}Z"
             for _ in range(300)]
    cases = [times, times + ["2026", "2026-01-01T", "", "2026 "],
             times + ["2026-01-01T00:00:00.5Zé", "2026-01-01\x00", "2026-01-01"],
             times + [float("nan"), float("nan")], ["x"], []]
    for case in cases:
        series = pd.Series(case, dtype=object)
        order, codes = time_codes(series)
        assert np.array_equal(order, series.argsort(kind="stable").to_numpy())
        assert len(codes) == len(case)
        seen: dict = {}
        for value, code in zip(series.fillna("<NA>").tolist(), codes.tolist()):
            assert seen.setdefault(value, code) == code        # equal times, one code
        assert len(set(seen.values())) == len(seen)            # different times, different codes


def _old_change_words(previous, value):
    """The audit log's `change` as it was computed before change_words (the oracle)."""
    import pandas as pd
    previous, value = pd.Series(previous, dtype=object), pd.Series(value, dtype=object)
    shown = value.where(value != "", "(cleared)")
    differs = (previous != "") & (previous != value)
    return shown.where(~differs, previous + " -> " + shown).tolist()


@pytest.mark.parametrize("seed", range(4))
def test_change_words_equal_the_series_arithmetic_they_replace(seed):
    import random

    from workbench.core.history_frame import change_words
    rng = random.Random(seed)
    texts = ["", "", "include", "exclude", "a;b", " -> ", "(cleared)", "x\ny", "=1", "é"]
    previous = [rng.choice(texts) for _ in range(400)]
    value = [rng.choice(texts) for _ in range(400)]
    assert change_words(previous, value).tolist() == _old_change_words(previous, value)
    assert change_words([], []).tolist() == []


def test_titles_looked_up_in_the_dict_equal_pandas_map():
    """History rows take each title from the dict; unknown studies, NA ids and a title
    that is not text (then pandas' map is used) give what `map(...).fillna("")` gave."""
    import pandas as pd

    from workbench.core.history_frame import _titles
    ids = pd.Series(["s1", "s2", "nope", float("nan"), "s1", ""], dtype=object)
    for titles in ({"s1": "One, two", "s2": "", "": "blank id"}, {"s1": "x", "s2": None},
                   {}):
        expected = ids.map(titles).astype(object).fillna("").tolist()
        assert _titles(ids, titles).tolist() == expected


def _audit_csv(frames) -> str:
    from workbench.io.safe_cells import csv_text
    return "".join(csv_text(f, index=False, na_rep="", lineterminator="\n", header=i == 0)
                   for i, f in enumerate(frames))


@pytest.mark.parametrize("rows", [1, 3, 50, 100_000])
def test_the_audit_log_in_chunks_is_the_audit_table(tmp_path, rows):
    """audit_chunks (the export's audit_log.csv at scale) gives audit_table's rows, in order,
    on the repository's review with its pair answers and a full-text link."""
    import shutil

    import pandas as pd

    from workbench.review.exporting import _read_sheets
    from workbench.review.fulltext import link_file
    from workbench.review.history import audit_chunks, audit_table
    repo = Path(__file__).resolve().parents[2]
    folder = tmp_path / "review"
    folder.mkdir()
    shutil.copy(repo / "codebook.yaml", folder)
    for name in ("references", "coding"):
        shutil.copytree(repo / name, folder / name)
    paper = tmp_path / "paper.txt"
    paper.write_text("A full text.", encoding="utf-8")
    review = Review.open(folder)
    link_file(review, paper, review.studies()[0].id, "alice")
    review = Review.open(folder)
    dedupe = review.dedupe()
    events = _read_sheets(review)[0]
    whole = audit_table(review, events, dedupe, list(dedupe.studies))
    chunks = list(audit_chunks(review, events, dedupe, list(dedupe.studies), rows=rows))
    assert [len(c) for c in chunks[:-1]] == [rows] * (len(chunks) - 1)
    got = pd.concat(chunks, ignore_index=True)
    assert got.astype(object).to_dict("records") == whole.astype(object).to_dict("records")
    assert {"pair", "link", "resolve"} <= set(got["action"])
    assert _audit_csv(chunks) == _audit_csv([whole])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_audit_chunks_on_random_sheets_with_ties_and_hostile_cells(seed, monkeypatch):
    """Random sheets (undos, clears, consensus, NA cells, quotes and line breaks in notes),
    pair and link entries at the same times as events, a non-ASCII time (the slow sort)."""
    import random

    import pandas as pd

    from workbench.core.events import COLUMNS
    from workbench.core.history import LINK, PAIR, Entry
    from workbench.review import history
    rng = random.Random(seed)
    times = [f"2026-01-01T00:00:{s:02d}Z" for s in range(6)]
    rows = []
    for sheet in ("alice", "bob", "consensus"):
        for _ in range(120):
            study = rng.choice(["S1", "S2", "s1", "S3"])
            time = rng.choice(times)
            for fld in rng.sample(["decision", "criteria", "code:x"], rng.randint(1, 2)):
                value = rng.choice(["include", "exclude", "", "E1", None, "a,b", "=1+1"])
                note = rng.choice(["", None, 'say "hi"\nthen', "cr\rhere", "é"])
                rows.append((time, sheet, study, "ta", fld, value, note, "v1", sheet))
    events = pd.DataFrame(rows, columns=[*COLUMNS, "sheet"], dtype=object)
    others = [Entry(rng.choice(times + ["2026-01-01T00:00:03Zé"]), "duplicates", "carol",
                    rng.choice(["S1", "S9"]), "", f"pair:r{i}~r{i + 1}", "same", action=PAIR)
              for i in range(rng.randint(0, 8))]
    links = [Entry(rng.choice(times), "fulltext", "alice", "S2", "", "fulltext", "a.pdf",
                   action=LINK)] if seed != 2 else []
    monkeypatch.setattr(history, "_pair_entries", lambda review, record_to_study=None: others)
    monkeypatch.setattr(history, "_link_stream", lambda review: links)

    class Dedupe:
        record_to_study: dict = {}

    class Study:
        def __init__(self, sid):
            self.id, self.title = sid, f"Title, of {sid}"

    studies = [Study("S1"), Study("S2")]
    whole = history.audit_table(None, events, Dedupe(), studies)
    for size in (1, 7, 10_000):
        chunks = list(history.audit_chunks(None, events, Dedupe(), studies, rows=size))
        got = pd.concat(chunks, ignore_index=True)
        assert got.astype(object).to_dict("records") == whole.astype(object).to_dict("records")
        assert _audit_csv(chunks) == _audit_csv([whole])


def test_audit_chunks_of_an_empty_review_give_the_header(monkeypatch):
    import pandas as pd

    from workbench.core.events import COLUMNS
    from workbench.core.history import COLUMNS as AUDIT_COLUMNS
    from workbench.review import history
    monkeypatch.setattr(history, "_pair_entries", lambda review, record_to_study=None: [])
    monkeypatch.setattr(history, "_link_stream", lambda review: [])

    class Dedupe:
        record_to_study: dict = {}

    empty = pd.DataFrame({c: [] for c in [*COLUMNS, "sheet"]}, dtype=object)
    chunks = list(history.audit_chunks(None, empty, Dedupe(), []))
    assert len(chunks) == 1 and list(chunks[0].columns) == list(AUDIT_COLUMNS)
    assert _audit_csv(chunks) == ",".join(AUDIT_COLUMNS) + "\n"


@pytest.mark.parametrize("seed", [0, 1])
def test_keys_that_are_only_compared_split_the_rows_as_the_numbered_keys_do(seed):
    """_key(dense=False) skips renumbering while the mixed-radix code fits; equal rows must
    still get equal keys and different rows different ones, also when six columns of
    thousands of values overflow 62 bits (then it renumbers first)."""
    import numpy as np
    import pandas as pd

    from workbench.core.history_frame import _key
    rng = np.random.default_rng(seed)
    n = 20_000
    columns = [pd.Series(rng.integers(0, 5000, n).astype(str), dtype=object) for _ in range(6)]
    columns[1] = pd.Series(np.where(rng.random(n) < 0.1, None, columns[1]), dtype=object)
    for used in (columns[:2], columns):
        dense = _key(used).to_numpy()
        loose = _key(used, dense=False).to_numpy()
        assert len(set(zip(dense.tolist(), loose.tolist()))) == len(set(dense.tolist())) \
            == len(set(loose.tolist()))
        assert loose.min() >= 0
