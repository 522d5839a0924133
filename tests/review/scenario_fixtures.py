"""Fixtures shared by the cache tests: the issue #11 scenario review, counted on columns.

Import them into a test module (`from tests.review.scenario_fixtures import on_columns,
root, template`); pytest then uses them there, the template built once per module.
`on_columns` applies to every test of a module that imports it.
"""

from __future__ import annotations

import shutil

import pytest

from workbench.review import decision_frames as df


@pytest.fixture(autouse=True)
def on_columns(monkeypatch):
    """Count on the sheets' columns (the large-review path) even on this small review."""
    monkeypatch.setattr(df, "COLUMNS_FROM_BYTES", 0)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The scenario review (test_consensus_scenario.build_scenario), built once per module."""
    from tests.review.test_consensus_scenario import build_scenario  # it imports this module
    root = tmp_path_factory.mktemp("scenario") / "review"
    build_scenario(root)
    return root


@pytest.fixture
def root(template, tmp_path):
    """A copy of the scenario review for one test (it may write)."""
    out = tmp_path / "review"
    shutil.copytree(template, out)
    return out
