"""A space typed around a line's codebook version: agreement reads the line as every other
command does (it is not another version), and `check` names the line."""

from __future__ import annotations

import pytest

import workbench.store.sheet_checks as sheet_checks
from workbench.core.agreement.audit import blind_selection
from workbench.core.agreement.columns import blind_columns
from workbench.core.events import Event
from workbench.io.codebook_yaml import parse_codebook
from workbench.store.sheet_frame import events_to_frame

CODEBOOK = """
stages: [{id: ta, kind: screening, criteria: [E1]}]
criteria: [{id: E1, kind: exclude, label: Off topic}]
"""


def decided(who, study, value, version, second):
    return Event(f"2025-01-01T00:00:{second:02d}.000000Z", who, study, "ta", "decision", value,
                 "", version)


def sheets(version):
    alice = [decided("alice", f"s{n}", "include", version, n) for n in range(1, 4)]
    bob = [decided("bob", "s1", "include", version, 10), decided("bob", "s2", "exclude", version, 11),
           decided("bob", "s3", "include", version + " ", 12)]   # typed by hand: 'v1 '
    return {"alice": alice, "bob": bob}


def test_agreement_keeps_a_line_with_a_space_after_its_version():
    version = parse_codebook(CODEBOOK).version
    per_event = blind_selection(sheets(version), [], "ta")
    assert (per_event.version, per_event.other_version) == (version, 0)
    assert per_event.states["bob"].value("ta", "s3", "decision") == "include"
    frames = {name: events_to_frame(events) for name, events in sheets(version).items()}
    columns = blind_columns(frames, events_to_frame([]), "ta")
    assert (columns.version, columns.other_version) == (version, 0)
    bob = columns.latest["bob"]
    assert sorted(bob.study.tolist()) == ["s1", "s2", "s3"]


@pytest.mark.parametrize("on_columns", [False, True], ids=["events", "columns"])
def test_check_names_the_line_with_a_spaced_version(tmp_path, monkeypatch, on_columns):
    if on_columns:
        monkeypatch.setattr(sheet_checks, "COLUMNS_FROM_BYTES", 0)
    codebook = parse_codebook(CODEBOOK)
    coding = tmp_path / "coding"
    coding.mkdir()
    for name, events in sheets(codebook.version).items():   # a sheet before checks
        (coding / f"{name}.csv").write_text(
            "time,reviewer,study_id,stage,field,value,note,codebook_version\n"
            + "".join(",".join(e) + "\n" for e in events), encoding="utf-8")
    found = [str(p) for p in sheet_checks.check_coding(codebook, coding)]
    assert found == [f"{coding / 'bob.csv'}:4: study s3: codebook version "
                     f"'{codebook.version} ' has a space before or after it (typed by hand?); "
                     f"every command reads it as '{codebook.version}'"]
