"""People's answers about duplicate pairs: one append-only CSV per reviewer.

`coding/duplicates/<reviewer>.csv` has the columns time, reviewer, record_a,
record_b, verdict, note. Each answer is appended, flushed and fsynced before
`append_pair_decision` returns, so a crash loses at most the answer in flight.
Files from several reviewers (or machines) merge without conflicts; the latest
answer per pair stands (`latest_pair_decisions`).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from workbench.core.dedupe import VERDICTS, PairDecision, latest_pair_decisions
from workbench.errors import DedupeError, Problem

log = logging.getLogger(__name__)

COLUMNS = ("time", "reviewer", "record_a", "record_b", "verdict", "note")
FOLDER = Path("coding") / "duplicates"
_REVIEWER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

__all__ = ["COLUMNS", "append_pair_decision", "read_pair_decisions", "read_pair_decisions_report",
           "latest_pair_decisions", "pair_decisions_path", "now_iso"]


def now_iso() -> str:
    """Return the current time as ISO-8601 UTC with microseconds and a Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pair_decisions_path(review_dir: str | Path, reviewer: str) -> Path:
    """Return the path of a reviewer's duplicate-decision file.

    Raises:
        DedupeError: the reviewer name cannot be a file name.
    """
    if not _REVIEWER.match(reviewer or ""):
        raise DedupeError(f"reviewer name {reviewer!r} must be letters, digits, '.', '_' or '-'")
    return Path(review_dir) / FOLDER / f"{reviewer}.csv"


def append_pair_decision(review_dir: str | Path, decision: PairDecision) -> Path:
    """Append one answer to the reviewer's file, flushed and fsynced before returning.

    Args:
        review_dir: the review folder.
        decision: the answer; `time` may be "" to stamp it now.

    Returns:
        The path of the file written.

    Raises:
        DedupeError: invalid verdict, same record twice, or the file cannot be written.
    """
    if decision.verdict not in VERDICTS:
        raise DedupeError(f"verdict {decision.verdict!r} must be one of {', '.join(VERDICTS)}")
    if not decision.record_a or not decision.record_b or decision.record_a == decision.record_b:
        raise DedupeError(f"a pair needs two different records, got {decision.record_a!r} "
                          f"and {decision.record_b!r}")
    path = pair_decisions_path(review_dir, decision.reviewer)
    row = [decision.time or now_iso(), decision.reviewer, decision.record_a, decision.record_b,
           decision.verdict, " ".join(decision.note.splitlines())]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        with open(path, "a", encoding="utf-8", newline="") as handle:
            if not new and not _ends_with_newline(path):
                handle.write("\n")  # a torn last line stays on its own line
            if new:
                handle.write(",".join(COLUMNS) + "\n")
            handle.write(buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise DedupeError(f"cannot save the answer: {exc.strerror or exc}", path=path,
                          hint="the answer was not saved") from exc
    return path


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def read_pair_decisions_report(review_dir: str | Path) -> tuple[list[PairDecision], list[Problem]]:
    """Return every reviewer's answers and the problems found reading them.

    A torn last line (a crash mid-append) is reported as a Problem and skipped;
    so is any other unreadable row. Nothing raises for bad rows.

    Args:
        review_dir: the review folder.

    Returns:
        (answers from all files, ordered by file name then line; problems).
    """
    folder = Path(review_dir) / FOLDER
    decisions: list[PairDecision] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return decisions, problems
    for path in sorted(folder.glob("*.csv")):
        shown = str(path.relative_to(review_dir)) if path.is_relative_to(review_dir) else str(path)
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, None, None, f"cannot read: {exc}"))
            continue
        torn = bool(raw) and not raw.endswith("\n")
        lines = raw.splitlines()
        if not lines:
            continue
        header = next(csv.reader([lines[0]]), [])
        if tuple(header) != COLUMNS:
            problems.append(Problem(shown, 1, None, f"header must be {','.join(COLUMNS)}; file skipped"))
            continue
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            is_last = number == len(lines)
            fields = next(csv.reader([line]), [])
            if len(fields) != len(COLUMNS) or (torn and is_last):
                what = "last line is incomplete (interrupted save)" if is_last and torn else \
                    f"expected {len(COLUMNS)} columns, found {len(fields)}"
                problems.append(Problem(shown, number, None, f"{what}; line ignored"))
                continue
            decision = PairDecision(*fields)
            if decision.verdict not in VERDICTS:
                problems.append(Problem(shown, number, None,
                                        f"verdict {decision.verdict!r} is not same/different; line ignored"))
                continue
            decisions.append(decision)
    for problem in problems:
        log.warning("%s", problem)
    return decisions, problems


def read_pair_decisions(review_dir: str | Path) -> list[PairDecision]:
    """Return every reviewer's answers; unreadable lines are logged as warnings and skipped.

    Args:
        review_dir: the review folder.

    Returns:
        All answers from coding/duplicates/*.csv (use `latest_pair_decisions` for the standing ones).
    """
    return read_pair_decisions_report(review_dir)[0]
