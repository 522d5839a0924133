"""`check` names a value typed by hand in another spelling and suggests the app's own.

The value stays in the sheet as typed (a coder's value is never rewritten);
until it is changed, agreement and conflicts read it as a value of its own.
"""

from __future__ import annotations

import pytest

import workbench.store.sheet_checks as sheet_checks
from workbench.io.codebook_yaml import parse_codebook
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet

CODEBOOK = """
stages: [{id: ta, kind: screening, criteria: [E1]}, {id: coding, kind: coding}]
criteria: [{id: E1, kind: exclude, label: Off topic}]
dimensions:
  - id: platforms
    label: Platforms
    codes: [{id: twitter, label: Twitter}, {id: facebook, label: Facebook}]
fields:
  - {id: peer_reviewed, label: Peer reviewed, type: boolean}
  - {id: sample_size, label: Sample size, type: integer}
"""

HAND = [  # (study, stage, field, value) as a coder types them into the CSV
    ("s2", "ta", "decision", "Exclude"),
    ("s2", "ta", "criteria", "e1"),
    ("s3", "coding", "field:peer_reviewed", "TRUE"),
    ("s3", "coding", "field:sample_size", "030"),
    ("s3", "coding", "code:platforms", "Twitter"),
]


@pytest.mark.parametrize("columns", [False, True], ids=["events", "columns"])
def test_check_suggests_the_canonical_value_and_keeps_the_line(tmp_path, monkeypatch, columns):
    if columns:
        monkeypatch.setattr(sheet_checks, "COLUMNS_FROM_BYTES", 0)
    codebook = parse_codebook(CODEBOOK)
    coding = tmp_path / "coding"
    sheet = Sheet.open(coding / "alice.csv", "alice", codebook.version)
    sheet.record_screening(codebook, "ta", "s1", "exclude", ["E1"])
    sheet.set_field(codebook, "coding", "s1", "peer_reviewed", "yes")   # the app writes 'true'
    sheet.set_field(codebook, "coding", "s1", "sample_size", "30")
    sheet.set_codes(codebook, "coding", "s1", "platforms", ["twitter"])
    # a hand edit of a sheet before checks: no check value needed
    path = coding / "bob.csv"
    path.write_text("time,reviewer,study_id,stage,field,value,note,codebook_version\n" + "".join(
        f"2025-01-01T00:00:0{n}.000000Z,bob,{s},{st},{f},{v},,{codebook.version}\n"
        for n, (s, st, f, v) in enumerate(HAND)), encoding="utf-8")
    before = path.read_bytes()
    found = {p.line: p.message for p in sheet_checks.check_coding(codebook, coding)
             if p.path.endswith("bob.csv")}
    assert sorted(found) == [2, 3, 4, 5, 6]
    assert found[2].startswith("unknown decision 'Exclude' (did you mean 'exclude'?); the line "
                               "is kept as typed")
    assert "criterion 'e1' is not defined for stage 'ta' (did you mean 'E1'?)" in found[3]
    assert found[4].startswith("field 'peer_reviewed': 'TRUE' is not written as the app writes "
                               "it (did you mean 'true'?)")
    assert "'030' is not written as the app writes it (did you mean '30'?)" in found[5]
    assert "code 'Twitter' is not in the codebook (did you mean 'twitter'?)" in found[6]
    assert path.read_bytes() == before
    assert [e.value for e in read_sheet(path).events] == [v for *_, v in HAND]
    assert not [p for p in sheet_checks.check_coding(codebook, coding)
                if p.path.endswith("alice.csv")]   # what the app wrote passes
