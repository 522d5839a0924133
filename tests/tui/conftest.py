"""A small review folder (6 hand-written records, two screening stages) for TUI tests."""

from __future__ import annotations

import asyncio
import io
import shutil
import time
from pathlib import Path

import pytest
from rich.console import Console

from workbench.review import Review

DATA = Path(__file__).resolve().parents[1] / "data" / "tui"


def build_review(path: Path) -> Path:
    """Make a review folder at `path` with the test codebook and one imported RIS export."""
    for name in ("references", "coding", "exports"):
        (path / name).mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "codebook.yaml", path / "codebook.yaml")
    Review.open(path).import_references([DATA / "search.ris"], database="Scopus")
    return path


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> Path:
    path = build_review(tmp_path_factory.mktemp("template") / "review")
    Review.open(path).studies()  # warm the studies cache once
    return path


@pytest.fixture
def review_dir(_template, tmp_path) -> Path:
    """A fresh copy of the small review for one test."""
    target = tmp_path / "review"
    shutil.copytree(_template, target)
    return target


async def wait_for(pilot, predicate, timeout: float = 10.0) -> None:
    """Let the app run until `predicate()` is true (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {predicate}")
        await pilot.pause(0.01)
    await pilot.pause()


async def screening_ready(app, pilot) -> None:
    """Wait until the screening screen has loaded its session."""
    from workbench.tui.screens.screening import ScreeningScreen
    await wait_for(pilot, lambda: isinstance(app.screen, ScreeningScreen)
                   and app.screen.session is not None)


def burst(app, keys: str) -> None:
    """Queue keys as a terminal delivers a fast typist's burst (tmux send-keys): all at once.

    Pilot.press waits for the app between keys, which hides races between a
    focus change and the keys typed right after it.
    """
    from textual import events
    for key in keys.split():
        char = key if len(key) == 1 else {"space": " ", "minus": "-"}.get(key)
        app.post_message(events.Key(key, char))


def shown_text(renderable, width: int = 78) -> str:
    """A rich renderable as plain text, the way it is drawn at `width` columns."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()
