"""Hostile codebook.yaml (issue 20b): tags, recursive anchors, deep nesting, alias bombs,
stage-source cycles. Each is a CodebookError naming file and line, never a traceback or hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.errors import CodebookError
from workbench.io.codebook_yaml import MAX_DEPTH, MAX_VALUES, load_codebook, parse_codebook

BASE = (Path(__file__).resolve().parents[1] / "data" / "codebook" / "base.yaml").read_text(
    encoding="utf-8")
CODES = "      - {id: twitter, label: Twitter/X}\n"


def problems(text: str) -> list[str]:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "codebook.yaml")
    found = [str(p) for p in caught.value.problems] or [str(caught.value)]
    assert all(p.startswith("codebook.yaml:") for p in found), found
    return found


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_base_is_valid():
    assert parse_codebook(BASE).stages[1].source == "ta"


@pytest.mark.parametrize("tag", ["!foo", "!!python/object/apply:os.system ['touch /tmp/x']",
                                 "!!python/name:os.system", "!!binary aGVsbG8=", "!!set {a, b}"])
def test_tags_other_than_plain_values_are_refused_with_their_line(tag):
    text = BASE.replace("title: Small review", f"title: {tag}")
    [message] = problems(text)
    assert message.startswith(f"codebook.yaml:{line_of(text, tag)}: tag ")
    assert "is not allowed" in message


def test_python_tag_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = BASE.replace("title: Small review",
                        f"title: !!python/object/apply:os.system ['touch {marker}']")
    problems(text)
    assert not marker.exists()


@pytest.mark.parametrize("extra", ["loop: &a [*a]\n", "loop: &r\n  k: *r\n",
                                   "loop: &a [x, [y, *a]]\n"])
def test_recursive_anchor_is_refused(extra):
    text = BASE + extra
    [message] = problems(text)
    assert message.startswith(f"codebook.yaml:{line_of(text, 'loop')}: an anchor")


@pytest.mark.parametrize("deep", [
    "deep: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "deep:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(MAX_DEPTH + 50)),
])
def test_deep_nesting_is_refused_not_a_recursion_error(deep):
    text = BASE + deep
    [message] = problems(text)
    line = int(message.split(":")[1])
    assert line >= line_of(text, "deep:")
    assert "nest" in message


def bomb(width: int = 9, levels: int = 9) -> str:
    anchors = "".join(
        f"        - {{id: c{i}, label: C{i}, children: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]}}\n"
        if i else "        - &l0 {id: c0, label: C0}\n" for i in range(levels + 1))
    return BASE.replace(CODES, f"      - id: holder\n        label: Holder\n        children:\n"
                              f"{anchors}" + CODES)


def test_alias_bomb_over_children_stops_quickly_with_a_line():
    text = bomb()
    [message] = problems(text)
    assert f"more than {MAX_VALUES:,} values" in message


def test_modest_aliases_still_work():
    text = BASE.replace("criteria: [I1, E1]", "criteria: &both [I1, E1]").replace(
        "    source: ta\n", "    source: ta\n    criteria: *both\n")
    assert parse_codebook(text).stages[1].criteria == ("I1", "E1")


@pytest.mark.parametrize("sources, cycle", [
    ({"ta": "coding", "coding": "ta"}, "ta -> coding -> ta"),
])
def test_stage_source_cycle_is_refused(sources, cycle):
    text = BASE.replace("    criteria: [I1, E1]\n", f"    source: {sources['ta']}\n"
                                                  "    criteria: [I1, E1]\n")
    [message] = problems(text)
    assert message.startswith(f"codebook.yaml:{line_of(text, 'source: coding')}: ")
    assert f"in a circle ({cycle})" in message


def test_three_stage_cycle_is_refused():
    text = BASE.replace("    criteria: [I1, E1]\n", "    source: third\n    criteria: [I1, E1]\n")
    text = text.replace("criteria:\n  - {id: I1", "  - {id: third, kind: screening, source: coding}\n"
                                                 "criteria:\n  - {id: I1")
    [message] = problems(text)
    assert "in a circle (ta -> third -> coding -> ta)" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_codebook_is_refused_not_read(tmp_path):
    path = tmp_path / "codebook.yaml"
    os.mkfifo(path)
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert "not a regular file" in str(caught.value)


@pytest.mark.parametrize("case", ["tag", "bomb", "deep", "cycle"])
def test_check_and_status_report_a_hostile_codebook_without_traceback(tmp_path, case):
    folder = tmp_path / "review"
    assert CliRunner().invoke(cli, ["init", str(folder)]).exit_code == 0
    text = {"tag": BASE.replace("title: Small review", "title: !!python/name:os.system"),
            "bomb": bomb(), "deep": BASE + "deep: " + "[" * 3000 + "]" * 3000 + "\n",
            "cycle": BASE.replace("    criteria: [I1, E1]\n",
                                  "    source: coding\n    criteria: [I1, E1]\n")}[case]
    data = Path(__file__).resolve().parents[1] / "data" / "cli" / "wos.ris"
    assert CliRunner().invoke(cli, ["--review", str(folder), "import", str(data)]).exit_code == 0
    (folder / "codebook.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--review", str(folder), "check"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "codebook.yaml:" in result.stderr and "Traceback" not in result.output
    # status reads the codebook only when it needs it; either way it ends, without a traceback
    result = CliRunner().invoke(cli, ["--review", str(folder), "status"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
