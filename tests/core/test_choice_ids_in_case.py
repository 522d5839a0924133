"""A choice id is saved as the coder picked it, even when another choice's id differs only
in case or a label is spelled like another choice's id (before session 8, 'yes_a' was saved
as 'YES_A' and a multi-choice 'X;x' lost one of the two)."""

from __future__ import annotations

from workbench.core.coding import validate_value
from workbench.io.codebook_yaml import parse_codebook
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet

CODEBOOK = """
stages: [{id: s, kind: screening}, {id: c, kind: coding, source: s}]
fields:
  - {id: f, label: F, type: choice, choices: [{id: yes_a, label: A}, {id: YES_A, label: B}]}
  - {id: g, label: G, type: multi_choice, choices: [{id: x, label: X}, {id: X, label: Y}]}
  - {id: h, label: H, type: choice, choices: [{id: a, label: B}, {id: b, label: A}]}
"""


def test_an_exact_id_is_never_turned_into_another_choice():
    codebook = parse_codebook(CODEBOOK)
    f, g, h = codebook.fields
    assert validate_value(f, "yes_a") == "yes_a" and validate_value(f, "YES_A") == "YES_A"
    assert validate_value(g, "X;x") == "x;X"               # both kept, in codebook order
    assert validate_value(h, "a") == "a" and validate_value(h, "b") == "b"
    assert validate_value(h, "A") == "a"                   # other capitals: the id first
    assert validate_value(f, "b") == "YES_A"               # a label still picks its choice


def test_the_sheet_saves_the_choice_the_coder_typed(tmp_path):
    codebook = parse_codebook(CODEBOOK)
    sheet = Sheet(tmp_path / "alice.csv", "alice", codebook.version)
    sheet.set_field(codebook, "c", "S1", "f", "yes_a")
    sheet.set_field(codebook, "c", "S1", "g", "X;x")
    saved = {e.field: e.value for e in read_sheet(tmp_path / "alice.csv").events}
    assert saved == {"field:f": "yes_a", "field:g": "x;X"}
