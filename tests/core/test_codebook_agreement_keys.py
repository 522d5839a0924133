"""Codebook keys the agreement statistics read: a stage's `decisions:` and a choice's `ordered:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.io.codebook_yaml import CodebookProblems, load_codebook

HEAD = "review: {title: t}\nstages:\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookProblems) as caught:
        load_codebook(path)
    return [str(p) for p in caught.value.problems]


def test_offered_decisions_default_and_declared(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(HEAD + "  - {id: ta, kind: screening}\n"
                    "  - {id: ft, kind: screening, source: ta}\n"
                    "  - {id: bin, kind: screening, decisions: [include, exclude]}\n",
                    encoding="utf-8")
    codebook = load_codebook(path)
    assert codebook.stage("ta").offered_decisions() == ("include", "exclude", "maybe")
    assert codebook.stage("ft").offered_decisions() == ("include", "exclude", "maybe",
                                                         "not_retrieved")
    assert codebook.stage("bin").offered_decisions() == ("include", "exclude")


@pytest.mark.parametrize("decisions, message", [
    ("[include, perhaps]", "unknown decision 'perhaps' in 'decisions'"),
    ("[include, include, exclude]", "'decisions' lists a decision twice"),
    ("[include, maybe]", "'decisions' must offer at least include and exclude"),
])
def test_bad_decisions_name_file_line_and_stage(tmp_path, decisions, message):
    (problem,) = problems(tmp_path, HEAD + "  - id: ta\n    kind: screening\n"
                          f"    decisions: {decisions}\n")
    assert problem.startswith(f"{tmp_path / 'codebook.yaml'}:5: stages[0] (ta): {message}")


def test_ordered_only_on_choice_fields(tmp_path):
    (problem,) = problems(tmp_path, HEAD + "  - {id: c, kind: coding}\nfields:\n"
                          "  - id: n\n    label: N\n    type: integer\n    ordered: true\n")
    assert problem == (f"{tmp_path / 'codebook.yaml'}:8: fields[0] (n): 'ordered' only applies "
                       "to choice fields (a scale in the order of its choices), not integer")
