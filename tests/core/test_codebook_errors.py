"""Every codebook validation error names the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import CodebookError
from workbench.io.codebook_yaml import CodebookProblems, load_codebook, parse_codebook

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "codebook"


def problems_of(name: str) -> list[str]:
    path = FIXTURES / name
    with pytest.raises(CodebookProblems) as caught:
        load_codebook(path)
    assert isinstance(caught.value, CodebookError)
    return [str(p) for p in caught.value.problems]


def test_base_fixture_is_valid():
    codebook = load_codebook(FIXTURES / "base.yaml")
    assert [s.id for s in codebook.stages] == ["ta", "coding"]


def test_unknown_key_has_line_and_did_you_mean():
    (message,) = problems_of("unknown_key.yaml")
    assert message == (f"{FIXTURES / 'unknown_key.yaml'}:4: stages[0]: unknown key 'reviwers' "
                       "(did you mean 'reviewers'?)")


def test_duplicate_code_id_across_dimensions():
    (message,) = problems_of("duplicate_id.yaml")
    assert message.startswith(f"{FIXTURES / 'duplicate_id.yaml'}:12: dimensions[1].codes[1]: ")
    assert "duplicate code id 'twitter' (first defined on line 7)" in message


def test_renamed_to_an_undefined_code():
    (message,) = problems_of("undefined_code.yaml")
    assert message.startswith(f"{FIXTURES / 'undefined_code.yaml'}:9: renamed: ")
    assert "'twiter', which is not defined (did you mean 'twitter'?)" in message


def test_min_greater_than_max():
    (message,) = problems_of("min_max.yaml")
    assert message.startswith(f"{FIXTURES / 'min_max.yaml'}:11: groups[0].fields[1] "
                              "(engagement_rate): ")
    assert "min (100) is greater than max (0)" in message


def test_stage_needs_a_criterion_that_does_not_exist():
    (message,) = problems_of("missing_criterion.yaml")
    assert message.startswith(f"{FIXTURES / 'missing_criterion.yaml'}:4: stages[0] (ta): ")
    assert "needs criterion 'E9', which is not defined under criteria (did you mean 'E1'?)" \
        in message


def test_broken_yaml_names_the_line():
    (message,) = problems_of("not_yaml.yaml")
    assert message.startswith(f"{FIXTURES / 'not_yaml.yaml'}:4: not valid YAML")


def test_every_problem_is_reported_at_once():
    messages = problems_of("several.yaml")
    text = "\n".join(messages)
    assert ":2: stages[0] (ta): 'kind' must be one of screening, coding, found 'screenin'" in text
    assert ":3: stages[1]: duplicate stage id 'ta' (first defined on line 2)" in text
    assert ":5: fields[0] (n): 'min' must be a number, found 'ten'" in text
    assert ":6: fields[1] (c): missing key 'choices'" in text
    assert len(messages) == 4


def test_error_text_lists_every_problem_and_says_nothing_changed():
    with pytest.raises(CodebookProblems) as caught:
        load_codebook(FIXTURES / "several.yaml")
    text = str(caught.value)
    assert text.count("several.yaml:") == 4
    assert text.endswith("4 problems in the codebook; fix codebook.yaml; no sheet was changed")
    assert caught.value.line == 2


def test_missing_file_is_a_codebook_error(tmp_path):
    with pytest.raises(CodebookError, match="codebook not found"):
        load_codebook(tmp_path / "codebook.yaml")


@pytest.mark.parametrize("text, expected", [
    ("stages: []\nfoo: 1\n", "1 problem" ),
    ("review: {title: T, years: {from: 2025, to: 2010}}\nstages: []\n",
     "'from' (2025) is after 'to' (2010)"),
    ("stages:\n  - {id: ta, kind: screening, reviewers: 0}\n", "'reviewers' must be 1 or more"),
    ("stages:\n  - {id: ta, kind: screening, source: tx}\n", "source stage 'tx' is not defined"),
    ("stages: []\ncriteria:\n  - {id: I1, kind: include, label: x, stages: [tb]}\n",
     "stage 'tb' is not defined"),
    ("stages: []\nfields:\n  - {id: t, label: T, type: text, min: 1}\n",
     "'min' only applies to integer and number fields"),
    ("stages: []\nfields:\n  - {id: t, label: T, type: txt}\n", "'type' must be one of"),
    ("stages: []\nfields:\n  - {id: 'a b', label: T, type: text}\n", "id 'a b' must start"),
    ("stages:\n  - {id: ta, kind: screening}\n  - {id: ta, kind: coding}\n",
     "duplicate stage id 'ta'"),
    ("stages: []\ndimensions:\n  - {id: d, label: D, select: one}\n", "'select' must be one of"),
    ("stages: []\nstages: []\n", "duplicate key 'stages'"),
    ("review: {}\n", "missing key 'stages'"),
])
def test_more_validation_errors(text, expected):
    with pytest.raises(CodebookProblems) as caught:
        parse_codebook(text, "cb.yaml")
    assert expected in str(caught.value)
    assert all(p.path == "cb.yaml" and p.line for p in caught.value.problems)
