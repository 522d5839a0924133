"""CLI fixtures: an empty review made by `workbench init`, and a runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli

CLI_DATA = Path(__file__).resolve().parents[1] / "data" / "cli"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "review"
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def run(review: Path):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--review", str(review), *args])

    return invoke
