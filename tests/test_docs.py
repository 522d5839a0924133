"""The README documents every CLI verb and keeps its two set-up commands."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_cli_verb_is_in_the_readme():
    missing = [name for name in cli.commands if f"workbench {name}" not in README]
    assert not missing, f"README does not document: {missing}"


def test_every_cli_verb_help_ends_with_an_example():
    for name, command in cli.commands.items():
        assert "Example: workbench" in (command.help or ""), name


def test_readme_has_the_two_setup_commands_near_the_top():
    top = README[:2500]
    assert "pip install -q -e . && .venv/bin/workbench" in top
    assert "pip install -q -e '.[test]' && .venv/bin/python -m pytest -q" in top
