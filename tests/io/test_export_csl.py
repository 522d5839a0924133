"""Reference-manager exports: CSL-JSON valid against the CSL schema; decisions in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rispy

from tests.io.export_review import study_ids
from workbench.core.consensus import FinalDecision
from workbench.core.dedupe.duplicates import Study
from workbench.io.exports.csl import csl_json, reference_notes
from workbench.io.exports.refs import bibtex_text, ris_text

jsonschema = pytest.importorskip("jsonschema")
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "csl" / "csl-data.json")
                    .read_text())


@pytest.fixture
def exported(hand_counted_exported):
    """The hand-counted review, exported once and shared (tests/io/conftest.py): read only."""
    return hand_counted_exported[0]


def validate(items) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(items)


def test_included_json_is_valid_csl_and_carries_study_and_decision(exported):
    items = json.loads((exported.exports / "included.json").read_text(encoding="utf-8"))
    validate(items)
    ids = study_ids(exported)
    assert [i["id"] for i in items] == [ids["A"], ids["B"]]
    first = items[0]
    assert first["type"] == "article-journal"
    assert first["author"] == [{"family": "Ali", "given": "Sana"}]
    assert first["issued"] == {"date-parts": [[2019]]}
    assert first["note"].splitlines()[:2] == [f"workbench study: {ids['A']}",
                                              "workbench decision: include at full_text"]
    assert "workbench-decision:include" in first["keyword"]
    assert first["custom"]["workbench_decision"] == "include"


def test_schema_check_can_fail():
    with pytest.raises(jsonschema.ValidationError):
        validate([{"id": "S1", "type": "journal-article"}])   # not a CSL type
    with pytest.raises(jsonschema.ValidationError):
        validate([{"id": "S1", "type": "article", "issued": {"year": 2020}}])


def test_ris_and_bib_carry_the_study_id_and_decision(exported):
    ids = study_ids(exported)
    entries = rispy.loads((exported.exports / "included.ris").read_text(encoding="utf-8"))
    assert entries[0]["id"] == ids["A"]
    assert "workbench-decision:include" in entries[0]["keywords"]
    assert f"workbench study: {ids['A']}" in entries[0]["notes"]
    import bibtexparser
    library = bibtexparser.parse_string((exported.exports / "included.bib").read_text())
    entry = library.entries[0]
    assert entry.key == ids["A"]
    assert "workbench-decision:include" in entry["keywords"]
    assert f"workbench study: {ids['A']}" in entry["note"]


def decision(stage, value, criteria=(), agreed=True):
    return FinalDecision("S1", stage, "final", value, tuple(criteria), agreed)


def test_notes_name_every_stage_with_labelled_reasons_and_a_union():
    finals = [("title_abstract", {"S1": decision("title_abstract", "maybe")}),
              ("full_text", {"S1": decision("full_text", "include", ("I1", "I9"), False)})]
    notes = reference_notes(["S1", "S2"], finals, {"I1": "Social media activism"},
                            {"full_text": "Full text"})
    note = notes["S1"]
    assert note.note.splitlines() == [
        "workbench study: S1", "workbench decision: include at full_text",
        "workbench title_abstract: maybe",
        "workbench full_text: include: I1 Social media activism; I9 (criteria not agreed: union)"]
    assert note.tags == ("workbench-decision:include", "workbench-criterion:I1",
                         "workbench-criterion:I9")
    assert notes["S2"].note == "workbench study: S2" and notes["S2"].tags == ()
    study = Study("S1", ("r1",), title="T", authors=("UNESCO", "Khan, A."), year=2020,
                  keywords=("activism",), pages="1-9")
    items = json.loads(csl_json([study], {"S1": ["Report"]}, notes))
    validate(items)
    assert items[0]["type"] == "report"
    assert items[0]["author"] == [{"literal": "UNESCO"}, {"family": "Khan", "given": "A."}]
    assert items[0]["keyword"].startswith("activism, workbench-decision:include")
    ris = rispy.loads(ris_text([study], None, notes))[0]
    assert ris["keywords"] == ["activism", "workbench-decision:include",
                               "workbench-criterion:I1", "workbench-criterion:I9"]
    assert len(ris["notes"]) == 4
    assert "note = {workbench study: S1; workbench decision: include at full\\_text" in \
        bibtex_text([study], None, notes)


def test_pretty_json_is_json_dumps_with_indent_2():
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from workbench.io.exports.csl import pretty_json

    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(), inner, max_size=4), max_leaves=25)

    @settings(max_examples=300, deadline=None)
    @given(values)
    def same(value):
        assert pretty_json(value) == json.dumps(value, indent=2, ensure_ascii=False)

    same()
    assert pretty_json([{"a": (1, [])}, {}]) == json.dumps([{"a": (1, [])}, {}], indent=2)
