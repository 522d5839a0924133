"""`workbench check` and every codebook load report every problem in one run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.errors import CodebookError
from workbench.io.codebook_yaml import parse_codebook

TEMPLATE = Path(__file__).resolve().parents[2] / "workbench" / "templates" / "codebook.yaml"


def broken_text() -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    old = "    reviewers: 2\n    criteria: [I1, E1]\n"
    assert old in text
    # an unknown key AND an undefined criterion, in two different stages
    text = text.replace(old, "    reviewers: 2\n    colour: blue\n    criteria: [I1, E1]\n", 1)
    return text.replace("    criteria: [I1, E1, E2]\n", "    criteria: [I1, E1, E9]\n", 1)


def test_an_unknown_key_does_not_hide_an_undefined_criterion():
    with pytest.raises(CodebookError) as caught:
        parse_codebook(broken_text(), "codebook.yaml")
    text = str(caught.value)
    assert "colour" in text
    assert "'E9'" in text and "not defined" in text


def test_a_broken_entry_is_not_reported_again_as_undefined():
    text = TEMPLATE.read_text(encoding="utf-8")
    old = "  - id: E2\n"
    assert old in text
    text = text.replace(old, "  - id: E2\n    weight: 3\n", 1)   # E2 has a problem of its own
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "codebook.yaml")
    message = str(caught.value)
    assert "weight" in message and "'E2', which is not defined" not in message


def test_check_lists_both_problems(tmp_path):
    review = tmp_path / "review"
    assert CliRunner().invoke(cli, ["init", str(review)]).exit_code == 0
    (review / "codebook.yaml").write_text(broken_text(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--review", str(review), "check"])
    assert result.exit_code == 1
    assert "colour" in result.stderr and "E9" in result.stderr
