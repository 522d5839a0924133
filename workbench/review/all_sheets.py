"""Every sheet of a review read at once, and the stages a command covers.

`read_sheets` returns each reviewer's events and the consensus events
(`Sheets`), each sheet read through the review's shared cache
(`workbench.review.sheet_reads`). Light on purpose (no pandas, no numpy):
`status`, `check`, the conflicts list and the home screen use it, and so do
the agreement statistics (`workbench.review.agreement`).

    sheets = read_sheets(review)
    for stage in audit_stages(review):
        ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.codebook import Stage
from workbench.core.events import CONSENSUS, Event, is_valid_reviewer
from workbench.errors import ReviewError
from workbench.review.sheet_reads import read_review_sheet


@dataclass(frozen=True)
class Sheets:
    """Every sheet of a review: {reviewer: events}, the consensus events, skipped lines."""

    reviewers: dict[str, list[Event]]
    consensus: list[Event]
    warnings: list[str] = field(default_factory=list)


def read_sheets(review) -> Sheets:
    """Read every reviewer sheet and the consensus sheet of a review.

    Args:
        review: the open Review.

    Returns:
        Sheets; lines the sheet reader skipped (e.g. a torn last line) are in
        `warnings` as `path:line: entry: problem`.

    Raises:
        SheetError: a sheet exists but cannot be read.
    """
    reviewers: dict[str, list[Event]] = {}
    warnings: list[str] = []
    folder = Path(review.coding)
    paths = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    consensus: list[Event] = []
    for path in paths:
        name = path.stem
        if name != CONSENSUS and not is_valid_reviewer(name):
            continue
        contents = read_review_sheet(review, path)  # once per command (review/sheet_reads.py)
        warnings += [str(p) for p in contents.problems]
        if name == CONSENSUS:
            consensus = list(contents.events)
        else:
            reviewers[name] = list(contents.events)
    return Sheets(reviewers, consensus, warnings)


def audit_stages(review, stage: str | None = None) -> list[Stage]:
    """Return the stages to audit: every stage, or the one named.

    Raises:
        ReviewError: the stage is not in the codebook.
    """
    codebook = review.codebook()
    if stage is None:
        return list(codebook.stages)
    found = codebook.stage(stage)
    if found is None:
        known = ", ".join(s.id for s in codebook.stages) or "none"
        raise ReviewError(f"unknown stage {stage!r} (stages: {known})", path=review.codebook_path)
    return [found]


__all__ = ["Sheets", "read_sheets", "audit_stages"]
