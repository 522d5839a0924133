"""Shared fixtures, and how many pytest-xdist workers `-n auto` (pyproject addopts) starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
MAX_WORKERS = 4  # each worker imports pandas and textual and builds its own session fixtures


def pytest_xdist_auto_num_workers(config) -> int | None:
    """0 (run in this process) for one file or one test, else one worker per core, at most 4.

    Starting workers costs a few seconds, which a single file rarely wins back.
    PYTEST_XDIST_AUTO_NUM_WORKERS, if set, still decides (xdist's own hook reads it).
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    files = {str(arg).split("::")[0] for arg in config.args}
    if len(files) == 1 and next(iter(files)).endswith(".py"):
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_WORKERS))


@pytest.fixture
def shared_data() -> Path:
    """The real exports written by others; tests that need them skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def data_dir() -> Path:
    """Small hand-written fixtures kept in the repository."""
    return REPO / "tests" / "data"
