"""Check every coding sheet of a review against its codebook (`workbench check`)."""

from __future__ import annotations

from pathlib import Path

from workbench.core.checks import check_sheet_events
from workbench.core.codebook import Codebook
from workbench.core.events import CONSENSUS, is_valid_reviewer
from workbench.errors import Problem
from workbench.store.sheet import paused_gc, read_sheet


def sheet_files(coding_dir: str | Path) -> list[Path]:
    """Return the sheets in coding/ (every *.csv), the consensus sheet last."""
    folder = Path(coding_dir)
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*.csv") if p.stem != CONSENSUS)
    consensus = folder / f"{CONSENSUS}.csv"
    return files + ([consensus] if consensus.exists() else [])


def check_coding(codebook: Codebook, coding_dir: str | Path) -> list[Problem]:
    """Read every sheet in coding/ and return its reading problems and codebook problems.

    Torn or malformed lines, events of another reviewer, unknown stages,
    fields and codes, and values no longer valid are reported; renamed codes
    are reported as carried over. Nothing is modified.

    Args:
        codebook: the loaded codebook.
        coding_dir: the review's coding/ folder (its form is used in messages).

    Returns:
        The problems, sheet by sheet, in line order.

    Raises:
        SheetError: a sheet exists but cannot be read.
    """
    with paused_gc():
        return _check_files(codebook, sheet_files(coding_dir))


def _check_files(codebook: Codebook, files: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in files:
        if path.stem != CONSENSUS and not is_valid_reviewer(path.stem):
            problems.append(Problem(str(path), None, None, f"{path.stem!r} is not a valid "
                                    "reviewer name, so this file is not read as a sheet"))
            continue
        contents = read_sheet(path)
        problems.extend(contents.problems)
        reviewer = None if path.stem == CONSENSUS else path.stem
        problems.extend(check_sheet_events(codebook, str(path), contents.events,
                                           contents.lines, reviewer))
    return problems
