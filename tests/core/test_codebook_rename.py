"""Codebook changes: renamed codes carry over, removed codes are reported and never dropped."""

from __future__ import annotations

from workbench.io.codebook_yaml import parse_codebook
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet
from workbench.store.sheet_checks import check_coding

OLD = """
stages: [{id: ta, kind: screening, criteria: [E1]}, {id: coding, kind: coding}]
criteria: [{id: E1, kind: exclude, label: Off topic}]
dimensions:
  - id: platforms
    label: Platforms
    codes: [{id: twitter, label: Twitter}, {id: fb, label: Facebook}, {id: orkut, label: Orkut}]
"""
NEW = """
stages: [{id: ta, kind: screening, criteria: [E1]}, {id: coding, kind: coding}]
criteria: [{id: E1, kind: exclude, label: Off topic}]
dimensions:
  - id: platforms
    label: Platforms
    codes: [{id: twitter_x, label: Twitter/X}, {id: facebook, label: Facebook}]
renamed:
  twitter: twitter_x
  fb: facebook
"""


def test_rename_carries_decisions_over_and_removed_codes_are_reported(tmp_path):
    old, new = parse_codebook(OLD), parse_codebook(NEW)
    coding = tmp_path / "coding"
    sheet = Sheet.open(coding / "alice.csv", "alice", old.version)
    sheet.set_codes(old, "coding", "s1", "platforms", ["twitter", "fb", "orkut"])
    sheet.set_evidence(old, "coding", "s1", "fb", "a quote", "3")
    before = (coding / "alice.csv").read_bytes()

    coded = Sheet.open(coding / "alice.csv", "alice", new.version).coding(new, "coding", "s1")
    assert coded.codes["platforms"] == ("twitter_x", "facebook", "orkut")  # nothing dropped
    assert coded.evidence == {"facebook": ("a quote", "3")}

    problems = [str(p) for p in check_coding(new, coding)]
    path = coding / "alice.csv"
    assert problems == [
        f"{path}:2: study s1, stage coding: code 'twitter' was renamed to 'twitter_x'; counted "
        "as 'twitter_x'",
        f"{path}:2: study s1, stage coding: code 'fb' was renamed to 'facebook'; counted as "
        "'facebook' (and 2 more lines)",
        f"{path}:2: study s1, stage coding: code 'orkut' is not in the codebook (removed?); the "
        "decision is kept in the sheet: add it back, map it under 'renamed', or recode",
    ]
    assert path.read_bytes() == before  # check never writes

    # Recoding under the new codebook accepts old ids and writes the new ones.
    sheet = Sheet.open(path, "alice", new.version)
    (event,) = sheet.set_codes(new, "coding", "s1", "platforms", ["twitter", "fb"])
    assert event.value == "twitter_x;facebook" and event.codebook_version == new.version
    (left,) = check_coding(new, coding)  # quote and page still use 'fb'
    assert left.line == 3 and "'fb' was renamed" in left.message
    assert len(read_sheet(path).events) == 4


def test_check_reports_unknown_stages_fields_and_other_reviewers(tmp_path):
    cb = parse_codebook(NEW)
    path = tmp_path / "bob.csv"
    path.write_text(
        "time,reviewer,study_id,stage,field,value,note,codebook_version\n"
        "2025-01-01T00:00:00.000000Z,bob,s1,ta,decision,include,,v\n"
        "2025-01-01T00:00:01.000000Z,bob,s1,ta,criteria,E4,,v\n"
        "2025-01-01T00:00:02.000000Z,bob,s1,pilot,decision,include,,v\n"
        "2025-01-01T00:00:03.000000Z,bob,s1,coding,field:reach,3,,v\n"
        "2025-01-01T00:00:04.000000Z,ann,s2,ta,decision,yes,,v\n"
        "2025-01-01T00:00:05.000000Z,bob,s3,ta,decisi", encoding="utf-8")
    text = "\n".join(str(p) for p in check_coding(cb, tmp_path))
    assert f"{path}:3: study s1, stage ta: criterion 'E4' is not defined for stage 'ta'" in text
    assert f"{path}:4: study s1, stage pilot: stage 'pilot' is not in the codebook" in text
    assert f"{path}:5: study s1, stage coding: field 'reach' is not in the codebook" in text
    assert f"{path}:6: study s2: reviewer 'ann' in the sheet of 'bob'" in text
    assert f"{path}:6: study s2, stage ta: unknown decision 'yes'" in text
    assert f"{path}:7: incomplete last line" in text
